import Catalogue
public import Measure

/// Everything a serving benchmark (`parity bench serve`, a campaign's serve suite, an SLO search) needs to know:
/// where to send, what to send, how much load, how often, and what to record and write. `ServeBenchmark` runs it.
public struct ServeConfiguration: Sendable {
    /// Where prompts come from.
    public enum Workload: Sendable, Hashable {
        /// Lengths drawn uniformly within ±`rangeRatio` of the given ones, as vLLM's random dataset.
        case random(input: Int, output: Int, rangeRatio: Double)
        case fixed(input: Int, output: Int)
        /// A ShareGPT file: first human turn and first reply of each conversation.
        case shareGPT(path: String, outputTokens: Int?)
        /// A Mooncake JSONL trace replayed on its own clock: each request at its trace time × `timeScale`.
        case trace(path: String, timeScale: Double)
        /// ShareGPT conversations with their history: each turn carries the previous turns (the user's and the
        /// assistant's text as received), `thinkTime` between a reply and the next turn; turns of one
        /// conversation in order, conversations concurrent. `numPrompts` counts conversations.
        case conversations(path: String, outputTokens: Int?, thinkTime: Duration, maxTurns: Int?)
    }

    /// A curve: one run (or `numRuns`) per request rate or per concurrency.
    public enum Sweep: Sendable, Hashable {
        case rate([Double])
        case concurrency([Int])
    }

    /// Where the JSON result goes.
    public enum Output: Sendable, Hashable {
        case none
        case file(String)
        /// vLLM's `--save-result`: `directory`/`filename`, or a name like vLLM's,
        /// `parity-{rate}qps[-concurrency{n}]-{model}-{yyyyMMdd-HHmmss}.json` with `rateLabel` as the user wrote it.
        case vLLMNamed(directory: String?, filename: String?, rateLabel: String)
    }

    public var baseURL: String
    public var endpoint: Endpoint
    /// The model to ask for; nil: the first of the server's `/v1/models`.
    public var model: String?
    public var workload: Workload
    /// Measured requests (conversations with `.conversations`).
    public var numPrompts: Int
    /// The load; with `sweep`, the values the sweep does not set.
    public var load: LoadShape
    public var sweep: Sweep?
    /// Unmeasured requests first; nil: the concurrency up to `defaultWarmupCap` (none for a trace replay).
    public var warmup: Int?
    public var numRuns: Int
    /// Event loops of the client.
    public var threads: Int
    public var seed: UInt64
    public var timeout: Duration
    public var goodput: Goodput?
    public var percentiles: [Double]
    public var promptFormat: PromptFormat
    public var ignoreEOS: Bool
    /// Every request's record in the JSON result.
    public var saveRequests: Bool
    /// Seconds per time slice (`parity.slices`); nil: none.
    public var slice: Double?
    public var chip: String?
    public var scenario: String?
    /// What the typed record (`parity.serving/2`, embedded as `parity.measurement`) needs beyond the result:
    /// chip, chip count, engine, precision, deployment. nil: no typed record.
    public var typedRecord: ServingFile.Context?
    public var output: Output
    /// Told when each measured run starts and ends; what they return goes into the run's `parity` object
    /// (telemetry recorders and the like).
    public var observers: [any ServeRunObserver]

    /// The default warm-up opens connections and settles the server; beyond a few hundred requests it only costs
    /// time (a 10,000-stream run would otherwise first send 10,000 unmeasured requests).
    public static let defaultWarmupCap = 256

