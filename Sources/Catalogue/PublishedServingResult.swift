import Foundation

/// How a published deployment splits prefill and decode.
public enum ServingMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Prefill and decode share the chips (continuous batching interleaves prompts with decode steps).
    case aggregated
    /// Separate prefill and decode pools; the KV cache moves from one to the other.
    case disaggregated
    /// A prefill instance of a disaggregated deployment, measured alone.
    case prefillOnly = "prefill-only"
    /// A decode instance of a disaggregated deployment, measured alone.
    case decodeOnly = "decode-only"
}

/// Speculative decoding as a published row states it.
public struct SpeculativeSetup: Sendable, Hashable, Codable {
    /// `mtp` (DeepSeek multi-token prediction heads) or `eagle3`.
    public var method: String
    /// Draft tokens proposed per step, when stated.
    public var draftTokens: Int?
    /// Mean tokens accepted per verification step (including the verified token), when the source prints one.
    public var acceptanceLength: Double?

    public init(method: String, draftTokens: Int?, acceptanceLength: Double?) {
        self.method = method
        self.draftTokens = draftTokens
        self.acceptanceLength = acceptanceLength
    }

    enum CodingKeys: String, CodingKey {
        case method
        case draftTokens = "draft_tokens"
        case acceptanceLength = "acceptance_length"
    }
}

/// A published, measured LLM serving result: one row of `Resources/evidence/published-serving.yaml` — the
/// evidence the assessment compares chips on where nobody here can run them, and the performance model's
/// validation set (one data set, two uses). Fields a source does not state are `nil`, never guessed.
public struct PublishedServingResult: Sendable, Hashable, Codable, Identifiable {
    public enum Metric: String, Sendable, Hashable, Codable {
        case outputTokensPerSecondPerChip = "output_tokens_per_s_per_chip"
        case totalTokensPerSecondPerChip = "total_tokens_per_s_per_chip"
        case ttftMilliseconds = "ttft_ms"
        case tpotMilliseconds = "tpot_ms"
        case e2eLatencyMilliseconds = "e2e_latency_ms"

        public var isLatency: Bool {
            self == .ttftMilliseconds || self == .tpotMilliseconds || self == .e2eLatencyMilliseconds
        }
    }

    public var id: String
    public var chip: String
    public var chips: Int?
    /// A catalogue model ID, or a Hugging Face name for models the catalogue lacks.
    public var model: String
    public var tp: Int?
    public var pp: Int?
    public var ep: Int?
    public var dp: Int?
    public var weightPrecision: Precision?
    public var kvPrecision: Precision?
    public var inputTokens: Int?
    public var outputTokens: Int?
    public var batch: Int?
    public var concurrency: Int?
    /// The number of requests the benchmark client sends in all (`bench_serving --num-prompts`), when the source
    /// states it: with `concurrency`, how many waves the closed loop runs (a run of one wave is mostly ramp).
    public var prompts: Int?
    /// The client's request rate in requests per second (`--request-rate R`, Poisson arrivals), when the source
    /// states a finite one: arrivals then cap the rate at which requests start.
    public var requestRate: Double?
    public var tpotLimitMilliseconds: Double?
    public var ttftLimitMilliseconds: Double?
    /// `offline`, `server`, `interactive`, `fixed-batch`, `decode` or `prefill`.
    public var scenario: String
    public var mode: ServingMode
    public var prefillChips: Int?
    public var decodeChips: Int?
    /// The layout of one prefill replica of a disaggregated run, in chips, when the source states it: attention
    /// tensor parallelism, attention data parallelism and expert parallelism (replicas: prefill chips ÷ (tp × dp)).
    public var prefillTP: Int?
    public var prefillDP: Int?
    public var prefillEP: Int?
    /// The layout of one decode replica of a disaggregated run, in chips, when the source states it (replicas:
    /// decode chips ÷ (tp × dp)).
    public var decodeTP: Int?
    public var decodeDP: Int?
    public var decodeEP: Int?
    public var speculative: SpeculativeSetup?
    public var metric: Metric
    public var value: Double
    /// `trt-llm`, `vllm`, `vllm-rocm` (`vllm-rocm-0.4`: AMD's 2024 MLPerf fork), `vllm-ascend`, `sglang`, `mindie`, `xdeepserve`, `lmdeploy`, `other`.
    public var engine: String
    public var engineVersion: String?
    /// The engine (graphics) clock the run capped the chips at, in MHz, when its source sets one (AMD's MLPerf v5.1
    /// harness runs `rocm-smi --setperfdeterminism <MHz>` before each benchmark): the matrix peaks scale by its
    /// ratio to the clock the catalogue quotes them at (`Chip.peakEngineClockMHz`; peak = compute units × clock ×
    /// FLOPs per clock).
    public var engineClockMHz: Double?
    /// Whether the run's engine splits a prompt's prefill over iterations (TensorRT-LLM's
    /// `enable_chunked_context`), when its configuration states it: `false` makes each prompt's prefill ride whole in
    /// one iteration (`Deployment.wholePromptPrefill`).
    public var chunkedContext: Bool?
    /// The engine as the source names it.
    public var framework: String
    /// Publication date of the source, `YYYY-MM-DD`.
    public var date: String?
    public var source: String
    /// `vendor`, `paper`, `result-log`, `press` or `aggregator`.
    public var sourceKind: String
    /// The sentence, table row or log line the value comes from.
    public var quote: String?
    /// How the value was derived from the source.
    public var note: String?

    enum CodingKeys: String, CodingKey {
        case id, chip, chips, model, tp, pp, ep, dp, batch, concurrency, prompts, scenario, mode, speculative, metric,
            value
        case engine, framework, date, source, quote, note
        case weightPrecision = "weight_precision"
        case kvPrecision = "kv_precision"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case tpotLimitMilliseconds = "tpot_limit_ms"
        case ttftLimitMilliseconds = "ttft_limit_ms"
        case requestRate = "request_rate"
        case prefillChips = "prefill_chips"
        case decodeChips = "decode_chips"
        case prefillTP = "prefill_tp"
        case prefillDP = "prefill_dp"
        case prefillEP = "prefill_ep"
        case decodeTP = "decode_tp"
        case decodeDP = "decode_dp"
        case decodeEP = "decode_ep"
        case engineVersion = "engine_version"
        case engineClockMHz = "engine_clock_mhz"
        case chunkedContext = "chunked_context"
        case sourceKind = "source_kind"
    }

    /// The shipped data set.
    public static func builtIn() throws -> [PublishedServingResult] {
        guard let url = CatalogueFiles.builtInDirectory("evidence")?.appendingPathComponent("published-serving.yaml")
        else {
            throw CatalogueError(message: "the published evidence is missing from the package resources")
        }
        return try load(text: try CatalogueFiles.read(url, displayName: "evidence/published-serving.yaml"))
    }

    /// Rows of a file in the same format (`rows: [...]`).
    public static func load(
        text: String,
        file: String = "evidence/published-serving.yaml"
    ) throws -> [PublishedServingResult] {
        struct Document: Decodable { var rows: [PublishedServingResult] }
        let rows = try SafeYAML.decode(Document.self, from: text, file: file).rows
        var seen = Set<String>()
        for row in rows {
            guard seen.insert(row.id).inserted else {
                throw CatalogueError(file: file, field: "rows", message: "has the id '\(row.id)' twice")
            }
            guard row.value.isFinite, row.value > 0 else {
                throw CatalogueError(file: file, field: "rows[\(row.id)].value", message: "must be positive")
            }
        }
        return rows
    }
}
