import Foundation
public import Measure

/// The payload of a signed results bundle: measurements and serving results a vendor submits. `parity.results/2`
/// carries `results` (micro-benchmark measurements) and `serving` (`parity.serving/2` records); `parity.results/1`
/// (measurements only) stays readable.
public struct ResultsPayload: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.results/2"
    /// The first version: `results` only.
    public static let measurementsOnlySchema = "parity.results/1"
    /// The payload types a results bundle may have.
    public static let readableSchemas: Set<String> = [measurementsOnlySchema, currentSchema]

    public var schema: String
    public var results: [BenchmarkResult]
    public var serving: [ServingMeasurement]

    public init(results: [BenchmarkResult], serving: [ServingMeasurement] = []) {
        self.schema = Self.currentSchema
        self.results = results
        self.serving = serving
    }

    /// Reads the payload bytes of a bundle of type `payloadType`: the schema first (it must equal the type), then
    /// each measurement through `ResultFile`'s checks and each serving result through `ServingMeasurement.problem()`,
    /// so that a submitted result is held to the same rules as an imported one. At least one record.
    static func contents(
        from payload: Data,
        payloadType: String = currentSchema
    ) throws(SigningError) -> (results: [BenchmarkResult], serving: [ServingMeasurement]) {
        struct Body: Decodable {
            var schema: String?
            var results: [ResultFile.Record]?
        }
        struct Serving: Decodable {
            var serving: [ServingMeasurement]?
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let body = try? decoder.decode(Body.self, from: payload) else {
            throw .badPayload("not a JSON object with a 'results' list of measurements")
        }
        guard let schema = body.schema, schema == payloadType, readableSchemas.contains(schema) else {
            throw .badPayload("schema \(body.schema.map { "'\($0)'" } ?? "(none)"); expected \(payloadType)")
        }
        var serving: [ServingMeasurement] = []
        if schema == currentSchema {
            do {
                serving = try decoder.decode(Serving.self, from: payload).serving ?? []
            } catch {
                throw .badPayload("'serving' must be a list of \(ServingMeasurement.currentSchema) records")
            }
            for (index, measurement) in serving.enumerated() {
                if let problem = measurement.problem() {
                    throw .badPayload("serving: record \(index + 1) (\(measurement.id)): \(problem)")
                }
            }
        }
        let records = body.results ?? []
        if records.isEmpty {
            guard schema == currentSchema, !serving.isEmpty else {
                throw .badPayload(
                    schema == currentSchema
                        ? "'results' and 'serving' are both empty: a bundle carries at least one record"
                        : "'results' must be a non-empty list of measurements"
                )
            }
            return ([], serving)
        }
        do {
            return (try ResultFile.check(records, path: "results"), serving)
        } catch {
            throw .badPayload("\(error)")
        }
    }

    /// The measurements of a payload (either version).
    static func results(from payload: Data) throws(SigningError) -> [BenchmarkResult] {
        try contents(from: payload).results
    }
}
