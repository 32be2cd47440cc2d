import Catalogue

/// The term that sets a step's time. Capacity (how many sequences fit) is reported apart, in
/// `Prediction.limitedByCapacity`: a capacity-limited operating point still has a binding term.
public enum Bound: String, Sendable, Hashable, Codable {
    /// Matrix arithmetic.
    case compute
    /// Reading the weights from memory.
    case weights
    /// Reading the KV cache from memory.
    case kvReads = "kv-reads"
    /// Collectives (all-reduce, expert all-to-all).
    case interconnect = "communication"
    /// Fixed framework overhead per step.
    case overhead
}

/// Speculative decoding (multi-token prediction or a draft head): `draftTokens` proposed per step, of which
/// `acceptanceLength` tokens (including the verified one) are emitted on average.
public struct Speculation: Sendable, Hashable, Codable {
    /// Draft tokens proposed per step.
    public var draftTokens: Int {
        get { Int(proposed) }
        set { proposed = Int32(clamping: max(0, newValue)) }
    }
    public var acceptanceLength: Double
    /// The vocabulary the draft's output head scores at each draft step (EAGLE-3 heads: a reduced draft
    /// vocabulary); nil: the target's own head (DeepSeek's MTP modules share the main model's output head).
    public var draftVocabulary: Int? {
        get { vocabulary > 0 ? Int(vocabulary) : nil }
        set { vocabulary = Int32(clamping: max(0, newValue ?? 0)) }
    }
    // Two 32-bit fields where one Int stood keep the type at 16 bytes: one more stored field made the debug
    // build's outlined copy of `SimulatorConfiguration` (which holds a `Speculation?`) crash in
    // `ServeWorkflowTests` (Swift 6.3.1, Linux), as a stored field in `PerformanceModel` did in session 16.
    private var proposed: Int32
    private var vocabulary: Int32

    enum CodingKeys: String, CodingKey {
        case proposed = "draftTokens"
        case acceptanceLength
        case vocabulary = "draftVocabulary"
    }

    public init(draftTokens: Int, acceptanceLength: Double, draftVocabulary: Int? = nil) {
        proposed = Int32(clamping: max(0, draftTokens))
        // At least the verified token is emitted; at most every draft plus it.
        self.acceptanceLength = min(max(1, acceptanceLength), Double(max(0, draftTokens) + 1))
        vocabulary = Int32(clamping: max(0, draftVocabulary ?? 0))
    }
}

/// Predicted serving performance of one deployment at one batch size and request shape.
public struct Prediction: Sendable, Hashable, Codable {
    /// Concurrent sequences per replica.
    public var batch: Int
    public var inputTokens: Int
    public var outputTokens: Int
    /// Time to first token: the request's prefill plus one decode step of waiting for its slot.
    public var ttftSeconds: Double
    /// Time per output token, with the prefills of arriving requests interleaved (continuous batching).
    public var tpotSeconds: Double
    /// One decode step alone, without interleaved prefill.
    public var decodeStepSeconds: Double
    /// One request's prefill alone.
    public var prefillSeconds: Double
    public var outputTokensPerSecondPerChip: Double
    public var outputTokensPerSecondPerUser: Double
    /// Input plus output tokens per second per chip.
    public var totalTokensPerSecondPerChip: Double
    public var weightBytesPerChip: Double
    public var kvBytesPerSequencePerChip: Double
    /// Most concurrent sequences per replica that fit in memory at this request shape.
    public var maxBatch: Int
    /// The term that sets the decode step (with the fixed overhead when it is larger than all of them).
    public var decodeBound: Bound
    public var prefillBound: Bound
    /// `true` when the batch is at the KV-cache capacity: more sequences would not fit.
    public var limitedByCapacity: Bool
    /// Where the efficiency factors behind the figure come from.
    public var calibration: CalibrationTier
    /// Under Poisson arrivals (`predict(poissonArrivals:)`), the 99th percentiles over requests of TTFT and TPOT
    /// (`PoissonServerQueue`), the figures MLPerf's server limits bound; `nil` for a closed loop or a fixed batch.
    public var ttftP99Seconds: Double?
    public var tpotP99Seconds: Double?
}

/// A point of the throughput–interactivity curve.
public struct CurvePoint: Sendable, Hashable, Codable {
    public var batch: Int
    public var outputTokensPerSecondPerUser: Double
    public var outputTokensPerSecondPerChip: Double
    public var ttftSeconds: Double
    public var tpotSeconds: Double
    public var meetsLimits: Bool
}

/// Service-level limits a deployment must meet.
public struct ServiceLimits: Sendable, Hashable, Codable {
    public var ttftSeconds: Double?
    public var tpotSeconds: Double?

    public init(ttftSeconds: Double? = nil, tpotSeconds: Double? = nil) {
        self.ttftSeconds = ttftSeconds
        self.tpotSeconds = tpotSeconds
    }

    public func admits(ttftSeconds ttft: Double, tpotSeconds tpot: Double) -> Bool {
        (ttftSeconds.map { ttft <= $0 } ?? true) && (tpotSeconds.map { tpot <= $0 } ?? true)
    }
}

/// The best operating point under limits, and the whole curve.
public struct LimitedThroughput: Sendable, Hashable, Codable {
    /// The best prediction meeting the limits, or `nil` when even batch 1 misses them.
    public var best: Prediction?
    public var limits: ServiceLimits
    public var curve: [CurvePoint]
    /// Why no batch meets the limits, when `best` is nil.
    public var reason: String?
}

extension ServiceLimits {
    /// The limits for people: `TTFT ≤ 2000 ms, TPOT ≤ 50 ms`, or `no latency limits`.
    public var summary: String {
        var parts: [String] = []
        if let ttftSeconds { parts.append("TTFT ≤ \(Quantity.trimmed(ttftSeconds * 1000, digits: 1)) ms") }
        if let tpotSeconds { parts.append("TPOT ≤ \(Quantity.trimmed(tpotSeconds * 1000, digits: 1)) ms") }
        return parts.isEmpty ? "no latency limits" : parts.joined(separator: ", ")
    }
}
