import Foundation
import Synchronization

/// What the simulator serves at `/metrics`, in the Prometheus text format under vLLM's names, so that a client's
/// scrape of a vLLM server can be tested end to end: requests running and waiting, KV-cache use (modelled timing:
/// the batch as a fraction of the most the KV cache admits at its context length), preemptions (none: the
/// simulator never preempts), and Parity's own count of requests.
public final class SimulatorMetrics: Sendable {
    private let streams = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    private let engine = Mutex<EngineState?>(nil)
    private let firstTokenLateness = Mutex(LatenessHistogram())
    private let laterTokenLateness = Mutex(LatenessHistogram())

    struct EngineState {
        var running: Int
        var waiting: Int
        var kvCacheUsage: Double
    }

    public init() {}

    /// The Prometheus text format's content type.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A request arrived (every request, streamed or not).
    func requestStarted() { requests.wrappingAdd(1, ordering: .relaxed) }

    /// A response is being written over time (fixed timing), until `streamFinished`.
    func streamStarted() { streams.wrappingAdd(1, ordering: .relaxed) }
    func streamFinished() { streams.wrappingSubtract(1, ordering: .relaxed) }

    /// A timed stream's token `index` was written `seconds` after it was due (fixed timing).
    func tokenWritten(index: Int, lateness seconds: Double) {
        if index == 0 {
            firstTokenLateness.withLock { $0.record(seconds) }
        } else {
            laterTokenLateness.withLock { $0.record(seconds) }
        }
    }

    /// The lateness of first tokens (`first`) or of the others, as recorded so far.
    func lateness(first: Bool) -> LatenessHistogram {
        first ? firstTokenLateness.withLock { $0 } : laterTokenLateness.withLock { $0 }
    }

    /// The batching engine's state after a scheduling pass.
    func engineState(running: Int, waiting: Int, kvCacheUsage: Double) {
        engine.withLock { $0 = EngineState(running: running, waiting: waiting, kvCacheUsage: kvCacheUsage) }
    }

    /// The exposition text; `model` is the served name, as vLLM labels its gauges.
    public func text(model: String) -> String {
        let label = "{model_name=\"" + Self.escape(model) + "\"}"
        let state = engine.withLock { $0 }
        let running = state?.running ?? streams.load(ordering: .relaxed)
        let waiting = state?.waiting ?? 0
        var lines = [
            "# HELP vllm:num_requests_running Number of requests in model execution batches.",
            "# TYPE vllm:num_requests_running gauge",
            "vllm:num_requests_running\(label) \(Double(running))",
            "# HELP vllm:num_requests_waiting Number of requests waiting to be processed.",
            "# TYPE vllm:num_requests_waiting gauge",
            "vllm:num_requests_waiting\(label) \(Double(waiting))",
        ]
        if let state {
            lines += [
                "# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.",
                "# TYPE vllm:kv_cache_usage_perc gauge",
                "vllm:kv_cache_usage_perc\(label) \(state.kvCacheUsage)",
            ]
        }
        lines += [
            "# HELP vllm:num_preemptions_total Cumulative number of preemption from the engine.",
            "# TYPE vllm:num_preemptions_total counter",
            "vllm:num_preemptions_total\(label) 0.0",
            "# HELP parity_simulator_requests_total Requests received by the simulator.",
            "# TYPE parity_simulator_requests_total counter",
            "parity_simulator_requests_total \(Double(requests.load(ordering: .relaxed)))",
        ]
        for first in [true, false] {
            let histogram = lateness(first: first)
            guard histogram.count > 0 else { continue }
            let name =
                first ? "parity_simulator_first_token_lateness_seconds" : "parity_simulator_token_lateness_seconds"
            lines += [
                "# HELP \(name) How long after its due time (arrival + TTFT + i x TPOT) the simulator wrote "
                    + (first ? "each first token." : "each later token."),
                "# TYPE \(name) summary",
            ]
            for q in [0.5, 0.9, 0.99] { lines.append("\(name){quantile=\"\(q)\"} \(histogram.quantile(q))") }
            lines += [
                "\(name)_sum \(histogram.sum)",
                "\(name)_count \(Double(histogram.count))",
                "# TYPE \(name.dropLast(8))_max_seconds gauge",
                "\(name.dropLast(8))_max_seconds \(histogram.maximum)",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A label value with `\`, `"` and newlines escaped as the exposition format asks.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
