import Catalogue
public import Foundation

/// One candidate against one reference: per-workload ratios and the composite.
public struct Comparison: Sendable, Hashable, Codable {
    public struct Ratio: Sendable, Hashable, Codable {
        public var workload: String
        public var candidateValue: Double?
        public var referenceValue: Double?
        /// Candidate ÷ reference, clamped to [`Assessor.ratioFloor`, `Assessor.ratioCeiling`]; nil when undefined.
        public var ratio: Double?
        public var interval: Interval?
        public var verdict: Verdict?
        public var confidence: Confidence
        /// Provenance kinds of the candidate's and the reference's figure (`spec`, `estimate`, `modelled`, `measured`).
        public var basis: [String]
        public var note: String?
        /// Evidence tiers of the candidate's and the reference's figure.
        public var tiers: [EvidenceTier]?
        /// What each figure cites (result IDs, published rows, catalogue fields), candidate first.
        public var sources: [String]?

        /// The weaker of the two sides' tiers: what the comparison rests on.
        public var tier: EvidenceTier? { tiers?.max() }

        public init(
            workload: String,
            candidateValue: Double?,
            referenceValue: Double?,
            ratio: Double? = nil,
            interval: Interval? = nil,
            verdict: Verdict? = nil,
            confidence: Confidence = .low,
            basis: [String],
            note: String? = nil,
            tiers: [EvidenceTier]? = nil,
            sources: [String]? = nil
        ) {
            self.workload = workload
            self.candidateValue = candidateValue
            self.referenceValue = referenceValue
            self.ratio = ratio
            self.interval = interval
            self.verdict = verdict
            self.confidence = confidence
            self.basis = basis
            self.note = note
            self.tiers = tiers
            self.sources = sources
        }
    }

    public var candidate: String
    public var reference: String
    public var ratios: [Ratio]
    /// Geometric mean of the usable ratios.
    public var composite: Double?
    public var interval: Interval?
    /// Share of the usable ratios that rest on an estimate.
    public var estimatedShare: Double
    public var verdict: Verdict
    public var confidence: Confidence

    /// Workloads per evidence tier (the weaker side's), for the summary.
    public var tierCounts: [EvidenceTier: Int] {
        Dictionary(grouping: ratios.compactMap(\.tier), by: { $0 }).mapValues(\.count)
    }

    /// "2 published, 3 modelled from specs, 5 spec", strongest first.
    public var tierSummary: String {
        let counts = tierCounts
        return EvidenceTier.allCases.compactMap { tier in counts[tier].map { "\($0) \(tier.label)" } }
            .joined(separator: ", ")
    }

    public init(
        candidate: String,
        reference: String,
        ratios: [Ratio],
        composite: Double? = nil,
        interval: Interval? = nil,
        estimatedShare: Double,
        verdict: Verdict,
        confidence: Confidence
    ) {
        self.candidate = candidate
        self.reference = reference
        self.ratios = ratios
        self.composite = composite
        self.interval = interval
        self.estimatedShare = estimatedShare
        self.verdict = verdict
        self.confidence = confidence
    }
}

/// The result of `parity assess`: everything a report shows, and the payload a signed bundle carries.
public struct Assessment: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.assessment/1"

    public enum Role: String, Sendable, Hashable, Codable {
        case candidate, reference
    }

    public struct ChipEntry: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var vendor: String
        public var market: String
        public var role: Role
        /// Every catalogue figure of the chip, for the sources table.
        public var figures: [FigureEntry]
        /// Dense peak per precision (OP/s) and memory bandwidth, for the roofline.
        public var densePeaks: [String: Double]
        public var memoryBandwidth: Double

        init(chip: Chip, role: Role) {
            id = chip.id
            name = chip.name
            vendor = chip.vendor
            market = chip.market.rawValue
            self.role = role
            figures = chip.figures.map {
                FigureEntry(
                    field: $0.field,
                    value: $0.value,
                    kind: $0.provenance.kind,
                    source: $0.provenance.detail,
                    note: $0.note
                )
            }
            densePeaks = Dictionary(uniqueKeysWithValues: chip.densePeak.map { ($0.key.rawValue, $0.value.value) })
            memoryBandwidth = chip.memory.bandwidthBytesPerSecond.value
        }
    }

    public struct FigureEntry: Sendable, Hashable, Codable {
        public var field: String
        public var value: String
        public var kind: String
        /// URL for published figures, the reason for estimates.
        public var source: String
        public var note: String?
    }

    public struct EvidenceEntry: Sendable, Hashable, Codable {
        public var chip: String
        public var workload: String
        public var evidence: Evidence
    }

    public var schema: String = Self.currentSchema
    public var generatedAt: Date
    public var perfModel: String
    public var tolerance: Double
    public var level: Double
    public var resamples: Int
    public var seed: UInt64
    public var uncertainty: Uncertainty
    public var suite: [Workload]
    public var chips: [ChipEntry]
    public var evidence: [EvidenceEntry]
    public var comparisons: [Comparison]
    public var curves: [ServingCurve]
    /// IDs of the measurements that were offered to the assessment.
    public var measurements: [String]
    /// The stored groups the measurements were drawn from, with their row counts (an assessment over a store);
    /// `nil` when the measurements came from files only.
    public var measurementGroups: [MeasurementGroup]? = nil
    /// Which references a buyer in the assessment's place could obtain on its date, and under what conditions.
    public var referenceAccess: [ReferenceAccess]?

    public func chip(_ id: String) -> ChipEntry? { chips.first { $0.id == id } }
    public func workload(_ id: String) -> Workload? { suite.first { $0.id == id } }
    public func evidence(chip: String, workload: String) -> Evidence? {
        evidence.first { $0.chip == chip && $0.workload == workload }?.evidence
    }
}
