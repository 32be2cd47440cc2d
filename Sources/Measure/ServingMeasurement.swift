public import Catalogue
public import Foundation

/// One LLM serving run, as `parity bench serve` measures it, a campaign's serve task stores it, a vendor submits
/// it, or an importer converts another tool's result file into it (schema `parity.serving/2`). The scenario says
/// exactly what was served, so that the assessment can match two chips' runs; the metrics are the run's
/// summary, with per-request records optional. Throughputs are for the whole deployment (`chips` chips);
/// `outputTokensPerSecondPerChip` divides.
public struct ServingMeasurement: Sendable, Hashable, Codable, Identifiable {
    public static let currentSchema = "parity.serving/2"

    public var schema: String
    public var id: String
    /// Catalogue chip ID of the accelerators that served.
    public var chip: String
    /// Accelerators in the deployment (all replicas, prefill and decode pools together).
    public var chips: Int
    public var deployment: Deployment
    public var scenario: Scenario
    public var engine: Engine
    /// The machine the server ran on, when known.
    public var host: String?
    /// When the run started.
    public var time: Date
    public var metrics: Metrics
    /// Where the record comes from: `parity bench serve`, `imported from vllm 0.11.0 (bench serve)`, ….
    public var provenance: String
    /// Per-request records, when kept.
    public var requests: [Request]?

    public init(
        id: String,
        chip: String,
        chips: Int,
        deployment: Deployment,
        scenario: Scenario,
        engine: Engine,
        host: String? = nil,
        time: Date,
        metrics: Metrics,
        provenance: String,
        requests: [Request]? = nil
    ) {
        self.schema = Self.currentSchema
        self.id = id
        self.chip = chip
        self.chips = chips
        self.deployment = deployment
        self.scenario = scenario
        self.engine = engine
        self.host = host
        self.time = time
        self.metrics = metrics
        self.provenance = provenance
        self.requests = requests
    }

    /// Output tokens per second per accelerator: the figure serving comparisons are made on.
    public var outputTokensPerSecondPerChip: Double { metrics.outputTokensPerSecond / Double(max(chips, 1)) }

    // MARK: - Parts

    /// How the model was laid out on the chips.
    public struct Deployment: Sendable, Hashable, Codable {
        /// The serving modes of published rows (`ServingMode`): a measured run and a published one name them alike.
        public typealias Mode = ServingMode

        public var tensorParallel: Int
        public var pipelineParallel: Int
        public var expertParallel: Int?
        public var dataParallel: Int?
        public var mode: Mode
        public var prefillChips: Int?
        public var decodeChips: Int?
        /// Speculative decoding or multi-token prediction, when used.
        public var speculative: Speculative?

        public init(
            tensorParallel: Int = 1,
            pipelineParallel: Int = 1,
            expertParallel: Int? = nil,
            dataParallel: Int? = nil,
            mode: Mode = .aggregated,
            prefillChips: Int? = nil,
            decodeChips: Int? = nil,
            speculative: Speculative? = nil
        ) {
            self.tensorParallel = tensorParallel
            self.pipelineParallel = pipelineParallel
            self.expertParallel = expertParallel
            self.dataParallel = dataParallel
            self.mode = mode
            self.prefillChips = prefillChips
            self.decodeChips = decodeChips
            self.speculative = speculative
        }

        enum CodingKeys: String, CodingKey {
            case mode, speculative
            case tensorParallel = "tp"
            case pipelineParallel = "pp"
            case expertParallel = "ep"
            case dataParallel = "dp"
            case prefillChips = "prefill_chips"
            case decodeChips = "decode_chips"
        }
    }

    /// Speculative decoding / multi-token prediction: the method and the mean accepted length per step.
    public struct Speculative: Sendable, Hashable, Codable {
        public var method: String
        public var acceptanceLength: Double?

        public init(method: String, acceptanceLength: Double? = nil) {
            self.method = method
            self.acceptanceLength = acceptanceLength
        }

        enum CodingKeys: String, CodingKey {
            case method
            case acceptanceLength = "acceptance_length"
        }
    }

