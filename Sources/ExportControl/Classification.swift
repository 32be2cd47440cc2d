public import Catalogue

/// The outcome of classifying a chip under ECCN 3A090.
public struct Classification: Sendable, Equatable, Codable {
    public var chipID: String
    public var chipName: String
    /// Total Processing Performance, dense, maximum over precisions.
    public var tpp: Double
    /// The precision that gives the maximum TPP.
    public var tppPrecision: Precision
    /// Applicable die area, when known.
    public var dieAreaMM2: Double?
    /// TPP ÷ applicable die area, when the area is known.
    public var performanceDensity: Double?
    /// `3A090.a`, `3A090.b`, or `not 3A090`.
    public var eccnClass: String
    /// The clause that decided (`3A090.a.1` …), or `nil` when none matched.
    public var decidingClause: String?
    public var hbm: HBMCheck?
    /// Figures the result rests on that are estimates, not sourced.
    public var estimatedInputs: [String]
    /// The estimated figures that decide `eccnClass` (TPP inputs, and the die area when the deciding clause
    /// uses performance density); HBM figures only bear on 3A090.c.
    public var decisiveEstimatedInputs: [String]
    /// Plain-language reason: which threshold decides, and by how much.
    public var explanation: String
    public var licenceNote: String
    public var ruleSource: String

    /// `true` when any input to the classification was an estimate.
    public var restsOnEstimates: Bool { !estimatedInputs.isEmpty }

    public struct HBMCheck: Sendable, Equatable, Codable {
        /// Memory bandwidth density of one stack in GB/s per mm², when computable.
        public var bandwidthDensityGBpsPerMM2: Double?
        public var threshold: Double
        public var exceeds: Bool?
        public var explanation: String
    }
}
