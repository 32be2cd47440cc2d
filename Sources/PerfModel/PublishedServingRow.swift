public import Catalogue
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

/// One published, measured serving result (`Catalogue/Resources/evidence/published-serving.yaml`).
///
/// Fields the source does not state are `nil`; the reader never fills them. The model's validation decides
/// what it assumes for a missing field and says so in the outcome's remark.
public struct PublishedServingRow: Sendable, Hashable, Codable {
    public var id: String
    public var chip: String
    /// Chips the value is divided over (prefill plus decode in a disaggregated row).
    public var chips: Int?
    /// A catalogue model id, or a Hugging Face name for a model the catalogue lacks.
    public var model: String
    public var tp: Int?
    public var pp: Int?
    public var ep: Int?
    public var dp: Int?
    public var weightPrecision: Precision?
    public var kvPrecision: Precision?
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Concurrent sequences per replica, when the source states a batch.
    public var batch: Int?
    /// Client concurrency of a closed-loop benchmark (bench_serving `--max-concurrency`), over the whole deployment.
    public var concurrency: Int?
    public var tpotLimitMilliseconds: Double?
    public var ttftLimitMilliseconds: Double?
    /// `offline`, `server`, `interactive`, `fixed-batch`, `decode` or `prefill`.
    public var scenario: String
    public var mode: ServingMode
    public var prefillChips: Int?
    public var decodeChips: Int?
    public var speculative: SpeculativeSetup?
    public var metric: Metric
    public var value: Double
    /// Engine id (`trt-llm`, `sglang`, `vllm-rocm`, `vllm-ascend`, `other`).
    public var engine: String
    public var engineVersion: String?
    public var framework: String
    public var date: String?
    public var sourceKind: String
    public var source: String
    public var quote: String?
    public var note: String?

    public enum Metric: String, Sendable, Hashable, Codable {
        case outputTokensPerSecondPerChip = "output_tokens_per_s_per_chip"
        /// Input plus output tokens per second per chip; a prefill-only row reports input tokens here.
        case totalTokensPerSecondPerChip = "total_tokens_per_s_per_chip"
        case ttftMilliseconds = "ttft_ms"
        case tpotMilliseconds = "tpot_ms"
        case e2eLatencyMilliseconds = "e2e_latency_ms"

        public var isLatency: Bool {
            self == .ttftMilliseconds || self == .tpotMilliseconds || self == .e2eLatencyMilliseconds
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, chip, chips, model, tp, pp, ep, dp, batch, concurrency, scenario, mode, speculative, metric, value
        case engine, framework, date, source, quote, note
        case weightPrecision = "weight_precision"
        case kvPrecision = "kv_precision"
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
        case tpotLimitMilliseconds = "tpot_limit_ms"
        case ttftLimitMilliseconds = "ttft_limit_ms"
        case prefillChips = "prefill_chips"
        case decodeChips = "decode_chips"
        case engineVersion = "engine_version"
        case sourceKind = "source_kind"
    }
}

/// Reads the published serving evidence through `SafeYAML`, the project's one YAML reader.
public enum PublishedServing {
    /// The file name inside the catalogue's `evidence` resource folder.
    public static let fileName = "published-serving.yaml"

    /// The rows shipped with Parity.
    public static func builtInRows() throws -> [PublishedServingRow] {
        guard let directory = CatalogueFiles.builtInDirectory("evidence") else {
            throw PerfModelError.invalid("the published evidence set is missing from the catalogue's resources")
        }
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path),
            let text = String(data: data, encoding: .utf8)
        else {
            throw PerfModelError.invalid("evidence/\(fileName) cannot be read as UTF-8 text")
        }
        return try rows(from: text, file: "evidence/\(fileName)")
    }

    /// Decodes rows from YAML text with a `rows:` list; the file name is used in error messages.
    public static func rows(from text: String, file: String = fileName) throws -> [PublishedServingRow] {
        struct Document: Decodable { var rows: [PublishedServingRow] }
        let rows = try SafeYAML.decode(Document.self, from: text, file: file).rows
        var seen = Set<String>()
        for row in rows where !seen.insert(row.id).inserted {
            throw PerfModelError.invalid("\(file): row id '\(row.id)' appears twice; ids must be unique")
        }
        return rows
    }
}