    public init(
        baseURL: String,
        endpoint: Endpoint = .completions,
        model: String? = nil,
        workload: Workload = .random(input: 1024, output: 128, rangeRatio: 0),
        numPrompts: Int = 200,
        load: LoadShape = LoadShape(),
        sweep: Sweep? = nil,
        warmup: Int? = nil,
        numRuns: Int = 1,
        threads: Int = 1,
        seed: UInt64 = 0,
        timeout: Duration = .seconds(600),
        goodput: Goodput? = nil,
        percentiles: [Double] = [50, 90, 95, 99, 99.9],
        promptFormat: PromptFormat = .auto,
        ignoreEOS: Bool = true,
        saveRequests: Bool = false,
        slice: Double? = nil,
        chip: String? = nil,
        scenario: String? = nil,
        typedRecord: ServingFile.Context? = nil,
        output: Output = .none,
        observers: [any ServeRunObserver] = []
    ) {
        self.baseURL = baseURL
        self.endpoint = endpoint
        self.model = model
        self.workload = workload
        self.numPrompts = numPrompts
        self.load = load
        self.sweep = sweep
        self.warmup = warmup
        self.numRuns = numRuns
        self.threads = threads
        self.seed = seed
        self.timeout = timeout
        self.goodput = goodput
        self.percentiles = percentiles
        self.promptFormat = promptFormat
        self.ignoreEOS = ignoreEOS
        self.saveRequests = saveRequests
        self.slice = slice
        self.chip = chip
        self.scenario = scenario
        self.typedRecord = typedRecord
        self.output = output
        self.observers = observers
    }

    /// Why the configuration cannot run, or nil.
    public var problem: String? {
        if numPrompts < 1 { return "the number of prompts must be at least 1" }
        if let maxConcurrency = load.maxConcurrency, maxConcurrency < 1 { return "max concurrency must be at least 1" }
        if numRuns < 1 || numRuns > 1000 { return "the number of runs must be between 1 and 1000" }
        if threads < 1 || threads > 256 { return "threads must be between 1 and 256" }
        if !(load.requestRate > 0) { return "the request rate must be positive" }
        if !(load.burstiness > 0) { return "burstiness must be positive" }
        if let slice, !(slice > 0) { return "the slice must be positive" }
        switch workload {
        case .random(let input, let output, let ratio):
            if input < 1 || output < 1 { return "lengths must be at least 1 token" }
            if ratio < 0 || ratio >= 1 { return "the range ratio must be in [0, 1)" }
        case .fixed(let input, let output):
            if input < 1 || output < 1 { return "lengths must be at least 1 token" }
        case .shareGPT(_, let output):
            if let output, output < 1 { return "lengths must be at least 1 token" }
        case .trace(_, let scale):
            if !(scale > 0) { return "the trace time scale must be positive" }
        case .conversations(_, let output, let think, let turns):
            if let output, output < 1 { return "lengths must be at least 1 token" }
            if think < .zero { return "the think time must not be negative" }
            if let turns, turns < 1 { return "the most turns per conversation must be at least 1" }
        }
        return nil
    }

    /// The load of each point: the sweep's values, or the one load.
    public var points: [LoadShape] {
        switch sweep {
        case nil: [load]
        case .rate(let rates):
            rates.map { LoadShape(requestRate: $0, burstiness: load.burstiness, maxConcurrency: load.maxConcurrency) }
        case .concurrency(let values):
            values.map { LoadShape(requestRate: load.requestRate, burstiness: load.burstiness, maxConcurrency: $0) }
        }
    }

    /// Warm-up requests: as asked, else the concurrency up to `defaultWarmupCap` (1 without a concurrency); a
    /// trace replay has none unless asked (its first lines would be spent).
    public var resolvedWarmup: Int {
        if case .trace = workload { return warmup ?? 0 }
        return warmup ?? min(load.maxConcurrency ?? 1, Self.defaultWarmupCap)
    }

    /// How the result names its dataset.
    public var datasetDescription: String {
        switch workload {
        case .random(let input, let output, let ratio):
            "random(input=\(input), output=\(output), range_ratio=\(ratio))"
        case .fixed(let input, let output): "fixed(input=\(input), output=\(output))"
        case .shareGPT(let path, let output): "sharegpt(\(path)\(output.map { ", output=\($0)" } ?? ""))"
        case .trace(let path, let scale): "mooncake(\(path), time_scale=\(scale))"
        case .conversations(let path, let output, let think, let turns):
            "sharegpt-multi-turn(\(path)\(output.map { ", output=\($0)" } ?? ""), think_time=\(think.inSeconds)s"
                + "\(turns.map { ", max_turns=\($0)" } ?? ""))"
        }
    }
}
