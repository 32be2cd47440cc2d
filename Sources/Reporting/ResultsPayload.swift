import Foundation
public import Measure

/// The payload of a signed results bundle (`parity.results/1`): measurements a vendor submits.
public struct ResultsPayload: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.results/1"

    public var schema: String
    public var results: [BenchmarkResult]

    public init(results: [BenchmarkResult]) {
        self.schema = Self.currentSchema
        self.results = results
    }

    /// Reads the payload bytes: the schema first, then each measurement through `ResultFile`'s checks, so that a
    /// submitted result is held to the same rules as an imported one.
    static func results(from payload: Data) throws(SigningError) -> [BenchmarkResult] {
        guard let object = try? JSONSerialization.jsonObject(with: payload) as? [String: Any] else {
            throw .badPayload("not a JSON object")
        }
        guard let schema = object["schema"] as? String, schema == currentSchema else {
            throw .badPayload(
                "schema \((object["schema"] as? String).map { "'\($0)'" } ?? "(none)"); expected \(currentSchema)"
            )
        }
        guard let list = object["results"] as? [Any], !list.isEmpty else {
            throw .badPayload("'results' must be a non-empty list of measurements")
        }
        guard JSONSerialization.isValidJSONObject(list), let lines = try? JSONSerialization.data(withJSONObject: list)
        else {
            throw .badPayload("'results' cannot be read")
        }
        do {
            return try ResultFile.decode(lines, path: "results")
        } catch {
            throw .badPayload("\(error)")
        }
    }
}
