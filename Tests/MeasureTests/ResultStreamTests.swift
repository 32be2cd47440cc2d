import Catalogue
import Foundation
import Testing

@testable import Measure

/// The streaming reader of `parity results import` (issue 20): a file read in chunks of any size, split into its
/// top-level values and decoded in batches, gives exactly what the whole-file readers give, and a bad record is
/// named by its number and the byte where it starts.
@Suite struct ResultStreamTests {
    /// A measurement whose strings hold the bytes a splitter could mistake for structure: braces, brackets, commas,
    /// escaped quotes and backslashes, a newline escape.
    static func measurement(_ index: Int) -> BenchmarkResult {
        BenchmarkResult(
            id: "r\(index)-{\"x\"}[,]\\",
            chip: index.isMultiple(of: 2) ? "h20" : "ascend-910c",
            benchmark: index.isMultiple(of: 3) ? .streamTriad : .gemm,
            precision: index.isMultiple(of: 3) ? nil : .bf16,
            unit: index.isMultiple(of: 3) ? "B/s" : "FLOP/s",
            samples: [1.0e14 + Double(index), 1.1e14, 0.9e14],
            warmups: 2,
            sizes: ["m": 4096 + index],
            backend: "cuda \\ \"test\"\n}",
            device: .init(name: "dev ]}"),
            host: "host-\(index)",
            time: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)),
            check: .passed
        )
    }

    static let measurements = (1...23).map(measurement)

    static func write(_ data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID()).json").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every record of a file through the stream, with the given chunk and batch sizes.
    static func streamed(_ path: String, chunk: Int, batch: Int) throws -> [ResultStream.Batch] {
        var stream = try ResultStream(path: path, batchSize: batch, chunkSize: chunk)
        var batches: [ResultStream.Batch] = []
        while let next = try stream.next() { batches.append(next) }
        return batches
    }

    static func measurements(of batches: [ResultStream.Batch]) -> [BenchmarkResult] {
        batches.flatMap { batch -> [BenchmarkResult] in
            if case .measurements(let results) = batch { return results }
            Issue.record("a serving batch in a measurement file")
            return []
        }
    }

    /// The JSON-lines file `ResultFile.encode` writes, the same records as a pretty-printed array, and as an array on
    /// one line: every layout the import reads.
    static func layouts() throws -> [Data] {
        let lines = ResultFile.encode(measurements)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let pretty = try encoder.encode(measurements)
        encoder.outputFormatting = [.sortedKeys]
        let compact = try encoder.encode(measurements)
        return [lines, pretty, compact]
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func chunksOfAnySizeDecodeAsTheWholeFile(chunk: Int) throws {
        for data in try Self.layouts() {
            let whole = try ResultFile.decode(data, path: "x")
            #expect(whole == Self.measurements)
            let path = try Self.write(data)
            defer { try? FileManager.default.removeItem(atPath: path) }
            for batch in [1, 5, 5_000] {
                let batches = try Self.streamed(path, chunk: chunk, batch: batch)
                #expect(Self.measurements(of: batches) == whole, "chunk \(chunk), batch \(batch)")
                #expect(batches.map(\.count) == Self.sizes(total: whole.count, batch: batch))
            }
        }
    }

    static func sizes(total: Int, batch: Int) -> [Int] {
        stride(from: 0, to: total, by: batch).map { min(batch, total - $0) }
    }

    @Test func splitterFindsValuesAcrossEveryChunkBoundary() throws {
        let text = #"[ {"a":"}\"]","b":[1,{"c":"\\"}]} , 12.5e3,"x,]\"",true ,null,[[]] ]"#
        let bytes = Array(text.utf8)
        var whole = JSONSplitter()
        let expected = try whole.feed(bytes) + (try whole.finish())
        #expect(
            expected.map { String(decoding: $0.bytes, as: UTF8.self) } == [
                #"{"a":"}\"]","b":[1,{"c":"\\"}]}"#, "12.5e3", #""x,]\"""#, "true", "null", "[[]]",
            ]
        )
        // Where each value starts in `text` (Python's `str.index` on the same text).
        #expect(expected.map(\.offset) == [2, 36, 43, 51, 57, 62])
        #expect(expected.map(\.index) == Array(1...6))
        for split in 1..<bytes.count {
            var splitter = JSONSplitter()
            let parts =
                try splitter.feed(bytes[..<split]) + (try splitter.feed(bytes[split...])) + (try splitter.finish())
            #expect(parts == expected, "split at \(split)")
        }
    }

    @Test func structuralErrorsNameTheByte() {
        func split(_ text: String) throws(JSONSplitter.SplitError) {
            var splitter = JSONSplitter()
            _ = try splitter.feed(Array(text.utf8))
            _ = try splitter.finish()
        }
        #expect(throws: JSONSplitter.SplitError(offset: 5, reason: "value 2 is not closed before the end of the file"))
        {
            try split(#"[{}, {"a":1"#)
        }
        #expect(throws: JSONSplitter.SplitError(offset: 5, reason: "text after the end of the top-level array")) {
            try split("[{}] {}")
        }
        #expect(throws: JSONSplitter.SplitError(offset: 4, reason: "a comma where value 2 should start")) {
            try split("[{},,{}]")
        }
        #expect(throws: JSONSplitter.SplitError(offset: 4, reason: "value 2 is not separated from the one before")) {
            try split("[{} {}]")
        }
        #expect(
            throws: JSONSplitter.SplitError(
                offset: 3,
                reason: "the top-level array is not closed before the end of the file"
            )
        ) {
            try split("[{}")
        }
    }

    /// A record that is valid JSON but not a valid measurement, deep in a file read in small batches and chunks: the
    /// error names its number in the file and its first byte, and the batches before it were returned.
    @Test func aBadRecordIsNamedByNumberAndByte() throws {
        var lines = Self.measurements.map { String(decoding: ResultFile.encode([$0]), as: UTF8.self) }
        lines[16] = lines[16].replacingOccurrences(of: #""chip":"ascend-910c","#, with: "")
        let text = lines.joined()
        let offset = text.utf8.count - lines[16...].joined().utf8.count
        let path = try Self.write(Data(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var stream = try ResultStream(path: path, batchSize: 4, chunkSize: 13)
        var read = 0
        do {
            while let batch = try stream.next() { read += batch.count }
            Issue.record("a record without its chip was read")
        } catch let error as ResultFileError {
            #expect(
                error
                    == .invalid(
                        path: path,
                        record: 17,
                        reason: "missing field 'chip' (the record starts at byte \(offset))"
                    )
            )
            #expect(error.description.split(separator: "\n").count == 1)
        }
        #expect(read == 16, "the four batches before the bad record")
    }

    @Test func recordsThatAreNotJSONOrNotObjectsAreNamed() throws {
        let first = String(decoding: ResultFile.encode([Self.measurements[0]]), as: UTF8.self)
        let broken = try Self.write(Data((first + #"{"schema": "parity.measurement/1", "id": }"# + "\n").utf8))
        let scalar = try Self.write(Data("[\(first.dropLast()), 1]".utf8))
        defer {
            try? FileManager.default.removeItem(atPath: broken)
            try? FileManager.default.removeItem(atPath: scalar)
        }
        #expect(
            throws: ResultFileError.invalid(
                path: broken,
                record: 2,
                reason: "not valid JSON (the record starts at byte \(first.utf8.count))"
            )
        ) {
            _ = try Self.streamed(broken, chunk: 5, batch: 10)
        }
        #expect(
            throws: ResultFileError.invalid(
                path: scalar,
                record: 2,
                reason: "not a JSON object (the record starts at byte \(first.utf8.count + 2))"
            )
        ) {
            _ = try Self.streamed(scalar, chunk: 5, batch: 10)
        }
    }

    @Test func emptyFilesAndUnclosedArraysAreErrors() throws {
        let empty = try Self.write(Data("  \n".utf8))
        let open = try Self.write(ResultFile.encode([Self.measurements[0]]).dropLast() + Data("\n[".utf8))
        defer {
            try? FileManager.default.removeItem(atPath: empty)
            try? FileManager.default.removeItem(atPath: open)
        }
        #expect(throws: ResultFileError.invalid(path: empty, record: 0, reason: "no records in the file")) {
            _ = try Self.streamed(empty, chunk: 4, batch: 10)
        }
        #expect(throws: ResultFileError.self) { _ = try Self.streamed(open, chunk: 4, batch: 10) }
    }

    @Test func servingFilesStreamAsTheWholeFileReads() throws {
        var second = ServingFileTests.record
        second.id = "run-2 {\"]"
        let data = ServingFile.encode([ServingFileTests.record, second, ServingFileTests.record])
        let path = try Self.write(data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for chunk in [1, 17, 1 << 20] {
            let batches = try Self.streamed(path, chunk: chunk, batch: 2)
            let records = batches.flatMap { batch -> [ServingMeasurement] in
                if case .serving(let records) = batch { return records }
                Issue.record("a measurement batch in a serving file")
                return []
            }
            #expect(records == (try ServingFile.decode(data, path: path)))
            #expect(records.map(\.id) == ["run-1", "run-2 {\"]", "run-1"])
        }
    }
}
