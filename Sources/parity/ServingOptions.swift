import ArgumentParser
import Catalogue
import Measure

/// What a serving result file may not say about the deployment: given on the command line, never guessed.
struct ServingOptions: ParsableArguments {
    @Option(help: "Accelerators that served (all replicas and pools together).")
    var chips: Int?

    @Option(help: "Serving engine: vllm, sglang, trt-llm, mindie, simulator, ….")
    var engine: String?

    @Option(help: "Serving engine version.")
    var engineVersion: String?

    @Option(help: "Weight precision: \(Precision.allCases.map(\.rawValue).joined(separator: ", ")).")
    var weightPrecision: String?

    @Option(help: "KV-cache precision.")
    var kvPrecision: String?

    @Option(name: .customLong("tp"), help: "Tensor-parallel degree (default 1).")
    var tensorParallel: Int?

    @Option(name: .customLong("pp"), help: "Pipeline-parallel degree (default 1).")
    var pipelineParallel: Int?

    @Option(name: .customLong("ep"), help: "Expert-parallel degree.")
    var expertParallel: Int?

    @Option(name: .customLong("dp"), help: "Data-parallel degree (replicas).")
    var dataParallel: Int?

    @Option(help: "Deployment: aggregated, disaggregated, prefill-only or decode-only (default aggregated).")
    var deployment: String?

    @Option(help: "The machine that served, recorded in the result.")
    var servingHost: String?

    @Option(help: "Mean input length in tokens, for files that do not record it (MLPerf logs: the dataset's mean).")
    var inputTokens: Double?

    @Option(help: "When the run started (ISO 8601), for files that do not record it (SGLang bench_serving).")
    var measuredAt: String?

    func validate() throws {
        for (name, value) in [
            ("--chips", chips), ("--tp", tensorParallel), ("--pp", pipelineParallel), ("--ep", expertParallel),
            ("--dp", dataParallel),
        ] {
            if let value, value < 1 { throw ValidationError("\(name) must be at least 1") }
        }
        _ = try precision(weightPrecision, "--weight-precision")
        _ = try precision(kvPrecision, "--kv-precision")
        if let deployment, ServingMeasurement.Deployment.Mode(rawValue: deployment) == nil {
            throw ValidationError(
                "--deployment takes "
                    + ServingMeasurement.Deployment.Mode.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
        if let engine, engine.isEmpty { throw ValidationError("--engine must not be empty") }
        if let inputTokens, !(inputTokens > 0 && inputTokens.isFinite) {
            throw ValidationError("--input-tokens must be a positive number")
        }
    }

    func precision(_ text: String?, _ name: String) throws -> Precision? {
        guard let text else { return nil }
        guard let value = Precision(rawValue: text.lowercased()) else {
            throw ValidationError(
                "\(name) takes one of \(Precision.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'"
            )
        }
        return value
    }

    /// Whether a typed record can be made without the file's help: chip count, engine and weight precision given.
    var isComplete: Bool { chips != nil && engine != nil && weightPrecision != nil }

    /// Whether any of these options was given.
    var isAnyGiven: Bool {
        chips != nil || engine != nil || engineVersion != nil || weightPrecision != nil || kvPrecision != nil
            || tensorParallel != nil || pipelineParallel != nil || expertParallel != nil || dataParallel != nil
            || deployment != nil || servingHost != nil || inputTokens != nil || measuredAt != nil
    }

    func context(chip: String?, model: String?, scenario: String?, id: String? = nil) throws -> ServingFile.Context {
        ServingFile.Context(
            chip: chip,
            chips: chips,
            engine: engine,
            engineVersion: engineVersion,
            model: model,
            weightPrecision: try precision(weightPrecision, "--weight-precision"),
            kvPrecision: try precision(kvPrecision, "--kv-precision"),
            tensorParallel: tensorParallel,
            pipelineParallel: pipelineParallel,
            expertParallel: expertParallel,
            dataParallel: dataParallel,
            mode: deployment.flatMap(ServingMeasurement.Deployment.Mode.init(rawValue:)),
            host: servingHost,
            scenario: scenario,
            id: id,
            inputTokens: inputTokens,
            time: try measuredAt.map { text in
                guard let date = ServingFile.date(text) else {
                    throw ValidationError("--measured-at takes an ISO 8601 time, e.g. 2026-11-30T05:12:00Z")
                }
                return date
            }
        )
    }
}

/// `results import --from`: another tool's result file.
enum ImportedTool: String, ExpressibleByArgument, CaseIterable {
    case vllm, sglang, aiperf, guidellm, mlperf

    func read(path: String, context: ServingFile.Context, toolVersion: String?) throws -> [ServingMeasurement] {
        guard let tool = ServingImporter.Tool(rawValue: rawValue) else { return [] }
        return try ServingImporter.read(path: path, tool: tool, context: context, toolVersion: toolVersion)
    }
}
