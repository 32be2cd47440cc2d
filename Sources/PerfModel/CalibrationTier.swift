/// How far a prediction's efficiency factors rest on measurements: the calibration tier every prediction carries.
public struct CalibrationTier: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Catalogue peaks times documented default efficiencies (and an engine profile, when one applies).
        case specOnly = "spec-only"
        /// Matrix and memory efficiency set from micro-benchmarks of the chip.
        case microBenchmarks = "calibrated-micro-benchmarks"
        /// Efficiency scaled so that the model matches serving results of the chip.
        case servingResults = "calibrated-serving-results"
    }

    public var kind: Kind
    /// The stored results the calibration came from (empty for spec-only).
    public var resultIDs: [String]

    public init(kind: Kind, resultIDs: [String] = []) {
        self.kind = kind
        self.resultIDs = resultIDs
    }

    public static let specOnly = CalibrationTier(kind: .specOnly)

    /// `spec-only`, or `calibrated-serving-results (r1, r2)`.
    public var description: String {
        resultIDs.isEmpty ? kind.rawValue : "\(kind.rawValue) (\(resultIDs.joined(separator: ", ")))"
    }
}
