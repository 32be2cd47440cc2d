public import Catalogue
import Foundation
public import PerfModel

/// One item of an assessment suite: a spec figure, or modelled (or measured) LLM serving under limits.
public struct Workload: Sendable, Hashable, Codable, Identifiable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case spec, serving
    }

    /// How a serving workload is deployed: continuous batching of whole requests, a decode instance (prefill
    /// elsewhere; the figure is output tokens per second per chip), or a prefill instance (input tokens per
    /// second per chip).
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        case aggregated
        case decodeOnly = "decode-only"
        case prefillOnly = "prefill-only"
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
    /// Serving only; `nil` means aggregated.
    public var mode: Mode?

    /// The serving mode, aggregated unless said otherwise.
    public var servingMode: Mode { mode ?? .aggregated }

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
        limits: ServiceLimits,
        mode: Mode = .aggregated
    ) -> Workload {
        Workload(
            id: id,
            title: title,
            kind: .serving,
            unit: mode == .prefillOnly ? "input tok/s per chip" : "output tok/s per chip",
            precision: precision,
            model: model,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            limits: limits,
            mode: mode == .aggregated ? nil : mode
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
        ] + comparedWorkloads
    }

    /// The scenarios published comparisons use (the 2025 process and the large DeepSeek deployments on H20,
    /// H800 and Ascend report these): throughput per chip at a TPOT limit, without a TTFT limit because decode
    /// and prefill instances are sized separately.
    public static let comparedWorkloads: [Workload] = [
        .serving(
            id: "deepseek-decode-tpot50",
            title: "DeepSeek-R1/V3 decode instance at TPOT ≤ 50 ms, 8-bit, 4096→1536",
            model: "deepseek-v3",
            precision: .fp8,
            inputTokens: 4096,
            outputTokens: 1536,
            limits: ServiceLimits(tpotSeconds: 0.05),
            mode: .decodeOnly
        ),
        .serving(
            id: "deepseek-prefill",
            title: "DeepSeek-R1/V3 prefill instance, 8-bit, 4096-token prompts",
            model: "deepseek-v3",
            precision: .fp8,
            inputTokens: 4096,
            outputTokens: 1,
            limits: ServiceLimits(),
            mode: .prefillOnly
        ),
        .serving(
            id: "qwen3-32b-tpot50",
            title: "Qwen3 32B (dense) at TPOT ≤ 50 ms, 8-bit, 3500→1500",
            model: "qwen3-32b",
            precision: .fp8,
            inputTokens: 3500,
            outputTokens: 1500,
            limits: ServiceLimits(tpotSeconds: 0.05)
        ),
        .serving(
            id: "qwen3-235b-tpot50",
            title: "Qwen3-235B-A22B (MoE) at TPOT ≤ 50 ms, 8-bit, 3500→1500",
            model: "qwen3-235b-a22b",
            precision: .fp8,
            inputTokens: 3500,
            outputTokens: 1500,
            limits: ServiceLimits(tpotSeconds: 0.05)
        ),
        .serving(
            id: "llama-3.1-70b-interactive",
            title: "Llama 3.1 70B interactive: TTFT ≤ 500 ms, TPOT ≤ 20 ms, 8-bit, 1024→512",
            model: "llama-3.1-70b",
            precision: .fp8,
            inputTokens: 1024,
            outputTokens: 512,
            limits: ServiceLimits(ttftSeconds: 0.5, tpotSeconds: 0.02)
        ),
    ]

    /// Workloads a user defines in YAML (`parity assess --workloads-file`):
    ///
    /// ```yaml
    /// workloads:
    ///   - {id: my-decode, model: deepseek-v3, precision: fp8, input: 4096, output: 1536, tpot_ms: 50,
    ///      mode: decode-only, title: "…"}
    ///   - {id: my-bw, spec: memory-bandwidth}
    /// ```
    public static func load(text: String, file: String) throws -> [Workload] {
        struct Entry: Decodable {
            var id: String
            var title: String?
            var spec: Metric?
            var model: String?
            var precision: Precision?
            var input: Int?
            var output: Int?
            var ttftMs: Double?
            var tpotMs: Double?
            var mode: Mode?

            enum CodingKeys: String, CodingKey {
                case id, title, spec, model, precision, input, output, mode
                case ttftMs = "ttft_ms"
                case tpotMs = "tpot_ms"
            }
        }
        struct Document: Decodable { var workloads: [Entry] }
        let document = try SafeYAML.decode(Document.self, from: text, file: file)
        var seen = Set<String>()
        return try document.workloads.enumerated().map { index, entry in
            let field = "workloads[\(index + 1)]"
            guard seen.insert(entry.id).inserted else {
                throw CatalogueError(file: file, field: "\(field).id", message: "'\(entry.id)' appears twice")
            }
            if let metric = entry.spec {
                let units: [Metric: String] = [
                    .denseThroughput: "FLOP/s", .eightBitThroughput: "OP/s", .memoryBandwidth: "B/s",
                    .memoryCapacity: "B", .scaleUpBandwidth: "B/s",
                ]
                if metric == .denseThroughput, entry.precision == nil {
                    throw CatalogueError(
                        file: file,
                        field: "\(field).precision",
                        message: "is required for dense-throughput"
                    )
                }
                return .spec(
                    id: entry.id,
                    title: entry.title ?? entry.id,
                    metric: metric,
                    unit: units[metric] ?? "",
                    precision: entry.precision
                )
            }
            guard let model = entry.model, let precision = entry.precision, let input = entry.input, input > 0,
                let output = entry.output, output > 0
            else {
                throw CatalogueError(
                    file: file,
                    field: field,
                    message: "a serving workload needs model, precision, input and output (positive token counts)"
                )
            }
            let limits = ServiceLimits(
                ttftSeconds: entry.ttftMs.map { $0 / 1000 },
                tpotSeconds: entry.tpotMs.map { $0 / 1000 }
            )
            return .serving(
                id: entry.id,
                title: entry.title ?? "Serve \(model), \(precision.rawValue), \(input)→\(output), \(limits.summary)",
                model: model,
                precision: precision,
                inputTokens: input,
                outputTokens: output,
                limits: limits,
                mode: entry.mode ?? .aggregated
            )
        }
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