    /// What was served: model, precisions, request lengths, load and latency limits.
    public struct Scenario: Sendable, Hashable, Codable {
        /// Catalogue model ID (`deepseek-v3`, `llama-3.1-70b`).
        public var model: String
        public var weightPrecision: Precision
        public var kvPrecision: Precision?
        public var input: Lengths
        public var output: Lengths
        public var load: Load
        public var limits: Limits?
        /// The prompt source: `random`, `sharegpt`, a trace file, ….
        public var dataset: String?
        /// A scenario name the run was made for (a workload ID), when given.
        public var name: String?

        public init(
            model: String,
            weightPrecision: Precision,
            kvPrecision: Precision? = nil,
            input: Lengths,
            output: Lengths,
            load: Load,
            limits: Limits? = nil,
            dataset: String? = nil,
            name: String? = nil
        ) {
            self.model = model
            self.weightPrecision = weightPrecision
            self.kvPrecision = kvPrecision
            self.input = input
            self.output = output
            self.load = load
            self.limits = limits
            self.dataset = dataset
            self.name = name
        }

        enum CodingKeys: String, CodingKey {
            case model, input, output, load, limits, dataset, name
            case weightPrecision = "weight_precision"
            case kvPrecision = "kv_precision"
        }
    }

    /// A request length distribution in tokens: its mean, and its range when it varied.
    public struct Lengths: Sendable, Hashable, Codable {
        public var mean: Double
        public var min: Int?
        public var max: Int?

        public init(mean: Double, min: Int? = nil, max: Int? = nil) {
            self.mean = mean
            self.min = min
            self.max = max
        }

        public static func fixed(_ tokens: Int) -> Lengths { Lengths(mean: Double(tokens), min: tokens, max: tokens) }
    }

    /// The offered load: a request rate (Poisson when burstiness is 1), a concurrency cap, or both; neither
    /// means all requests at once.
    public struct Load: Sendable, Hashable, Codable {
        /// Requests per second; `nil` for as fast as possible.
        public var requestRate: Double?
        public var maxConcurrency: Int?
        public var burstiness: Double?

        public init(requestRate: Double? = nil, maxConcurrency: Int? = nil, burstiness: Double? = nil) {
            self.requestRate = requestRate
            self.maxConcurrency = maxConcurrency
            self.burstiness = burstiness
        }

        enum CodingKeys: String, CodingKey {
            case burstiness
            case requestRate = "request_rate"
            case maxConcurrency = "max_concurrency"
        }
    }

    /// Latency limits (service-level objectives) the run was held to or its goodput counted against.
    public struct Limits: Sendable, Hashable, Codable {
        public var ttftMilliseconds: Double?
        public var tpotMilliseconds: Double?
        public var e2elMilliseconds: Double?

        public init(ttftMilliseconds: Double? = nil, tpotMilliseconds: Double? = nil, e2elMilliseconds: Double? = nil) {
            self.ttftMilliseconds = ttftMilliseconds
            self.tpotMilliseconds = tpotMilliseconds
            self.e2elMilliseconds = e2elMilliseconds
        }

        enum CodingKeys: String, CodingKey {
            case ttftMilliseconds = "ttft_ms"
            case tpotMilliseconds = "tpot_ms"
            case e2elMilliseconds = "e2el_ms"
        }
    }

    /// The serving engine and its version (`vllm` 0.11.0, `sglang` 0.5.2, `trt-llm`, `mindie`, `simulator`).
    public struct Engine: Sendable, Hashable, Codable {
        public var name: String
        public var version: String?

        public init(name: String, version: String? = nil) {
            self.name = name
            self.version = version
        }
    }

    /// The run's summary, as vLLM's `bench serve` defines each figure (docs/serving.md).
    public struct Metrics: Sendable, Hashable, Codable {
        public var durationSeconds: Double
        public var completed: Int
        public var failed: Int
        public var requestsPerSecond: Double
        /// Output tokens per second, the whole deployment.
        public var outputTokensPerSecond: Double
        /// Input and output tokens per second, the whole deployment.
        public var totalTokensPerSecond: Double
        /// Requests per second that met every limit, when limits were given.
        public var goodputRequestsPerSecond: Double?
        public var maxConcurrentRequests: Int?
        public var ttft: Latency
        public var tpot: Latency
        public var itl: Latency?
        public var e2el: Latency?

