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
        let objects: [Data]
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "[") {
            guard let array = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
                throw .invalid(path: path, record: 1, reason: "not a JSON array of objects")
            }
            var encoded: [Data] = []
            for (index, element) in array.enumerated() {
                // data(withJSONObject:) traps on anything but an array or object at the top: check first.
                guard element is [String: Any], JSONSerialization.isValidJSONObject(element),
                    let data = try? JSONSerialization.data(withJSONObject: element)
                else { throw .invalid(path: path, record: index + 1, reason: "not a JSON object") }
                encoded.append(data)
            }
            objects = encoded
        } else {
            objects = data.split(separator: 0x0A).filter { line in
                line.contains { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }
            }.map { Data($0) }
        }
        if objects.isEmpty { throw .invalid(path: path, record: 0, reason: "no measurements in the file") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var result: [BenchmarkResult] = []
        for (index, object) in objects.enumerated() {
            let record = index + 1
            guard let fields = try? JSONSerialization.jsonObject(with: object) as? [String: Any] else {
                throw .invalid(path: path, record: record, reason: "not a JSON object")
            }
            let schema = fields["schema"] as? String
            guard schema == BenchmarkResult.currentSchema else {
                throw .unknownSchema(path: path, record: record, schema: schema)
            }
            do {
                let measurement = try decoder.decode(BenchmarkResult.self, from: object)
                guard !measurement.samples.isEmpty, measurement.samples.allSatisfy({ $0.isFinite && $0 > 0 }) else {
                    throw ResultFileError.invalid(
                        path: path,
                        record: record,
                        reason: "samples must be a non-empty list of positive numbers"
                    )
                }
                result.append(measurement)
            } catch let error as ResultFileError {
                throw error
            } catch let DecodingError.keyNotFound(key, _) {
                throw .invalid(path: path, record: record, reason: "missing field '\(key.stringValue)'")
            } catch let DecodingError.dataCorrupted(context) {
                throw .invalid(path: path, record: record, reason: context.debugDescription)
            } catch let DecodingError.typeMismatch(_, context) {
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                throw .invalid(path: path, record: record, reason: "field '\(field)' has the wrong type")
            } catch {
                throw .invalid(path: path, record: record, reason: "\(error)")
            }
        }
        return result
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
