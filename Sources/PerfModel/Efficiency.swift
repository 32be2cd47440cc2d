public import Catalogue

/// Achievable fractions of a chip's peaks, and fixed overheads. Defaults are documented in `docs/perfmodel.md`.
public struct Efficiency: Sendable, Hashable, Codable {
    /// Fraction of dense peak matrix throughput reached by large GEMMs (default 0.65: cuBLASLt/vLLM reach
    /// 60–75 % of dense peak on Hopper for large shapes).
    public var matrix: Double
    /// Fraction of peak memory bandwidth reached by weight and KV streaming (default 0.80; STREAM-style copies
    /// reach 85–92 % on HBM3).
    public var memory: Double
    /// Fraction of link bandwidth reached by collectives (default 0.70; nccl-tests bus bandwidth on NVLink).
    public var interconnect: Double
    /// Latency of one collective, seconds (default 10 µs).
    public var collectiveLatencySeconds: Double
    /// Framework overhead per decode step (scheduling, sampling, launches), seconds (default 2 ms).
    public var stepOverheadSeconds: Double
    /// Busiest expert-parallel rank's load ÷ mean load (1 = perfectly balanced).
    public var moeImbalance: Double
    /// Where the factors come from.
    public var provenance: Provenance
    /// Set by a calibration; absent (spec-only) for defaults and engine profiles.
    var calibrationTier: CalibrationTier?
    /// The engine profile applied, if any (`engines.yaml`).
    public var engineProfile: String?

    /// The calibration tier of predictions made with these factors.
    public var tier: CalibrationTier { calibrationTier ?? .specOnly }

    public init(
        matrix: Double,
        memory: Double,
        interconnect: Double,
        collectiveLatencySeconds: Double,
        stepOverheadSeconds: Double,
        moeImbalance: Double = 1.3,
        provenance: Provenance
    ) {
        self.matrix = matrix
        self.memory = memory
        self.interconnect = interconnect
        self.collectiveLatencySeconds = collectiveLatencySeconds
        self.stepOverheadSeconds = stepOverheadSeconds
        self.moeImbalance = moeImbalance
        self.provenance = provenance
    }

    /// The documented defaults for a chip and precision (`Resources/efficiency.yaml`).
    public static func defaults(for chip: Chip, precision: Precision) -> Efficiency {
        EfficiencyTable.builtIn?.efficiency(for: chip, precision: precision) ?? defaults
    }

    /// The generic defaults, used when no per-vendor entry applies.
    public static let defaults = Efficiency(
        matrix: 0.65,
        memory: 0.80,
        interconnect: 0.70,
        collectiveLatencySeconds: 10e-6,
        stepOverheadSeconds: 2e-3,
        moeImbalance: 1.3,
        provenance: .estimate(reason: "Parity default efficiency factors (docs/perfmodel.md)")
    )
}

/// Efficiency factors set from measurements, with the result IDs they came from.
public struct Calibration: Sendable, Hashable, Codable {
    public var efficiency: Efficiency
    /// Stored measurement IDs the factors were derived from.
    public var resultIDs: [String]

    /// Sets matrix and memory efficiency from micro-benchmark results: measured GEMM throughput and memory
    /// bandwidth divided by the chip's dense peak and spec bandwidth.
    public static func fromMicroBenchmarks(
        chip: Chip,
        precision: Precision,
        measuredFLOPS: Double?,
        measuredBandwidthBytesPerSecond: Double?,
        resultIDs: [String],
        base: Efficiency = .defaults
    ) throws(PerfModelError) -> Calibration {
        var efficiency = base
        if let measuredFLOPS {
            guard let peak = chip.densePeak[precision]?.value else {
                throw PerfModelError.unsupportedPrecision(chip: chip.id, precision: precision)
            }
            efficiency.matrix = min(1, measuredFLOPS / peak)
        }
        if let measuredBandwidthBytesPerSecond {
            efficiency.memory = min(1, measuredBandwidthBytesPerSecond / chip.memory.bandwidthBytesPerSecond.value)
        }
        efficiency.provenance = .measured(resultID: resultIDs.joined(separator: ","))
        efficiency.calibrationTier = CalibrationTier(kind: .microBenchmarks, resultIDs: resultIDs)
        return Calibration(efficiency: efficiency, resultIDs: resultIDs)
    }

    /// Scales matrix and memory efficiency so that a predicted serving figure matches a measured one
    /// (end-to-end calibration from a serving benchmark): `measured` and `predicted` are throughputs.
    public static func fromServing(
        measuredThroughput: Double,
        predictedThroughput: Double,
        resultIDs: [String],
        base: Efficiency = .defaults
    ) -> Calibration {
        var efficiency = base
        let scale = measuredThroughput / predictedThroughput
        efficiency.matrix = min(1, base.matrix * scale)
        efficiency.memory = min(1, base.memory * scale)
        efficiency.provenance = .measured(resultID: resultIDs.joined(separator: ","))
        efficiency.calibrationTier = CalibrationTier(kind: .servingResults, resultIDs: resultIDs)
        return Calibration(efficiency: efficiency, resultIDs: resultIDs)
    }
}
