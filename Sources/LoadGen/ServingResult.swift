import Foundation

/// A JSON value, for result files whose keys depend on the chosen percentiles (`p99_ttft_ms`, `p99.9_itl_ms`).
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
                try container.encode(Int64(value))
            } else if value.isFinite {
                try container.encode(value)
            } else {
                try container.encodeNil()
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var double: Double? {
        if case .number(let value) = self { return value }
        return nil
    }
}

/// Context recorded with a result: what was measured, where, how.
public struct RunContext: Sendable {
    public var chip: String?
    public var scenario: String?
    public var dataset: String
    public var baseURL: String
    public var endpoint: Endpoint
    public var model: String
    public var shape: LoadShape
    public var numPrompts: Int
    public var warmup: Int
    public var seed: UInt64
    public var percentiles: [Double]
    public var goodput: Goodput?
    public var label: String?

    public init(
        chip: String? = nil,
        scenario: String? = nil,
        dataset: String,
        baseURL: String,
        endpoint: Endpoint,
        model: String,
        shape: LoadShape,
        numPrompts: Int,
        warmup: Int,
        seed: UInt64,
        percentiles: [Double],
        goodput: Goodput?,
        label: String? = nil
    ) {
        self.chip = chip
        self.scenario = scenario
        self.dataset = dataset
        self.baseURL = baseURL
        self.endpoint = endpoint
        self.model = model
        self.shape = shape
        self.numPrompts = numPrompts
        self.warmup = warmup
        self.seed = seed
        self.percentiles = percentiles
        self.goodput = goodput
        self.label = label
    }
}

/// The result file: vLLM `bench serve` keys (so its plotting scripts work) plus Parity's own fields.
public enum ServingResult {
    public static let schema = "parity.serving/1"

    /// `99` → `99`, `99.9` → `99.9`, as vLLM prints percentile keys.
    static func percentileKey(_ p: Double) -> String {
        p == p.rounded() ? String(Int(p)) : String(p)
    }

    public static func build(
        _ outcome: RunOutcome,
        metrics m: ServingMetrics,
        context: RunContext,
        includeRequests: Bool
    ) -> JSONValue {
        var object: [String: JSONValue] = [:]
        func number(_ value: Double) -> JSONValue { .number(value) }
        let ok = outcome.records.filter(\.success)
        object["duration"] = number(m.duration)
        object["completed"] = number(Double(m.completed))
        object["failed"] = number(Double(m.failed))
        object["total_input_tokens"] = number(Double(m.totalInputTokens))
        object["total_output_tokens"] = number(Double(m.totalOutputTokens))
        object["request_throughput"] = number(m.requestThroughput)
        object["request_goodput"] = m.requestGoodput.map(number) ?? .null
        object["output_throughput"] = number(m.outputThroughput)
        object["total_token_throughput"] = number(m.totalTokenThroughput)
        object["max_output_tokens_per_s"] = number(m.maxOutputTokensPerSecond)
        object["max_concurrent_requests"] = number(Double(m.maxConcurrentRequests))
        object["input_lens"] = .array(ok.map { number(Double($0.promptTokens)) })
        object["output_lens"] = .array(ok.map { number(Double($0.outputTokens)) })
        object["ttfts"] = .array(ok.map { number($0.ttft ?? 0) })
        object["itls"] = .array(ok.map { .array($0.itl.map(number)) })
        object["latencies"] = .array(ok.map { number($0.latency ?? 0) })
        object["start_times"] = .array(ok.map { number($0.start) })
        object["queue_times"] = .array(ok.map { number($0.queueTime) })
        object["errors"] = .array(outcome.records.map { .string($0.error ?? "") })
        for (name, summary) in [("ttft", m.ttft), ("tpot", m.tpot), ("itl", m.itl), ("e2el", m.e2el)] {
            object["mean_\(name)_ms"] = number(summary.mean)
            object["median_\(name)_ms"] = number(summary.median)
            object["std_\(name)_ms"] = number(summary.std)
            for p in context.percentiles {
                object["p\(percentileKey(p))_\(name)_ms"] = number(summary.percentiles[p] ?? 0)
            }
        }
        object["request_rate"] = context.shape.requestRate.isFinite ? number(context.shape.requestRate) : .string("inf")
        object["burstiness"] = number(context.shape.burstiness)
        object["max_concurrency"] = context.shape.maxConcurrency.map { number(Double($0)) } ?? .null
        object["model_id"] = .string(context.model)
        object["num_prompts"] = number(Double(context.numPrompts))
        object["date"] = .string(ISO8601DateFormatter().string(from: Date()))
        object["label"] = context.label.map(JSONValue.string) ?? .null
        // Parity's own fields.
        var parity: [String: JSONValue] = [
            "schema": .string(schema),
            "chip": context.chip.map(JSONValue.string) ?? .null,
            "scenario": context.scenario.map(JSONValue.string) ?? .null,
            "client_host": .string(ProcessInfo.processInfo.hostName),
            "base_url": .string(context.baseURL),
            "endpoint": .string(context.endpoint.rawValue),
            "dataset": .string(context.dataset),
            "seed": number(Double(context.seed)),
            "warmup_requests": number(Double(context.warmup)),
            "prompt_format": .string(outcome.promptFormat.rawValue),
            "token_count_source": .string(m.tokenCountSource.rawValue),
            "interrupted": .bool(outcome.interrupted),
            "failures": .object(
                Dictionary(uniqueKeysWithValues: m.failures.map { ($0.key.rawValue, number(Double($0.value))) })
            ),
            "histograms_ms": .object(m.histograms.mapValues { rows in .array(rows.map { .array($0.map(number)) }) }),
            "notes": .array(outcome.notes.map(JSONValue.string)),
            "definitions": .object([
                "ttft": .string("request head written to the first chunk with a non-empty choices list"),
                "queue_time": .string("request issued to its head written (client-side wait, excluded from ttft)"),
                "tpot": .string("(latency - ttft) / (output_tokens - 1), per request"),
                "itl": .string("every gap between token-bearing chunks after the first"),
                "e2el": .string("request head written to the last token-bearing chunk"),
            ]),
        ]
        if let goodput = context.goodput {
            var limits: [String: JSONValue] = [:]
            if let v = goodput.ttftMs { limits["ttft"] = number(v) }
            if let v = goodput.tpotMs { limits["tpot"] = number(v) }
            if let v = goodput.e2elMs { limits["e2el"] = number(v) }
            parity["goodput_ms"] = .object(limits)
        }
        if includeRequests {
            parity["requests"] = .array(
                outcome.records.map { record in
                    .object([
                        "index": number(Double(record.index)),
                        "start": number(record.start),
                        "ttft": record.ttft.map(number) ?? .null,
                        "latency": record.latency.map(number) ?? .null,
                        "prompt_tokens": number(Double(record.promptTokens)),
                        "output_tokens": number(Double(record.outputTokens)),
                        "chunks": number(Double(record.chunks)),
                        "success": .bool(record.success),
                        "failure": record.failure.map { .string($0.rawValue) } ?? .null,
                        "error": record.error.map(JSONValue.string) ?? .null,
                    ])
                }
            )
        }
        object["parity"] = .object(parity)
        return .object(object)
    }
}
