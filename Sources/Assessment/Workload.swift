public import Catalogue
public import PerfModel

/// One item of an assessment suite: a spec figure, or modelled (or measured) LLM serving under limits.
public struct Workload: Sendable, Hashable, Codable, Identifiable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case spec, serving
    }

    /// The catalogue figure a spec workload compares.
    public enum Metric: String, Sendable, Hashable, Codable {
        /// Dense matrix throughput at `precision`.
        case denseThroughput = "dense-throughput"
        /// Best dense 8-bit matrix throughput: fp8 or int8.
        case eightBitThroughput = "8bit-throughput"
        case memoryBandwidth = "memory-bandwidth"
        case memoryCapacity = "memory-capacity"
        case scaleUpBandwidth = "scale-up-bandwidth"
    }

    public var id: String
    public var title: String
    public var kind: Kind
    /// Unit of the compared value, for display.
    public var unit: String
    public var metric: Metric?
    public var precision: Precision?
    /// Serving: catalogue model id, prompt and output lengths and the latency limits.
    public var model: String?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var limits: ServiceLimits?

    public static func spec(
        id: String,
        title: String,
        metric: Metric,
        unit: String,
        precision: Precision? = nil
    )
        -> Workload
    {
        Workload(id: id, title: title, kind: .spec, unit: unit, metric: metric, precision: precision)
    }

    public static func serving(
        id: String,
        title: String,
        model: String,
        precision: Precision,
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits
    ) -> Workload {
        Workload(
            id: id,
            title: title,
            kind: .serving,
            unit: "output tok/s per chip",
            precision: precision,
            model: model,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            limits: limits
        )
    }

    /// Serving `model` for an ad-hoc question (a plan line's workload, a fleet), named after the model and shape:
    /// `serve-llama-3.1-70b`, "Serve llama-3.1-70b, bf16, 2048→256".
    public static func serving(
        model: String,
        precision: Precision,
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits
    ) -> Workload {
        .serving(
            id: "serve-\(model)",
            title: "Serve \(model), \(precision.rawValue), \(inputTokens)→\(outputTokens)",
            model: model,
            precision: precision,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            limits: limits
        )
    }

    /// Default latency limits for the serving workloads: TTFT ≤ 2 s, TPOT ≤ 50 ms (20 tokens/s per user).
    public static let defaultLimits = ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.05)

    /// The built-in suite: five spec figures and three serving workloads of different shapes
    /// (a small dense, a large dense and a large MoE model).
    public static func defaultSuite(limits: ServiceLimits = defaultLimits) -> [Workload] {
        [
            .spec(
                id: "bf16-matmul",
                title: "BF16 dense matrix throughput",
                metric: .denseThroughput,
                unit: "FLOP/s",
                precision: .bf16
            ),
            .spec(
                id: "8bit-matmul",
                title: "8-bit dense matrix throughput (FP8 or INT8)",
                metric: .eightBitThroughput,
                unit: "OP/s"
            ),
            .spec(id: "memory-bandwidth", title: "Memory bandwidth", metric: .memoryBandwidth, unit: "B/s"),
            .spec(id: "memory-capacity", title: "Memory capacity", metric: .memoryCapacity, unit: "B"),
            .spec(
                id: "scale-up",
                title: "Scale-up interconnect bandwidth",
                metric: .scaleUpBandwidth,
                unit: "B/s"
            ),
            .serving(
                id: "serve-llama-3.1-8b",
                title: "Serve Llama 3.1 8B (small dense), BF16, 2048→256",
                model: "llama-3.1-8b",
                precision: .bf16,
                inputTokens: 2048,
                outputTokens: 256,
                limits: limits
            ),
            .serving(
                id: "serve-llama-3.1-70b",
                title: "Serve Llama 3.1 70B (large dense), BF16, 2048→256",
                model: "llama-3.1-70b",
                precision: .bf16,
                inputTokens: 2048,
                outputTokens: 256,
                limits: limits
            ),
            .serving(
                id: "serve-deepseek-v3",
                title: "Serve DeepSeek-V3 (large MoE), FP8, 2048→256",
                model: "deepseek-v3",
                precision: .fp8,
                inputTokens: 2048,
                outputTokens: 256,
                limits: limits
            ),
        ]
    }
}

extension Workload {
    /// A value of this workload for people: `148 TFLOPS`, `4 TB/s`, `96 GB`, `1,234 tok/s`.
    public func formatted(_ value: Double) -> String {
        switch unit {
        case "FLOP/s": Quantity.format(value, as: .throughput)
        case "OP/s": Quantity.format(value, as: .throughput, integer: true)
        case "B/s": Quantity.format(value, as: .bandwidth)
        case "B": Quantity.format(value, as: .capacity)
        default: "\(Quantity.trimmed(value, digits: value >= 100 ? 0 : 1)) tok/s"
        }
    }
}
