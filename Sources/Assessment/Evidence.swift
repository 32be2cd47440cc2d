public import Catalogue
import Foundation

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

    public init(
        value: Double,
        provenance: Provenance,
        inputs: [String] = [],
        estimatedInputs: [String] = [],
        assumedInputs: [String] = [],
        sigma: Double,
        samples: [Double]? = nil,
        note: String? = nil
    ) {
        self.value = value
        self.provenance = provenance
        self.inputs = inputs
        self.estimatedInputs = estimatedInputs
        self.assumedInputs = assumedInputs
        self.sigma = sigma
        self.samples = samples
        self.note = note
    }

    /// High for measurements and published figures, medium for modelled figures on published inputs,
    /// low whenever an estimate is involved.
    public var confidence: Confidence {
        if !estimatedInputs.isEmpty || !assumedInputs.isEmpty || provenance.isEstimate { return .low }
        if case .modelled = provenance { return .medium }
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

/// The spread assumed for figures that carry no repetitions, as log-normal σ (0.05 ≈ ±10 % at 95 %).
public struct Uncertainty: Sendable, Hashable, Codable {
    /// A published figure: vendors' peaks are exact as claims; the spread covers clock and SKU variation.
    public var spec: Double
    /// A figure the catalogue marks as an estimate.
    public var estimate: Double
    /// A modelled serving figure: the model's median absolute error against published results
    /// (`parity validate`, docs/perfmodel.md).
    public var modelled: Double
    /// The model's measured spread per architecture regime (`dense`, `moe`): the root mean square of
    /// log(predicted / measured) over that regime's leave-one-out validation rows
    /// (`ValidationReport.spread(dimension: "architecture", value:)`). A regime without one uses `modelled`.
    public var modelledByArchitecture: [String: Double]

    public init(
        spec: Double = 0.05,
        estimate: Double = 0.25,
        modelled: Double = 0.20,
        modelledByArchitecture: [String: Double] = [:]
    ) {
        self.spec = spec
        self.estimate = estimate
        self.modelled = modelled
        self.modelledByArchitecture = modelledByArchitecture
    }

    enum CodingKeys: String, CodingKey {
        case spec, estimate, modelled, modelledByArchitecture
    }

    /// Documents written before `modelledByArchitecture` existed decode with it empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(Double.self, forKey: .spec)
        estimate = try container.decode(Double.self, forKey: .estimate)
        modelled = try container.decode(Double.self, forKey: .modelled)
        modelledByArchitecture =
            try container.decodeIfPresent([String: Double].self, forKey: .modelledByArchitecture) ?? [:]
    }

    /// The modelled spread for a model's architecture regime.
    public func modelled(for model: ModelArch) -> Double {
        modelledByArchitecture[model.moe == nil ? "dense" : "moe"] ?? modelled
    }
}
