public import Catalogue
import Foundation

/// How strong a piece of evidence is, strongest first (`docs/assessment.md`): measured here or by a campaign,
/// submitted by a vendor and accepted by a reviewer, published (a sourced measured result), modelled with a
/// calibration from the chip's own measurements, modelled from specs, spec figures.
public enum EvidenceTier: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case measured
    case submitted
    case published
    case modelledCalibrated = "modelled-calibrated"
    case modelled
    case spec

    /// 0 for the strongest.
    public var rank: Int { Self.allCases.firstIndex(of: self) ?? Self.allCases.count }

    /// `a < b` when `a` is the stronger tier.
    public static func < (a: EvidenceTier, b: EvidenceTier) -> Bool { a.rank < b.rank }

    /// For people: "measured", "submitted", "published", "modelled, calibrated", "modelled from specs", "spec".
    public var label: String {
        switch self {
        case .measured: "measured"
        case .submitted: "submitted"
        case .published: "published"
        case .modelledCalibrated: "modelled, calibrated"
        case .modelled: "modelled from specs"
        case .spec: "spec"
        }
    }
}

/// What a serving figure was obtained with, for telling when two sides' setups differ.
public struct ServingSetup: Sendable, Hashable, Codable {
    /// The serving engine (`sglang`, `trt-llm`, `vllm`, …) or `model` for modelled figures.
    public var engine: String
    /// Weight precision, when known.
    public var precision: Precision?
    /// Speculative decoding or MTP, when used (`mtp`, `eagle3`).
    public var speculative: String?

    public init(engine: String, precision: Precision?, speculative: String? = nil) {
        self.engine = engine
        self.precision = precision
        self.speculative = speculative
    }
}

/// The value one chip achieves on one workload, with where it came from and how uncertain it is.
public struct Evidence: Sendable, Hashable, Codable {
    /// In the workload's unit; 0 when the chip cannot run the workload (see `note`).
    public var value: Double
    public var provenance: Provenance
    /// Catalogue fields behind the value, as `chip/field` (the report links each to its source).
    public var inputs: [String]
    /// The inputs among `inputs` that are estimates, not published figures.
    public var estimatedInputs: [String]
    /// Figures the catalogue lacks and the model assumed (e.g. a scale-up bandwidth), described.
    public var assumedInputs: [String]
    /// Log-normal spread used for figures without repetitions (see `Uncertainty`); 0 for measurements.
    public var sigma: Double
    /// Measured repetitions, resampled by the bootstrap.
    public var samples: [Double]?
    public var note: String?
    /// The evidence tier: what kind of evidence this is.
    public var tier: EvidenceTier
    /// What the figure cites: a result or submission ID, a published row's ID and URL, a catalogue field.
    public var source: String?
    /// For serving figures, the setup behind them.
    public var setup: ServingSetup?

    public init(
        value: Double,
        provenance: Provenance,
        inputs: [String] = [],
        estimatedInputs: [String] = [],
        assumedInputs: [String] = [],
        sigma: Double,
        samples: [Double]? = nil,
        note: String? = nil,
        tier: EvidenceTier? = nil,
        source: String? = nil,
        setup: ServingSetup? = nil
    ) {
        self.value = value
        self.provenance = provenance
        self.inputs = inputs
        self.estimatedInputs = estimatedInputs
        self.assumedInputs = assumedInputs
        self.sigma = sigma
        self.samples = samples
        self.note = note
        self.tier = tier ?? Self.defaultTier(provenance)
        self.source = source
        self.setup = setup
    }

    /// Measured → measured, modelled → modelled from specs, spec and estimate → spec.
    static func defaultTier(_ provenance: Provenance) -> EvidenceTier {
        switch provenance {
        case .measured: .measured
        case .modelled: .modelled
        case .spec, .estimate: .spec
        }
    }

    enum CodingKeys: String, CodingKey {
        case value, provenance, inputs, estimatedInputs, assumedInputs, sigma, samples, note, tier, source, setup
    }

