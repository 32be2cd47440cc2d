import Catalogue
public import Foundation

/// Converts other tools' serving benchmark result files into typed serving results. What a file does not say
/// (chip, chip count, engine, weight precision, often the tool's version) comes from the `ServingFile.Context` and
/// is required; the provenance says `imported from <tool> <version>`. Every metric both sides define is copied
/// exactly (units converted only where the tool's differ: seconds or nanoseconds to milliseconds).
public enum ServingImporter {
    /// A tool whose result files Parity reads.
    public enum Tool: String, Sendable, Hashable, CaseIterable {
        /// `vllm bench serve --save-result` (JSON).
        case vllm
        /// `python -m sglang.bench_serving --output-file` (JSON lines, one run per line).
        case sglang
        /// NVIDIA AIPerf `profile_export_aiperf.json`.
        case aiperf
        /// GuideLLM `benchmarks.json`.
        case guidellm
        /// MLPerf Inference `mlperf_log_summary.txt` (with `mlperf_log_detail.txt` beside it).
        case mlperf
    }

    /// The serving results of one tool's file.
    public static func read(
        path: String,
        tool: Tool,
        context: ServingFile.Context,
        toolVersion: String? = nil
    ) throws(ServingFileError) -> [ServingMeasurement] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(data, path: path, tool: tool, context: context, toolVersion: toolVersion)
    }

    public static func decode(
        _ data: Data,
        path: String,
        tool: Tool,
        context: ServingFile.Context,
        toolVersion: String? = nil
    ) throws(ServingFileError) -> [ServingMeasurement] {
        switch tool {
        case .vllm, .sglang:
            // Python's json writes an infinite request rate as a bare `Infinity`, which is not JSON.
            let objects = try ServingFile.objects(tool == .sglang ? pythonJSON(data) : data, path: path)
            if objects.isEmpty { throw .invalid(path: path, record: 0, field: nil, reason: "no runs in the file") }
            var measurements: [ServingMeasurement] = []
            for (index, object) in objects.enumerated() {
                var runContext = context
                if let id = context.id, objects.count > 1 { runContext.id = "\(id).\(index + 1)" }
                let fields = ServingFile.Fields(object: object, path: path, record: index + 1)
                measurements.append(
                    tool == .vllm
                        ? try vllm(fields, context: runContext, toolVersion: toolVersion)
                        : try sglang(fields, context: runContext, toolVersion: toolVersion)
                )
            }
            return measurements
        case .aiperf:
            guard let object = try ServingFile.objects(data, path: path).first else {
                throw .invalid(path: path, record: 0, field: nil, reason: "no profile in the file")
            }
            return [try aiperf(ServingFile.Fields(object: object, path: path, record: 1), context: context)]
        case .guidellm:
            guard let object = try ServingFile.objects(data, path: path).first else {
                throw .invalid(path: path, record: 0, field: nil, reason: "no report in the file")
            }
            return try guidellm(object, path: path, context: context)
        case .mlperf:
            return [try mlperf(data, path: path, context: context)]
        }
    }

    // MARK: - Shared

    /// Python's `json.dumps` output made JSON: bare `Infinity`, `-Infinity` and `NaN` values become `null`.
    static func pythonJSON(_ data: Data) -> Data {
        var text = String(decoding: data, as: UTF8.self)
        for token in ["-Infinity", "Infinity", "NaN"] {
            for (before, after) in [(": ", ","), (": ", "}"), (":", ","), (":", "}")] {
                text = text.replacingOccurrences(of: before + token + after, with: before + "null" + after)
            }
        }
        return Data(text.utf8)
    }

    /// What every importer needs from the options when the file does not say it.
    struct Required {
        var chip: String
        var chips: Int
        var engine: String
        var weightPrecision: Precision
    }

    static func missing(_ fields: ServingFile.Fields, _ field: String, _ option: String) -> ServingFileError {
        .invalid(path: fields.path, record: fields.record, field: field, reason: "is not in the file; pass \(option)")
    }

    static func required(
        _ fields: ServingFile.Fields,
        _ context: ServingFile.Context
    ) throws(ServingFileError) -> Required {
        guard let chip = context.chip else { throw missing(fields, "chip", "--chip") }
        guard let chips = context.chips else { throw missing(fields, "chips", "--chips") }
        guard let engine = context.engine else { throw missing(fields, "engine", "--engine") }
        guard let precision = context.weightPrecision else {
            throw missing(fields, "weight_precision", "--weight-precision")
        }
        return Required(chip: chip, chips: chips, engine: engine, weightPrecision: precision)
    }

    static func version(
        _ fields: ServingFile.Fields,
        inFile: String?,
        option: String?
    ) throws(ServingFileError) -> String {
        guard let version = inFile ?? option else { throw missing(fields, "version", "--tool-version") }
        return version
    }

    /// The record of an imported run: what the file says (`scenario`, `time`, `metrics`) and what the options add
    /// (`need`, `context`), checked; `provenance` unless the options give one.
    static func finish(
        _ need: Required,
        _ context: ServingFile.Context,
        model: String,
        scenario: ServingMeasurement.Scenario,
        time: Date,
        metrics: ServingMeasurement.Metrics,
        provenance: String,
        _ fields: ServingFile.Fields
    ) throws(ServingFileError) -> ServingMeasurement {
        try finish(
            ServingMeasurement(
                id: context.id
                    ?? ServingFile.defaultID(scenario: context.scenario ?? model, chip: need.chip, time: time),
                chip: need.chip,
                chips: need.chips,
                deployment: context.deployment,
                scenario: scenario,
                engine: ServingMeasurement.Engine(name: need.engine, version: context.engineVersion),
                host: context.host,
                time: time,
                metrics: metrics,
                provenance: context.provenance ?? provenance
            ),
            fields,
            derivedID: context.id == nil
        )
    }

    /// The record, checked; a derived ID (no `--id`) gets the metrics' fingerprint (`ServingFile.fingerprinted`).
    static func finish(
        _ measurement: ServingMeasurement,
        _ fields: ServingFile.Fields,
        derivedID: Bool
    ) throws(ServingFileError) -> ServingMeasurement {
        if let problem = measurement.problem() {
            throw .invalid(path: fields.path, record: fields.record, field: nil, reason: problem)
        }
        return derivedID ? ServingFile.fingerprinted(measurement) : measurement
    }

    // MARK: - vLLM

    /// `vllm bench serve --save-result`: the keys Parity's own bench-serve file shares (docs/serving.md), `date` as
    /// `YYYYmmdd-HHMMSS` (taken as UTC), `failed` absent in older versions (then `num_prompts − completed`).
    static func vllm(
        _ fields: ServingFile.Fields,
        context: ServingFile.Context,
        toolVersion: String?
    ) throws(ServingFileError) -> ServingMeasurement {
        let need = try required(fields, context)
        let version = try version(fields, inFile: nil, option: toolVersion)
        guard let model = context.model ?? (fields.object["model_id"] as? String) else {
            throw missing(fields, "model_id", "--model")
        }
        guard let dateText = fields.object["date"] as? String, let time = ServingFile.date(dateText) else {
            throw .invalid(path: fields.path, record: fields.record, field: "date", reason: "is missing or unreadable")
        }
        let completed = try fields.int("completed")
        let failed =
            fields.optionalDouble("failed").map { Int($0) }
            ?? max(0, (fields.optionalDouble("num_prompts").map { Int($0) } ?? completed) - completed)
        let scenario = ServingMeasurement.Scenario(
            model: model,
            weightPrecision: need.weightPrecision,
            kvPrecision: context.kvPrecision,
            input: try fields.lengths("input_lens", total: "total_input_tokens", completed: completed),
            output: try fields.lengths("output_lens", total: "total_output_tokens", completed: completed),
            load: ServingMeasurement.Load(
                requestRate: fields.optionalDouble("request_rate"),
                maxConcurrency: fields.optionalDouble("max_concurrency").map { Int($0) },
                burstiness: fields.optionalDouble("burstiness")
            ),
            dataset: fields.object["dataset_name"] as? String,
            name: context.scenario
        )
        let metrics = ServingMeasurement.Metrics(
            durationSeconds: try fields.double("duration"),
            completed: completed,
            failed: failed,
            requestsPerSecond: try fields.double("request_throughput"),
            outputTokensPerSecond: try fields.double("output_throughput"),
            totalTokensPerSecond: try fields.double("total_token_throughput"),
            goodputRequestsPerSecond: fields.optionalDouble("request_goodput"),
            maxConcurrentRequests: fields.optionalDouble("max_concurrent_requests").map { Int($0) },
            ttft: try fields.latency("ttft"),
            tpot: try fields.latency("tpot"),
            itl: fields.optionalLatency("itl"),
            e2el: fields.optionalLatency("e2el")
        )
        return try finish(
            need,
            context,
            model: model,
            scenario: scenario,
            time: time,
            metrics: metrics,
            provenance: "imported from vllm \(version) (bench serve)",
            fields
        )
    }

    // MARK: - SGLang

    /// `python -m sglang.bench_serving --output-file`: one JSON object per run. E2E latency is `*_e2e_latency_ms`;
    /// total throughput is input plus output throughput when the file has no `total_throughput`. The file records
    /// neither the model's name, the start time nor failed requests (`completed` counts successes): `--model` and
    /// `--measured-at` are required, and `failed` is the file's `failed` when present, else 0.
    static func sglang(
        _ fields: ServingFile.Fields,
        context: ServingFile.Context,
        toolVersion: String?
    ) throws(ServingFileError) -> ServingMeasurement {
        let need = try required(fields, context)
        let version = try version(fields, inFile: nil, option: toolVersion)
        guard let model = context.model ?? (fields.object["model_id"] as? String) else {
            throw missing(fields, "model", "--model")
        }
        guard let time = context.time else { throw missing(fields, "date", "--measured-at") }
        let completed = try fields.int("completed")
        let e2el = fields.optionalDouble("mean_e2e_latency_ms").map { mean in
            ServingMeasurement.Latency(
                meanMilliseconds: mean,
                medianMilliseconds: fields.optionalDouble("median_e2e_latency_ms"),
                p90Milliseconds: fields.optionalDouble("p90_e2e_latency_ms"),
                p99Milliseconds: fields.optionalDouble("p99_e2e_latency_ms")
            )
        }
        let output = try fields.double("output_throughput")
        var total = output
        if let given = fields.optionalDouble("total_throughput") {
            total = given
        } else {
            total += try fields.double("input_throughput")
        }
        let scenario = ServingMeasurement.Scenario(
            model: model,
            weightPrecision: need.weightPrecision,
            kvPrecision: context.kvPrecision,
            input: try fields.lengths("input_lens", total: "total_input_tokens", completed: completed),
            output: try fields.lengths("output_lens", total: "total_output_tokens", completed: completed),
            load: ServingMeasurement.Load(
                requestRate: fields.optionalDouble("request_rate"),
                maxConcurrency: fields.optionalDouble("max_concurrency").map { Int($0) }
            ),
            dataset: fields.object["dataset_name"] as? String,
            name: context.scenario
        )
        let metrics = ServingMeasurement.Metrics(
            durationSeconds: try fields.double("duration"),
            completed: completed,
            failed: fields.optionalDouble("failed").map { Int($0) } ?? 0,
            requestsPerSecond: try fields.double("request_throughput"),
            outputTokensPerSecond: output,
            totalTokensPerSecond: total,
            maxConcurrentRequests: fields.optionalDouble("max_concurrent_requests").map { Int($0) },
            ttft: try fields.latency("ttft"),
            tpot: try fields.latency("tpot"),
            itl: fields.optionalLatency("itl"),
            e2el: e2el
        )
        return try finish(
            need,
            context,
            model: model,
            scenario: scenario,
            time: time,
            metrics: metrics,
            provenance: "imported from sglang \(version) (bench_serving)",
            fields
        )
    }

    // MARK: - AIPerf

    /// A metric of `profile_export_aiperf.json`: `{"unit": …, "avg": …, "p50": …, …}`.
    static func aiperfMetric(_ fields: ServingFile.Fields, _ name: String) -> [String: Any]? {
        fields.object[name] as? [String: Any]
    }

    static func aiperfValue(
        _ fields: ServingFile.Fields,
        _ name: String,
        _ statistic: String = "avg"
    ) throws(ServingFileError) -> Double {
        guard let metric = aiperfMetric(fields, name), let value = metric[statistic],
            let number = ServingFile.Fields.number(value)
        else {
            throw .invalid(
                path: fields.path,
                record: fields.record,
                field: "\(name).\(statistic)",
                reason: "is missing"
            )
        }
        return number
    }

    /// An AIPerf latency in milliseconds (`unit` checked).
    static func aiperfLatency(
        _ fields: ServingFile.Fields,
        _ name: String
    ) throws(ServingFileError) -> ServingMeasurement.Latency {
        guard aiperfMetric(fields, name)?["unit"] as? String == "ms" else {
            throw .invalid(path: fields.path, record: fields.record, field: "\(name).unit", reason: "is not ms")
        }
        func optional(_ statistic: String) -> Double? { try? aiperfValue(fields, name, statistic) }
        return ServingMeasurement.Latency(
            meanMilliseconds: try aiperfValue(fields, name),
            medianMilliseconds: optional("p50"),
            p90Milliseconds: optional("p90"),
            p99Milliseconds: optional("p99")
        )
    }

    static func aiperfLengths(
        _ fields: ServingFile.Fields,
        _ name: String
    ) throws(ServingFileError)
        -> ServingMeasurement.Lengths
    {
        ServingMeasurement.Lengths(
            mean: try aiperfValue(fields, name),
            min: (try? aiperfValue(fields, name, "min")).map { Int($0) },
            max: (try? aiperfValue(fields, name, "max")).map { Int($0) }
        )
    }

    /// NVIDIA AIPerf `profile_export_aiperf.json`. AIPerf's `inter_token_latency` is vLLM's TPOT ((latency − TTFT)
    /// ÷ (output tokens − 1) per request) and its `inter_chunk_latency` vLLM's ITL; `request_latency` is E2E;
    /// `p50` is the median. `start_time` has no zone and is taken as UTC.
    static func aiperf(
        _ fields: ServingFile.Fields,
        context: ServingFile.Context
    ) throws(ServingFileError) -> ServingMeasurement {
        let need = try required(fields, context)
        let version = try version(fields, inFile: fields.object["aiperf_version"] as? String, option: nil)
        let input = fields.object["input_config"] as? [String: Any]
        let models = ((input?["models"] as? [String: Any])?["items"] as? [[String: Any]]) ?? []
        guard let model = context.model ?? (models.first?["name"] as? String) else {
            throw missing(fields, "input_config.models", "--model")
        }
        guard let start = fields.object["start_time"] as? String, let time = ServingFile.date(start + "Z") else {
            throw .invalid(path: fields.path, record: fields.record, field: "start_time", reason: "is missing")
        }
        let phases = (input?["phases"] as? [[String: Any]]) ?? []
        let profiling = phases.first { $0["kind"] as? String == "profiling" }
        let completed = Int(try aiperfValue(fields, "completed_request_count"))
        let errors = (fields.object["error_summary"] as? [[String: Any]]) ?? []
        let failed =
            (try? aiperfValue(fields, "error_request_count")).map { Int($0) }
            ?? errors.compactMap { ($0["count"] as? NSNumber)?.intValue }.reduce(0, +)
        let dataset = (input?["datasets"] as? [[String: Any]])?.first?["type"] as? String
        let scenario = ServingMeasurement.Scenario(
            model: model,
            weightPrecision: need.weightPrecision,
            kvPrecision: context.kvPrecision,
            input: try aiperfLengths(fields, "input_sequence_length"),
            output: try aiperfLengths(fields, "output_sequence_length"),
            load: ServingMeasurement.Load(
                requestRate: (profiling?["rate"] as? NSNumber)?.doubleValue,
                maxConcurrency: (profiling?["concurrency"] as? NSNumber)?.intValue
            ),
            dataset: dataset,
            name: context.scenario
        )
        let metrics = ServingMeasurement.Metrics(
            durationSeconds: try aiperfValue(fields, "benchmark_duration"),
            completed: completed,
            failed: failed,
            requestsPerSecond: try aiperfValue(fields, "request_throughput"),
            outputTokensPerSecond: try aiperfValue(fields, "output_token_throughput"),
            totalTokensPerSecond: try aiperfValue(fields, "total_token_throughput"),
            ttft: try aiperfLatency(fields, "time_to_first_token"),
            tpot: try aiperfLatency(fields, "inter_token_latency"),
            itl: try? aiperfLatency(fields, "inter_chunk_latency"),
            e2el: try? aiperfLatency(fields, "request_latency")
        )
        return try finish(
            need,
            context,
            model: model,
            scenario: scenario,
            time: time,
            metrics: metrics,
            provenance: "imported from aiperf \(version) (profile_export_aiperf.json)",
            fields
        )
    }

    // MARK: - GuideLLM

    /// GuideLLM `benchmarks.json` (report format 2): one record per benchmark. Figures are the `successful`
    /// requests' distributions; `requests_per_second`, `output_tokens_per_second` and `tokens_per_second` means are
    /// the run's rates; GuideLLM's `inter_token_latency_ms` is vLLM's TPOT ((latency − TTFT) ÷ (output tokens − 1))
    /// — its `time_per_output_token_ms` (latency ÷ output tokens, TTFT included) is not; `request_latency` is in
    /// seconds; GuideLLM reports no per-gap ITL.
    static func guidellm(
        _ report: [String: Any],
        path: String,
        context: ServingFile.Context
    ) throws(ServingFileError) -> [ServingMeasurement] {
        let top = ServingFile.Fields(object: report, path: path, record: 1)
        let need = try required(top, context)
        let metadata = report["metadata"] as? [String: Any]
        let version = try version(top, inFile: metadata?["guidellm_version"] as? String, option: nil)
        let backend = ((report["config"] as? [String: Any])?["spec"] as? [String: Any])?["backend"] as? [String: Any]
        guard let model = context.model ?? (backend?["model"] as? String) else {
            throw missing(top, "config.spec.backend.model", "--model")
        }
        guard let benchmarks = report["benchmarks"] as? [[String: Any]], !benchmarks.isEmpty else {
            throw .invalid(path: path, record: 1, field: "benchmarks", reason: "is missing or empty")
        }
        var records: [ServingMeasurement] = []
        for (index, benchmark) in benchmarks.enumerated() {
            let fields = ServingFile.Fields(object: benchmark, path: path, record: index + 1)
            let metrics = benchmark["metrics"] as? [String: Any] ?? [:]
            func successful(_ name: String) throws(ServingFileError) -> [String: Any] {
                guard let metric = metrics[name] as? [String: Any], let values = metric["successful"] as? [String: Any]
                else {
                    throw .invalid(
                        path: path,
                        record: index + 1,
                        field: "metrics.\(name).successful",
                        reason: "is missing"
                    )
                }
                return values
            }
            func value(_ object: [String: Any], _ key: String, _ name: String) throws(ServingFileError) -> Double {
                guard let raw = object[key], let number = ServingFile.Fields.number(raw) else {
                    throw .invalid(
                        path: path,
                        record: index + 1,
                        field: "metrics.\(name).successful.\(key)",
                        reason: "is missing"
                    )
                }
                return number
            }
            func latency(_ name: String, scale: Double) throws(ServingFileError) -> ServingMeasurement.Latency {
                let values = try successful(name)
                let percentiles = values["percentiles"] as? [String: Any] ?? [:]
                return ServingMeasurement.Latency(
                    meanMilliseconds: try value(values, "mean", name) * scale,
                    medianMilliseconds: try value(values, "median", name) * scale,
                    p90Milliseconds: percentiles["p90"].flatMap(ServingFile.Fields.number).map { $0 * scale },
                    p99Milliseconds: percentiles["p99"].flatMap(ServingFile.Fields.number).map { $0 * scale }
                )
            }
            func lengths(_ name: String) throws(ServingFileError) -> ServingMeasurement.Lengths {
                let values = try successful(name)
                return ServingMeasurement.Lengths(
                    mean: try value(values, "mean", name),
                    min: Int(try value(values, "min", name)),
                    max: Int(try value(values, "max", name))
                )
            }
            let totals = metrics["request_totals"] as? [String: Any] ?? [:]
            let totalsFields = ServingFile.Fields(object: totals, path: path, record: index + 1)
            let strategy = ((benchmark["config"] as? [String: Any])?["strategy"] as? [String: Any]) ?? [:]
            let start = try fields.double("start_time")
            let time = Date(timeIntervalSince1970: start)
            var runContext = context
            if let id = context.id, benchmarks.count > 1 { runContext.id = "\(id).\(index + 1)" }
            let scenario = ServingMeasurement.Scenario(
                model: model,
                weightPrecision: need.weightPrecision,
                kvPrecision: context.kvPrecision,
                input: try lengths("prompt_token_count"),
                output: try lengths("output_token_count"),
                load: ServingMeasurement.Load(
                    requestRate: (strategy["rate"] as? NSNumber)?.doubleValue,
                    maxConcurrency: (strategy["streams"] as? NSNumber)?.intValue
                ),
                name: context.scenario
            )
            let measured = ServingMeasurement.Metrics(
                durationSeconds: try fields.double("duration"),
                completed: try totalsFields.int("successful"),
                failed: try totalsFields.int("errored") + totalsFields.int("incomplete"),
                requestsPerSecond: try value(try successful("requests_per_second"), "mean", "requests_per_second"),
                outputTokensPerSecond: try value(
                    try successful("output_tokens_per_second"),
                    "mean",
                    "output_tokens_per_second"
                ),
                totalTokensPerSecond: try value(try successful("tokens_per_second"), "mean", "tokens_per_second"),
                ttft: try latency("time_to_first_token_ms", scale: 1),
                tpot: try latency("inter_token_latency_ms", scale: 1),
                e2el: try latency("request_latency", scale: 1000)
            )
            records.append(
                try finish(
                    ServingMeasurement(
                        id: runContext.id
                            ?? ServingFile.defaultID(
                                scenario: context.scenario ?? model,
                                chip: need.chip,
                                time: time,
                                sweepIndex: benchmarks.count > 1 ? index + 1 : nil
                            ),
                        chip: need.chip,
                        chips: need.chips,
                        deployment: context.deployment,
                        scenario: scenario,
                        engine: ServingMeasurement.Engine(name: need.engine, version: context.engineVersion),
                        host: context.host,
                        time: time,
                        metrics: measured,
                        provenance: context.provenance ?? "imported from guidellm \(version) (benchmarks.json)"
                    ),
                    fields,
                    derivedID: runContext.id == nil
                )
            )
        }
        return records
    }

    // MARK: - MLPerf Inference

    /// The `key : value` lines of `mlperf_log_summary.txt` (the first occurrence of each key).
    static func mlperfSummary(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if !key.isEmpty, values[key] == nil { values[key] = value }
        }
        return values
    }

    /// The `:::MLLOG {"key": …, "value": …}` entries of `mlperf_log_detail.txt`.
    static func mlperfDetail(_ text: String) -> [String: Any] {
        var values: [String: Any] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(":::MLLOG ") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.dropFirst(9).utf8)) as? [String: Any],
                let key = object["key"] as? String, let value = object["value"]
            else { continue }
            values[key] = value
        }
        return values
    }

    /// MLPerf Inference LoadGen logs: `mlperf_log_summary.txt`, with `mlperf_log_detail.txt` beside it for the
    /// LoadGen version, the test time and the query count. Samples are requests; "tokens" are output tokens. Latencies
    /// are nanoseconds in the log, milliseconds here; TPOT is LoadGen's "time to output token" ((latency − first
    /// token) ÷ (tokens − 1)); the TTFT and TPOT constraints become the limits; a Server run's `target_qps` is its
    /// Poisson rate. The log does not give the input length: `--input-tokens` (the dataset's mean) is required, and
    /// total throughput is output throughput plus request rate × that mean. Duration is query count ÷ completed
    /// samples per second; output length is completed tokens ÷ completed samples. Only VALID performance runs.
    static func mlperf(
        _ data: Data,
        path: String,
        context: ServingFile.Context
    ) throws(ServingFileError) -> ServingMeasurement {
        let summary = mlperfSummary(String(decoding: data, as: UTF8.self))
        let top = ServingFile.Fields(object: [:], path: path, record: 1)
        func invalid(_ field: String, _ reason: String) -> ServingFileError {
            .invalid(path: path, record: 1, field: field, reason: reason)
        }
        func number(_ key: String) throws(ServingFileError) -> Double {
            guard let text = summary[key], let value = Double(text) else { throw invalid(key, "is missing") }
            return value
        }
        func nanoseconds(
            _ mean: String,
            _ percentile: (String) -> String
        ) throws(ServingFileError)
            -> ServingMeasurement.Latency
        {
            ServingMeasurement.Latency(
                meanMilliseconds: try number(mean) / 1e6,
                medianMilliseconds: try number(percentile("50.00")) / 1e6,
                p90Milliseconds: try number(percentile("90.00")) / 1e6,
                p99Milliseconds: try number(percentile("99.00")) / 1e6
            )
        }
        guard summary["Mode"] == "PerformanceOnly" else { throw invalid("Mode", "is not PerformanceOnly") }
        guard summary["Result is"] == "VALID" else {
            throw invalid("Result is", "is not VALID; only valid runs are imported")
        }
        guard let scenarioName = summary["Scenario"], ["Server", "Offline", "Interactive"].contains(scenarioName) else {
            throw invalid("Scenario", "is not Server, Interactive or Offline")
        }
        let need = try required(top, context)
        guard let model = context.model else { throw missing(top, "model", "--model") }
        guard let inputMean = context.inputTokens else { throw missing(top, "input tokens", "--input-tokens") }
        let detailPath = URL(fileURLWithPath: path).deletingLastPathComponent()
            .appendingPathComponent("mlperf_log_detail.txt").path
        guard let detailData = FileManager.default.contents(atPath: detailPath) else {
            throw .unreadable(path: detailPath, reason: "the detail log must be beside the summary")
        }
        let detail = mlperfDetail(String(decoding: detailData, as: UTF8.self))
        guard let version = detail["loadgen_version"] as? String else {
            throw .invalid(path: detailPath, record: 1, field: "loadgen_version", reason: "is missing")
        }
        guard let started = detail["test_datetime"] as? String, let time = ServingFile.date(started) else {
            throw .invalid(path: detailPath, record: 1, field: "test_datetime", reason: "is missing")
        }
        guard let queries = (detail["result_query_count"] as? NSNumber)?.intValue, queries > 0 else {
            throw .invalid(path: detailPath, record: 1, field: "result_query_count", reason: "is missing")
        }
        let isOffline = scenarioName == "Offline"
        let samplesPerSecond = try number(isOffline ? "Samples per second" : "Completed samples per second")
        let tokensPerSecond = try number(isOffline ? "Tokens per second" : "Completed tokens per second")
        let ttft = try nanoseconds("Mean First Token latency (ns)") { "\($0) percentile first token latency (ns)" }
        let tpot = try nanoseconds("Mean Time to Output Token (ns)") { "\($0) percentile time to output token (ns)" }
        let e2el = try nanoseconds("Mean latency (ns)") { "\($0) percentile latency (ns)" }
        let limits = ServingMeasurement.Limits(
            ttftMilliseconds: (try? number("ttft_latency (ns)")).map { $0 / 1e6 },
            tpotMilliseconds: (try? number("tpot_latency (ns)")).map { $0 / 1e6 }
        )
        let scenario = ServingMeasurement.Scenario(
            model: model,
            weightPrecision: need.weightPrecision,
            kvPrecision: context.kvPrecision,
            input: ServingMeasurement.Lengths(mean: inputMean),
            output: ServingMeasurement.Lengths(mean: tokensPerSecond / samplesPerSecond),
            load: ServingMeasurement.Load(requestRate: isOffline ? nil : try number("target_qps")),
            limits: isOffline ? nil : limits,
            dataset: "mlperf \(scenarioName.lowercased())",
            name: context.scenario
        )
        let metrics = ServingMeasurement.Metrics(
            durationSeconds: Double(queries) / samplesPerSecond,
            completed: queries,
            failed: 0,
            requestsPerSecond: samplesPerSecond,
            outputTokensPerSecond: tokensPerSecond,
            totalTokensPerSecond: tokensPerSecond + samplesPerSecond * inputMean,
            ttft: ttft,
            tpot: tpot,
            e2el: e2el
        )
        return try finish(
            need,
            context,
            model: model,
            scenario: scenario,
            time: time,
            metrics: metrics,
            provenance: "imported from mlperf loadgen \(version) (mlperf_log_summary.txt, \(scenarioName))",
            top
        )
    }
}
