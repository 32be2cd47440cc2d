import Foundation

/// Reads a result file in batches with memory that does not grow with the file: the file is read in chunks, split
/// into its top-level values (`JSONSplitter`: the elements of a JSON array, or one object per line) and each batch of
/// values is decoded on its own. Measurement files (`parity.measurement/1`) and serving files (`parity.serving/2`
/// records, `parity bench serve` results) are told apart by the first value, as `ServingFile.isServing` does for a
/// whole file. A value that cannot be read stops the stream with an error naming its record number (from 1) and the
/// byte where it starts; the batches before it have been returned.
public struct ResultStream {
    /// A batch of one kind: a file holds either measurements or serving results.
    public enum Batch: Sendable {
        case measurements([BenchmarkResult])
        case serving([ServingMeasurement])

        public var count: Int {
            switch self {
            case .measurements(let results): results.count
            case .serving(let measurements): measurements.count
            }
        }
    }

    public static let defaultBatchSize = 5_000
    public static let defaultChunkSize = 1 << 20

    public let path: String
    public let batchSize: Int
    /// The file's size in bytes when known (progress).
    public let fileSize: Int?
    /// Bytes of the file read so far.
    public private(set) var bytesRead = 0
    /// Records returned so far.
    public private(set) var records = 0
    /// Whether the file holds serving results; known once the first value is read.
    public private(set) var isServing: Bool?

    private let context: ServingFile.Context
    private let chunkSize: Int
    private let handle: FileHandle
    private var splitter = JSONSplitter()
    private var pending: [JSONSplitter.Element] = []
    private var pendingStart = 0
    private var atEnd = false

    /// Opens `path`; `context` fills what serving files do not say (as `ServingFile.read(path:context:)`).
    public init(
        path: String,
        context: ServingFile.Context = ServingFile.Context(),
        batchSize: Int = ResultStream.defaultBatchSize,
        chunkSize: Int = ResultStream.defaultChunkSize
    ) throws(ResultFileError) {
        self.path = path
        self.context = context
        self.batchSize = max(batchSize, 1)
        self.chunkSize = max(chunkSize, 1)
        do {
            handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        fileSize = (attributes?[.size] as? NSNumber)?.intValue
    }

    /// The next batch of at most `batchSize` records (a bench-serve sweep may add its points to the batch that
    /// holds it), or `nil` at the end of the file. Throws `ResultFileError` or `ServingFileError`.
    public mutating func next() throws -> Batch? {
        var elements: [JSONSplitter.Element] = []
        while elements.count < batchSize {
            if pendingStart < pending.count {
                let take = min(batchSize - elements.count, pending.count - pendingStart)
                elements += pending[pendingStart..<(pendingStart + take)]
                pendingStart += take
                continue
            }
            pending = []
            pendingStart = 0
            if atEnd { break }
            try readChunk()
        }
        if elements.isEmpty {
            if records == 0 { throw ResultFileError.invalid(path: path, record: 0, reason: "no records in the file") }
            return nil
        }
        if isServing == nil { isServing = ServingFile.isServing(Data(elements[0].bytes)) }
        let batch: Batch =
            isServing == true
            ? .serving(try Self.serving(elements, path: path, context: context))
            : .measurements(try Self.measurements(elements, path: path))
        records += batch.count
        return batch
    }

    private mutating func readChunk() throws {
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw ResultFileError.unreadable(path: path, reason: error.localizedDescription)
        }
        do {
            if let data, !data.isEmpty {
                bytesRead += data.count
                pending = try data.withUnsafeBytes { bytes in try splitter.feed(bytes) }
            } else {
                atEnd = true
                try? handle.close()
                pending = try splitter.finish()
            }
        } catch {
            throw ResultFileError.invalid(path: path, record: splitter.count + 1, reason: "\(error)")
        }
    }

    /// Decodes a batch of measurement values in one decoder call; when the batch is not valid JSON, value by value
    /// to name the one that is not.
    static func measurements(_ elements: [JSONSplitter.Element], path: String) throws -> [BenchmarkResult] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var joined = Data()
        joined.reserveCapacity(elements.reduce(2) { $0 + $1.bytes.count + 1 })
        joined.append(UInt8(ascii: "["))
        for (position, element) in elements.enumerated() {
            if position > 0 { joined.append(UInt8(ascii: ",")) }
            joined.append(contentsOf: element.bytes)
        }
        joined.append(UInt8(ascii: "]"))
        let records: [ResultFile.Record]
        if let decoded = try? decoder.decode([ResultFile.Record].self, from: joined) {
            records = decoded
        } else {
            var each: [ResultFile.Record] = []
            for element in elements {
                guard let record = try? decoder.decode(ResultFile.Record.self, from: Data(element.bytes)) else {
                    throw ResultFileError.invalid(
                        path: path,
                        record: element.index,
                        reason: "not valid JSON (the record starts at byte \(element.offset))"
                    )
                }
                each.append(record)
            }
            records = each
        }
        do {
            return try ResultFile.check(records, path: path)
        } catch {
            throw Self.located(error, in: elements)
        }
    }

    /// A batch's error with the record's number in the file and where it starts, instead of its place in the batch.
    static func located(_ error: ResultFileError, in elements: [JSONSplitter.Element]) -> ResultFileError {
        switch error {
        case .invalid(let path, let record, let reason) where elements.indices.contains(record - 1):
            let element = elements[record - 1]
            return .invalid(
                path: path,
                record: element.index,
                reason: "\(reason) (the record starts at byte \(element.offset))"
            )
        case .unknownSchema(let path, let record, let schema) where elements.indices.contains(record - 1):
            return .unknownSchema(path: path, record: elements[record - 1].index, schema: schema)
        default:
            return error
        }
    }

    /// Decodes serving values one by one (`ServingFile`'s reader, which also converts bench-serve results).
    static func serving(
        _ elements: [JSONSplitter.Element],
        path: String,
        context: ServingFile.Context
    ) throws -> [ServingMeasurement] {
        var measurements: [ServingMeasurement] = []
        measurements.reserveCapacity(elements.count)
        for element in elements {
            let start = "the record starts at byte \(element.offset)"
            guard let object = (try? JSONSerialization.jsonObject(with: Data(element.bytes))) as? [String: Any] else {
                throw ServingFileError.invalid(
                    path: path,
                    record: element.index,
                    field: nil,
                    reason: "is not a JSON object (\(start))"
                )
            }
            do {
                measurements += try ServingFile.measurements(
                    object,
                    path: path,
                    record: element.index,
                    context: context
                )
            } catch {
                guard case .invalid(let path, let record, let field, let reason) = error else { throw error }
                throw ServingFileError.invalid(path: path, record: record, field: field, reason: "\(reason) (\(start))")
            }
        }
        return measurements
    }
}