    /// Reads assessments written before tiers existed, deriving the tier from the provenance.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        value = try container.decode(Double.self, forKey: .value)
        provenance = try container.decode(Provenance.self, forKey: .provenance)
        inputs = try container.decodeIfPresent([String].self, forKey: .inputs) ?? []
        estimatedInputs = try container.decodeIfPresent([String].self, forKey: .estimatedInputs) ?? []
        assumedInputs = try container.decodeIfPresent([String].self, forKey: .assumedInputs) ?? []
        sigma = try container.decode(Double.self, forKey: .sigma)
        samples = try container.decodeIfPresent([Double].self, forKey: .samples)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        tier = try container.decodeIfPresent(EvidenceTier.self, forKey: .tier) ?? Self.defaultTier(provenance)
        source = try container.decodeIfPresent(String.self, forKey: .source)
        setup = try container.decodeIfPresent(ServingSetup.self, forKey: .setup)
    }

    /// High for measurements and published figures, medium for modelled figures on published inputs,
    /// low whenever an estimate is involved.
    public var confidence: Confidence {
        if !estimatedInputs.isEmpty || !assumedInputs.isEmpty || provenance.isEstimate { return .low }
        if case .modelled = provenance { return .medium }
        if tier == .published, sigma > 0.15 { return .medium }
        return .high
    }

    /// One bootstrap draw: a resampled median for measurements, a log-normal perturbation otherwise.
    func draw(using generator: inout SeededGenerator) -> Double {
        if let samples, !samples.isEmpty {
            let resample = (0..<samples.count).map { _ in samples[generator.index(below: samples.count)] }
            return Interval.quantile(resample.sorted(), 0.5)
        }
        guard sigma > 0 else { return value }
        return value * exp(sigma * generator.normal())
    }
}

extension Evidence {
    /// The most repetitions of one result the bootstrap resamples.
    public static let sampleLimit = 1_000

    /// The repetitions of a result that the bootstrap resamples: all of them up to `limit`; beyond it, `limit` of
    /// them evenly strided through the run — repetition ⌊i·n/limit⌋ for i = 0 … limit−1 of n — so that a long run's
    /// drift (warm-up, throttling) keeps its weight, the draw is deterministic, and a report embeds at most `limit`
    /// numbers per figure.
    public static func bounded(_ samples: [Double], limit: Int = sampleLimit) -> [Double] {
        guard limit > 0, samples.count > limit else { return samples }
        return (0..<limit).map { samples[$0 * samples.count / limit] }
    }
}

/// The spread assumed for figures that carry no repetitions, as log-normal σ (0.05 ≈ ±10 % at 95 %).
public struct Uncertainty: Sendable, Hashable, Codable {
    /// A published figure: vendors' peaks are exact as claims; the spread covers clock and SKU variation.
    public var spec: Double
    /// A figure the catalogue marks as an estimate.
    public var estimate: Double
    /// A modelled serving figure: the model's median absolute error against published results
    /// (`parity validate`, docs/perfmodel.md).
    public var modelled: Double
    /// A single published measured figure: run-to-run and reporting spread of one published number (no
    /// repetitions are published); matching penalties add to it (`ServingMatcher`).
    public var published: Double
    /// The model's measured spread per architecture regime (`dense`, `moe`): the root mean square of
    /// log(predicted / measured) over that regime's leave-one-out validation rows
    /// (`ValidationReport.spread(dimension: "architecture", value:)`). A regime without one uses `modelled`.
    public var modelledByArchitecture: [String: Double]

    public init(
        spec: Double = 0.05,
        estimate: Double = 0.25,
        modelled: Double = 0.20,
        published: Double = 0.10,
        modelledByArchitecture: [String: Double] = [:]
    ) {
        self.spec = spec
        self.estimate = estimate
        self.modelled = modelled
        self.published = published
        self.modelledByArchitecture = modelledByArchitecture
    }

    enum CodingKeys: String, CodingKey {
        case spec, estimate, modelled, published, modelledByArchitecture
    }

    /// Documents written before `published` and `modelledByArchitecture` existed decode with their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(Double.self, forKey: .spec)
        estimate = try container.decode(Double.self, forKey: .estimate)
        modelled = try container.decode(Double.self, forKey: .modelled)
        published = try container.decodeIfPresent(Double.self, forKey: .published) ?? 0.10
        modelledByArchitecture =
            try container.decodeIfPresent([String: Double].self, forKey: .modelledByArchitecture) ?? [:]
    }

    /// The modelled spread for a model's architecture regime.
    public func modelled(for model: ModelArch) -> Double {
        modelledByArchitecture[model.moe == nil ? "dense" : "moe"] ?? modelled
    }
}
