/// The few server metrics a run reports side by side whatever the engine: KV-cache use, requests running and
/// waiting, preemptions. Names as the engines define them (vLLM `vllm/v1/metrics/loggers.py`, and its V0 name
/// `vllm:gpu_cache_usage_perc`; SGLang `sglang/srt/observability/metrics_collector.py`); the simulator serves
/// vLLM's names.
public enum ServerMetricNames {
    /// Common series → the source names, first found wins.
    public static let common: [(series: String, names: [String])] = [
        // A fraction: 1 is a full KV cache (vLLM "1 means 100 percent usage"; SGLang's token_usage likewise).
        ("kv_cache_usage", ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "sglang:token_usage"]),
        ("running", ["vllm:num_requests_running", "sglang:num_running_reqs"]),
        ("waiting", ["vllm:num_requests_waiting", "sglang:num_queue_reqs"]),
        // Counters: vLLM's `vllm:num_preemptions` is exposed with `_total`; SGLang counts retractions.
        ("preemptions", ["vllm:num_preemptions_total", "sglang:num_retracted_requests_total"]),
    ]

    /// The common series in one scrape. Several label sets of one name (engines, data-parallel ranks) are added
    /// up, except that tensor-parallel ranks other than 0 (`tp_rank`) repeat rank 0's view and are skipped, and
    /// KV-cache use is the largest of them (the fullest engine bounds admission).
    public static func commonValues(_ samples: [PrometheusSample]) -> [String: Double] {
        var result: [String: Double] = [:]
        for (series, names) in common {
            for name in names {
                let matching = samples.filter { sample in
                    sample.name == name && (sample.labels["tp_rank"].map { $0 == "0" } ?? true)
                }
                guard !matching.isEmpty else { continue }
                let values = matching.map(\.value)
                result[series] = series == "kv_cache_usage" ? values.max() : values.reduce(0, +)
                break
            }
        }
        return result
    }

    /// Which engine's names the samples carry: `vllm`, `sglang`, or nil.
    public static func family(_ samples: [PrometheusSample]) -> String? {
        if samples.contains(where: { $0.name.hasPrefix("vllm:") }) { return "vllm" }
        if samples.contains(where: { $0.name.hasPrefix("sglang:") }) { return "sglang" }
        return nil
    }

    /// Raw series kept with the run: the engine's own namespaced metrics (names with a colon, as vLLM and SGLang
    /// name theirs), without histogram buckets (their `_sum` and `_count` stay).
    public static func keepsRaw(_ sample: PrometheusSample) -> Bool {
        sample.name.contains(":") && !sample.name.hasSuffix("_bucket")
    }
}
