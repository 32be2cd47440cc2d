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
            let objects = try ServingFile.objects(data, path: path)
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
        case .aiperf, .guidellm, .mlperf:
            throw .invalid(
                path: path,
                record: 1,
                field: nil,
                reason: "importing \(tool.rawValue) files is not built yet"
            )
        }
    }

    // MARK: - Shared

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

    static func finish(
        _ measurement: ServingMeasurement,
        _ fields: ServingFile.Fields
    ) throws(ServingFileError) -> ServingMeasurement {
        if let problem = measurement.problem() {
            throw .invalid(path: fields.path, record: fields.record, field: nil, reason: problem)
        }
        return measurement
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
                provenance: context.provenance ?? "imported from vllm \(version) (bench serve)"
            ),
            fields
        )
    }

    // MARK: - SGLang

    /// `python -m sglang.bench_serving --output-file`: one JSON object per run. E2E latency is `*_e2e_latency_ms`;
    /// total throughput is input plus output throughput when the file has no `total_throughput`.
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
        guard let dateText = fields.object["date"] as? String, let time = ServingFile.date(dateText) else {
            throw .invalid(path: fields.path, record: fields.record, field: "date", reason: "is missing or unreadable")
        }
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
            ttft: try fields.latency("ttft"),
            tpot: try fields.latency("tpot"),
            itl: fields.optionalLatency("itl"),
            e2el: e2el
        )
        return try finish(
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
                provenance: context.provenance ?? "imported from sglang \(version) (bench_serving)"
            ),
            fields
        )
    }
}