        public init(
            durationSeconds: Double,
            completed: Int,
            failed: Int,
            requestsPerSecond: Double,
            outputTokensPerSecond: Double,
            totalTokensPerSecond: Double,
            goodputRequestsPerSecond: Double? = nil,
            maxConcurrentRequests: Int? = nil,
            ttft: Latency,
            tpot: Latency,
            itl: Latency? = nil,
            e2el: Latency? = nil
        ) {
            self.durationSeconds = durationSeconds
            self.completed = completed
            self.failed = failed
            self.requestsPerSecond = requestsPerSecond
            self.outputTokensPerSecond = outputTokensPerSecond
            self.totalTokensPerSecond = totalTokensPerSecond
            self.goodputRequestsPerSecond = goodputRequestsPerSecond
            self.maxConcurrentRequests = maxConcurrentRequests
            self.ttft = ttft
            self.tpot = tpot
            self.itl = itl
            self.e2el = e2el
        }

        enum CodingKeys: String, CodingKey {
            case completed, failed, ttft, tpot, itl, e2el
            case durationSeconds = "duration_s"
            case requestsPerSecond = "request_throughput"
            case outputTokensPerSecond = "output_throughput"
            case totalTokensPerSecond = "total_token_throughput"
            case goodputRequestsPerSecond = "request_goodput"
            case maxConcurrentRequests = "max_concurrent_requests"
        }
    }

    /// A latency distribution's summary, in milliseconds.
    public struct Latency: Sendable, Hashable, Codable {
        public var meanMilliseconds: Double
        public var medianMilliseconds: Double?
        public var p90Milliseconds: Double?
        public var p99Milliseconds: Double?

        public init(
            meanMilliseconds: Double,
            medianMilliseconds: Double? = nil,
            p90Milliseconds: Double? = nil,
            p99Milliseconds: Double? = nil
        ) {
            self.meanMilliseconds = meanMilliseconds
            self.medianMilliseconds = medianMilliseconds
            self.p90Milliseconds = p90Milliseconds
            self.p99Milliseconds = p99Milliseconds
        }

        enum CodingKeys: String, CodingKey {
            case meanMilliseconds = "mean_ms"
            case medianMilliseconds = "median_ms"
            case p90Milliseconds = "p90_ms"
            case p99Milliseconds = "p99_ms"
        }
    }

    /// One request of the run.
    public struct Request: Sendable, Hashable, Codable {
        public var start: Double
        public var ttftSeconds: Double?
        public var latencySeconds: Double?
        public var inputTokens: Int
        public var outputTokens: Int
        public var error: String?

        public init(
            start: Double,
            ttftSeconds: Double?,
            latencySeconds: Double?,
            inputTokens: Int,
            outputTokens: Int,
            error: String? = nil
        ) {
            self.start = start
            self.ttftSeconds = ttftSeconds
            self.latencySeconds = latencySeconds
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.error = error
        }

        enum CodingKeys: String, CodingKey {
            case start, error
            case ttftSeconds = "ttft_s"
            case latencySeconds = "latency_s"
            case inputTokens = "input_tokens"
            case outputTokens = "output_tokens"
        }
    }

    /// Checks what the type cannot: the schema, positive counts, finite non-negative metrics. Returns the problem.
    public func problem() -> String? {
        guard schema == Self.currentSchema else { return "unsupported schema '\(schema)'" }
        guard !id.isEmpty, !chip.isEmpty else { return "id and chip are required" }
        guard chips >= 1, deployment.tensorParallel >= 1, deployment.pipelineParallel >= 1 else {
            return "chips, tp and pp must be at least 1"
        }
        let figures = [
            metrics.durationSeconds, metrics.requestsPerSecond, metrics.outputTokensPerSecond,
            metrics.totalTokensPerSecond, metrics.ttft.meanMilliseconds, metrics.tpot.meanMilliseconds,
        ]
        guard figures.allSatisfy({ $0.isFinite && $0 >= 0 }), metrics.completed >= 0, metrics.failed >= 0 else {
            return "metrics must be finite and not negative"
        }
        guard metrics.completed > 0, metrics.outputTokensPerSecond > 0 else { return "no request completed" }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case schema, id, chip, chips, deployment, scenario, engine, host, time, metrics, provenance, requests
    }
}
