public import Catalogue

/// The outcome of classifying a chip under ECCN 3A090.
public struct Classification: Sendable, Hashable, Codable {
    /// Shown in the class column when the figures' ranges reach more than one class.
    public static let undetermined = "undetermined"
    /// Shown in the class column when a density clause could decide but the die area is missing.
    public static let densityNotEvaluated = "density clauses not evaluated"
    public static let notControlled = "not 3A090"

    public var chipID: String
    public var chipName: String
    /// Total Processing Performance, dense, maximum over precisions, at the figures' stated values.
    public var tpp: Double
    /// The precision that gives the maximum TPP.
    public var tppPrecision: Precision
    /// Bit length counted for `tppPrecision` (the rule's data decides, e.g. TF32 19).
    public var tppBitLength: Int
    /// Lowest and highest TPP over the estimates' ranges (and uncertain bit lengths); equal to `tpp` when fixed.
    public var tppLow: Double
    public var tppHigh: Double
    /// Applicable die area (all logic dies on a non-planar process), when known.
    public var dieAreaMM2: Double?
    /// How the applicable die area was made up, e.g. "8 × 115 mm² compute + 1,480 mm² other logic".
    public var dieAreaBasis: String?
    /// TPP ÷ applicable die area, when the area is known.
    public var performanceDensity: Double?
    /// `3A090.a`, `3A090.b`, `not 3A090`, `undetermined` or `density clauses not evaluated`.
    public var eccnClass: String
    /// The clause that decided (`3A090.a.1` …), or `nil` when none matched or the class is not determined.
    public var decidingClause: String?
    /// The class and clause at the figures' stated values (estimates at their central value).
    public var centralClass: String
    public var centralClause: String?
    /// Every class the figures can reach over their ranges (and any density, when the area is missing).
    public var possibleClasses: [String]
    /// The same, by clause (`3A090.a.2`, `3A090.b.1`, `not 3A090`).
    public var possibleClauses: [String]
    /// Where the class changes within the ranges, in the deciding figure's terms
    /// ("3A090.a.2 if dense FP8 ≥ 555 TFLOPS, i.e. PD 5.92 on 750 mm²"); `nil` when nothing is uncertain.
    public var uncertainty: String?
    /// `true` when Note 2 (not designed or marketed for data centres, TPP below 4,800) keeps the chip out.
    public var excludedByDatacenterNote: Bool
    public var hbm: HBMCheck?
    /// Figures the result rests on that are estimates, not sourced.
    public var estimatedInputs: [String]
    /// The estimated figures whose range decides `eccnClass`, i.e. whose range reaches another class (and, for a
    /// v1 estimate without a range, every estimate the class rests on).
    public var decisiveEstimatedInputs: [String]
    /// Plain-language reason: which threshold decides, and by how much.
    public var explanation: String
    public var licenceNote: String
    public var ruleSource: String

    /// `true` when any input to the classification was an estimate.
    public var restsOnEstimates: Bool { !estimatedInputs.isEmpty }

    /// `true` when the class is settled by the figures (one class over every range).
    public var isDetermined: Bool { possibleClasses.count == 1 }

    /// `true` when an estimate's range, not a sourced figure, decides which class applies.
    public var isEstimateDecisive: Bool { !decisiveEstimatedInputs.isEmpty }

    /// Whether the chip is, or may be, of `eccnClass` (`3A090.a`): `true` when certain, `nil` when only possible.
    public func covers(_ eccnClass: String) -> Bool? {
        guard possibleClasses.contains(eccnClass) else { return false }
        return isDetermined ? true : nil
    }

    public struct HBMCheck: Sendable, Hashable, Codable {
        /// Memory bandwidth density of one stack in GB/s per mm², when computable.
        public var bandwidthDensityGBpsPerMM2: Double?
        public var threshold: Double
        public var exceeds: Bool?
        public var explanation: String
    }
}
