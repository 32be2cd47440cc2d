public import Foundation

/// Why a results file cannot be read.
public enum ResultFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unknownSchema(path: String, record: Int, schema: String?)
    case invalid(path: String, record: Int, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .unknownSchema(let path, let record, let schema):
            "\(path): record \(record) has schema \(schema.map { "'\($0)'" } ?? "(none)"); "
                + "this Parity reads \(BenchmarkResult.currentSchema)"
        case .invalid(let path, let record, let reason):
            "\(path): record \(record): \(reason)"
        }
    }
}

/// Reads and writes measurement files: a JSON array, a single object, or one JSON object per line.
public enum ResultFile {
    public static func load(path: String) throws(ResultFileError) -> [BenchmarkResult] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(data, path: path)
    }

    /// Every measurement of several files, in order.
    public static func load(paths: [String]) throws(ResultFileError) -> [BenchmarkResult] {
        var results: [BenchmarkResult] = []
        for path in paths { results += try load(path: path) }
        return results
    }

    public static func decode(_ data: Data, path: String) throws(ResultFileError) -> [BenchmarkResult] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var records: [Record] = []
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "[") {
            guard let array = try? decoder.decode([Record].self, from: data) else {
                throw .invalid(path: path, record: 1, reason: "not a JSON array of objects")
            }
            records = array
        } else {
            for line in data.split(separator: 0x0A)
            where line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) {
                records.append((try? decoder.decode(Record.self, from: Data(line))) ?? Record(.notObject))
            }
        }
        return try check(records, path: path)
    }

    /// One record as read, valid or not: decoding never stops at a bad record, so that errors can name it.
    /// Reading straight into `BenchmarkResult` (no intermediate `JSONSerialization` pass) keeps submissions cheap.
    public struct Record: Decodable, Sendable {
        enum Problem: Sendable {
            case notObject
            case unknownSchema(String?)
            case decoding(String)
        }

        let measurement: BenchmarkResult?
        let problem: Problem?

        init(_ problem: Problem) {
            self.problem = problem
            measurement = nil
        }

        init(measurement: BenchmarkResult) {
            self.measurement = measurement
            problem = nil
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            guard let container = try? decoder.container(keyedBy: Key.self) else {
                self.init(.notObject)
                return
            }
            let schema = try? container.decodeIfPresent(String.self, forKey: Key(stringValue: "schema"))
            guard schema == BenchmarkResult.currentSchema else {
                self.init(.unknownSchema(schema))
                return
            }
            do {
                self.init(measurement: try BenchmarkResult(from: decoder))
            } catch let DecodingError.keyNotFound(key, _) {
                self.init(.decoding("missing field '\(key.stringValue)'"))
            } catch let DecodingError.dataCorrupted(context) {
                self.init(.decoding(context.debugDescription))
            } catch let DecodingError.typeMismatch(_, context) {
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                self.init(.decoding("field '\(field)' has the wrong type"))
            } catch let DecodingError.valueNotFound(_, context) {
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                self.init(.decoding("field '\(field)' is null"))
            } catch {
                self.init(.decoding("\(error)"))
            }
        }
    }

    /// The measurements of decoded records, or the first record's problem (records count from 1).
    public static func check(_ records: [Record], path: String) throws(ResultFileError) -> [BenchmarkResult] {
        if records.isEmpty { throw .invalid(path: path, record: 0, reason: "no measurements in the file") }
        var results: [BenchmarkResult] = []
        results.reserveCapacity(records.count)
        for (index, record) in records.enumerated() {
            let number = index + 1
            switch record.problem {
            case .notObject?: throw .invalid(path: path, record: number, reason: "not a JSON object")
            case .unknownSchema(let schema)?: throw .unknownSchema(path: path, record: number, schema: schema)
            case .decoding(let reason)?: throw .invalid(path: path, record: number, reason: reason)
            case nil: break
            }
            guard let measurement = record.measurement else { continue }
            guard !measurement.samples.isEmpty, measurement.samples.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                throw .invalid(
                    path: path,
                    record: number,
                    reason: "samples must be a non-empty list of positive numbers"
                )
            }
            results.append(measurement)
        }
        return results
    }

    /// JSON lines, one measurement per line, keys sorted.
    public static func encode(_ measurements: [BenchmarkResult]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        var data = Data()
        for measurement in measurements {
            // Encoding plain value types cannot fail.
            if let line = try? encoder.encode(measurement) {
                data.append(line)
                data.append(0x0A)
            }
        }
        return data
    }
}
