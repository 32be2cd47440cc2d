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
    /// submitted result is held to the same rules as an imported one. One decoding pass, no intermediate objects.
    static func results(from payload: Data) throws(SigningError) -> [BenchmarkResult] {
        struct Body: Decodable {
            var schema: String?
            var results: [ResultFile.Record]?
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let body = try? decoder.decode(Body.self, from: payload) else {
            throw .badPayload("not a JSON object with a 'results' list of measurements")
        }
        guard body.schema == currentSchema else {
            throw .badPayload("schema \(body.schema.map { "'\($0)'" } ?? "(none)"); expected \(currentSchema)")
        }
        guard let records = body.results, !records.isEmpty else {
            throw .badPayload("'results' must be a non-empty list of measurements")
        }
        do {
            return try ResultFile.check(records, path: "results")
        } catch {
            throw .badPayload("\(error)")
        }
    }
}
