import ArgumentParser
import Foundation
import LoadGen
import Measure
import Reporting

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: LLM serving against an OpenAI-compatible endpoint, and accelerator micro-benchmarks.",
        subcommands: [Serve.self, Micro.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Benchmark an OpenAI-compatible streaming endpoint (vLLM, SGLang, MindIE, the simulator, …).",
            discussion: """
                Metrics follow vLLM's `bench serve`: TTFT = request written → first chunk with tokens; TPOT = \
                (E2E − TTFT) ÷ (output tokens − 1) per request; ITL = every gap between token chunks; E2E = request \
                written → last token chunk. Chunks are time-stamped on the network thread as they arrive, before \
                parsing; the client's own wait before writing a request is reported apart (queue_times). Token counts come from the server's streamed usage; without it, output tokens are counted as \
                chunks and input tokens as the dataset intended (the result says which). Times in the summary are \
                milliseconds. The JSON result uses vLLM's keys plus a "parity" object.

                Load: --request-rate R (requests/s, Poisson; --burstiness shapes the gamma inter-arrivals), \
                --max-concurrency N (closed loop), or both. --sweep rate=1,2,4 or concurrency=1,8,64 runs a curve.
                Ctrl-C stops the run and writes the finished requests, marked interrupted (exit code 130).

                With --chip, --chips, --engine and --weight-precision (and --tp, --pp, … as they apply) the \
                result also embeds its typed record (parity.serving/2) as parity.measurement, which \
                `parity results import` stores as it is; without them, import asks for what the file lacks.
                """
        )

        @Option(help: "Server base URL.")
        var baseURL: String = "http://127.0.0.1:8000"

        @Option(help: "API: completions (/v1/completions) or chat (/v1/chat/completions); vLLM's paths also work.")
        var endpoint: EndpointArgument = .completions

        @Option(help: "Model name to send (default: the first of the server's /v1/models).")
        var model: String?

        @Option(
            name: [.long, .customLong("dataset-name")],
            help: "Dataset: random, fixed, sharegpt, or mooncake (a trace replayed on its own clock)."
        )
        var dataset: DatasetKind = .random

        @Option(help: "Mooncake trace replay: multiplies the trace's gaps (0.5 replays twice as fast).")
        var traceTimeScale: Double = 1

        @Option(help: "ShareGPT JSON file (with --dataset sharegpt).")
        var datasetPath: String?

        @Option(name: [.long, .customLong("random-input-len")], help: "Prompt length in tokens (random, fixed).")
        var inputLen: Int = 1024

        @Option(
            name: [.long, .customLong("random-output-len"), .customLong("sharegpt-output-len")],
            help: "Output length in tokens (default 128 for random and fixed; overrides ShareGPT replies)."
        )
        var outputLen: Int?

        @Option(
            name: [.long, .customLong("random-range-ratio")],
            help: "Random dataset: lengths vary uniformly within ±ratio of --input-len/--output-len."
        )
        var rangeRatio: Double = 0

        @Option(help: "Number of measured requests.")
        var numPrompts: Int = 200

        @Option(help: "Request rate in requests per second (inf: all at once).")
        var requestRate: String = "inf"

        @Option(help: "Gamma shape of inter-arrival times: 1 Poisson, < 1 burstier.")
        var burstiness: Double = 1

        @Option(help: "Most requests in flight at once (closed loop).")
        var maxConcurrency: Int?

        @Option(
            help: """
                Warm-up requests sent first, at the run's concurrency, and excluded (default: --max-concurrency up to \
                \(Self.defaultWarmupCap), else 1).
                """
        )
        var warmup: Int?

        /// The default warm-up opens connections and settles the server; beyond a few hundred requests it only
        /// costs time (a 10,000-stream run would otherwise first send 10,000 unmeasured requests).
        static let defaultWarmupCap = 256

        @Option(help: "Report metrics per time slice of this length, e.g. 10s (parity.slices in the result).")
        var slice: Duration?

        @Option(help: "Repeat each load N times and report mean, std, CV and a 95 % Student-t interval per metric.")
        var numRuns: Int = 1

        @Option(help: "Event loops (network threads) of the client; 1 suits a client pinned to one core.")
        var threads: Int = 1

        @Option(help: "Seed of the dataset and the arrival schedule.")
        var seed: UInt64 = 0

        @Option(help: "Timeout per request, e.g. 600s or 500ms.")
        var timeout: Duration = Duration(seconds: 600)

        @Option(parsing: .upToNextOption, help: "SLO limits in ms for goodput, e.g. ttft:500 tpot:50 e2el:3000.")
        var goodput: [String] = []

        @Option(name: [.long, .customLong("metric-percentiles")], help: "Percentiles to report, comma-separated.")
        var percentiles: String = "50,90,95,99,99.9"

        @Option(help: "Prompts as token IDs (exact lengths), text, or auto (token IDs unless the server refuses).")
        var promptFormat: PromptFormatArgument = .auto

        @Flag(help: "Do not send ignore_eos (outputs may stop before --output-len).")
        var noIgnoreEos = false

        @Option(name: [.long, .customLong("result-file")], help: "Write the JSON result to this file.")
        var result: String?

        // vLLM `bench serve` habits, so that a vLLM user's command line works.
        @Flag(help: "vLLM alias: write the result to --result-dir/--result-filename (default name like vLLM's).")
        var saveResult = false

        @Option(help: "vLLM alias: directory of the result file with --save-result.")
        var resultDir: String?

        @Option(help: "vLLM alias: name of the result file with --save-result.")
        var resultFilename: String?

        @Flag(help: "vLLM alias: ask for ignore_eos (the default here).")
        var ignoreEos = false

        @Option(help: "vLLM option accepted and recorded only: the client needs no tokenizer (token-ID prompts).")
        var tokenizer: String?

        @Option(help: "vLLM option accepted for compatibility: openai, vllm, sglang, … (all speak the OpenAI API).")
        var backend: String?

        @Option(help: "vLLM option accepted for compatibility; every metric is reported.")
        var percentileMetrics: String?

        @Flag(help: "Include every request's record in the JSON result.")
        var saveRequests = false

        @Option(help: "Catalogue id of the chip behind the endpoint (recorded in the result).")
        var chip: String?

        @Option(help: "Scenario name (recorded in the result).")
        var scenario: String?

        @Option(help: "Catalogue model ID recorded in the typed result (default: the served model name).")
        var modelId: String?

        @OptionGroup(title: "Typed result (parity.serving/2)")
        var serving: ServingOptions

        @Option(help: "Run a curve: rate=1,2,4 or concurrency=1,8,64.")
        var sweep: String?

        @Flag(help: "Print the JSON result on standard output instead of the summary.")
        var json = false

        @OptionGroup(title: "Telemetry (parity.telemetry in the result)")
        var telemetry: TelemetryOptions

        func validate() throws {
            if numPrompts < 1 { throw ValidationError("--num-prompts must be at least 1") }
            if inputLen < 1 || (outputLen ?? 1) < 1 { throw ValidationError("lengths must be at least 1 token") }
            if rangeRatio < 0 || rangeRatio >= 1 { throw ValidationError("--range-ratio must be in [0, 1)") }
            if burstiness <= 0 { throw ValidationError("--burstiness must be positive") }
            if let maxConcurrency, maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1") }
            if numRuns < 1 || numRuns > 1000 { throw ValidationError("--num-runs must be between 1 and 1000") }
            if let slice, slice.seconds <= 0 { throw ValidationError("--slice must be positive") }
            if threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
            if rate(requestRate) == nil { throw ValidationError("--request-rate takes a positive number or inf") }
            if !goodput.isEmpty, Goodput(goodput) == nil {
                throw ValidationError("--goodput takes ttft:MS tpot:MS e2el:MS (any of them, milliseconds)")
            }
            if dataset == .sharegpt || dataset == .mooncake, datasetPath == nil {
                throw ValidationError("--dataset \(dataset.rawValue) needs --dataset-path")
            }
            if traceTimeScale <= 0 { throw ValidationError("--trace-time-scale must be positive") }
            if let sweep, parseSweep(sweep) == nil {
                throw ValidationError("--sweep takes rate=1,2,4 or concurrency=1,8,64")
            }
        }

        func rate(_ text: String) -> Double? {
            if text == "inf" { return .infinity }
            guard let value = Double(text), value > 0 else { return nil }
            return value
        }

        func parseSweep(_ text: String) -> (String, [Double])? {
            let parts = text.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, ["rate", "concurrency"].contains(parts[0]) else { return nil }
            let values = parts[1].split(separator: ",").compactMap { rate(String($0)) }
            guard !values.isEmpty, values.count == parts[1].split(separator: ",").count else { return nil }
            return (String(parts[0]), values)
        }

        func run() async throws {
            let warmup =
                dataset == .mooncake
                ? (self.warmup ?? 0) : (self.warmup ?? min(maxConcurrency ?? 1, Self.defaultWarmupCap))
            let wanted = percentiles.split(separator: ",").compactMap {
                Double($0.trimmingCharacters(in: .whitespaces))
            }
            let datasetValue: Dataset
            switch dataset {
            case .random: datasetValue = .random(input: inputLen, output: outputLen ?? 128, rangeRatio: rangeRatio)
            case .fixed, .mooncake: datasetValue = .fixed(input: inputLen, output: outputLen ?? 128)
            case .sharegpt: datasetValue = .shareGPT(path: datasetPath ?? "", outputTokens: outputLen)
            }
            let requests: [RequestSpec]
            // A trace replay sends each request at its trace time (× --trace-time-scale); warm-up requests, when
            // asked for, are the trace's first lines and the rest keep their spacing.
            var traceArrivals: [Double]?
            var datasetDescription = describe(datasetValue)
            do {
                if dataset == .mooncake {
                    let trace = try TraceReplay.load(
                        path: datasetPath ?? "",
                        timeScale: traceTimeScale,
                        limit: numPrompts + (self.warmup ?? 0)
                    )
                    requests = trace.requests
                    let warm = min(self.warmup ?? 0, max(0, trace.arrivals.count - 1))
                    let base = trace.arrivals.isEmpty ? 0 : trace.arrivals[warm]
                    traceArrivals = trace.arrivals.dropFirst(warm).map { $0 - base }
                    datasetDescription = "mooncake(\(datasetPath ?? ""), time_scale=\(traceTimeScale))"
                } else {
                    requests = try datasetValue.requests(count: numPrompts + warmup, seed: seed)
                }
            } catch {
                throw fail(error)
            }
            let points: [LoadShape]
            let baseRate = rate(requestRate) ?? .infinity
            if let sweep, let (kind, values) = parseSweep(sweep) {
                points = values.map { value in
                    kind == "rate"
                        ? LoadShape(requestRate: value, burstiness: burstiness, maxConcurrency: maxConcurrency)
                        : LoadShape(requestRate: baseRate, burstiness: burstiness, maxConcurrency: Int(value))
                }
            } else {
                points = [LoadShape(requestRate: baseRate, burstiness: burstiness, maxConcurrency: maxConcurrency)]
            }
            let http = BenchmarkRunner.makeClient(
                connections: points.map { $0.maxConcurrency ?? numPrompts }.max() ?? numPrompts,
                threads: threads
            )
            let served: String
            do {
                served = try await resolveModel(http)
            } catch {
                try? await http.shutdown()
                throw error
            }
            let target = Target(
                baseURL: baseURL,
                endpoint: endpoint.value,
                model: served,
                ignoreEOS: !noIgnoreEos,
                timeout: timeout.duration
            )
            let interrupt = Interrupt()
            var results: [JSONValue] = []
            var interrupted = false
            points: for shape in points {
                let runner = BenchmarkRunner(
                    target: target,
                    shape: shape,
                    promptFormat: promptFormat.value,
                    warmup: warmup,
                    seed: seed
                )
                var runs: [JSONValue] = []
                var runMetrics: [ServingMetrics] = []
                for run in 1...numRuns {
                    let bar = ProgressBar(enabled: !json && isatty(STDERR_FILENO) == 1)
                    let recorder = try telemetry.start(baseURL: baseURL)
                    let task = Task {
                        await runner.run(requests, client: http, arrivals: traceArrivals) { bar.show($0) }
                    }
                    interrupt.onSignal { task.cancel() }
                    let outcome = await task.value
                    let recorded = await recorder.stop(runDuration: outcome.duration)
                    bar.finish()
                    let metrics = ServingMetrics(
                        records: outcome.records,
                        duration: outcome.duration,
                        percentiles: wanted,
                        goodput: Goodput(goodput)
                    )
                    let context = RunContext(
                        chip: chip,
                        scenario: scenario,
                        dataset: datasetDescription,
                        baseURL: baseURL,
                        endpoint: endpoint.value,
                        model: served,
                        shape: shape,
                        numPrompts: numPrompts,
                        warmup: warmup,
                        seed: seed,
                        percentiles: wanted,
                        goodput: Goodput(goodput)
                    )
                    var built = ServingResult.build(
                        outcome,
                        metrics: metrics,
                        context: context,
                        includeRequests: saveRequests
                    )
                    if case .object(var object) = built, case .object(var parity)? = object["parity"] {
                        parity["peak_in_flight"] = .number(Double(outcome.peakInFlight))
                        parity["client_threads"] = .number(Double(outcome.threads))
                        if numRuns > 1 { parity["run"] = .number(Double(run)) }
                        parity["steady_state"] = steadyStateJSON(outcome.records, percentiles: wanted)
                        parity["telemetry"] = recorded.json(
                            requests: outcome.records.count,
                            window: Telemetry.energyWindow(outcome.records, duration: outcome.duration)
                        )
                        if let slice {
                            parity["slices"] = slicesJSON(outcome.records, width: slice.seconds)
                        }
                        object["parity"] = .object(parity)
                        built = .object(object)
                    }
                    runs.append(try embedTyped(built, point: points.count > 1 ? results.count + 1 : nil))
                    runMetrics.append(metrics)
                    if !json {
                        if numRuns > 1 { print("== run \(run) of \(numRuns)") }
                        printSummary(metrics, outcome: outcome, shape: shape, percentiles: wanted)
                    }
                    if outcome.interrupted {
                        interrupted = true
                        break
                    }
                }
                if numRuns > 1, var first = runs.first {
                    // The first run's result, with every run and the statistics over them.
                    let repeated = RepeatedRuns(runMetrics)
                    if case .object(var object) = first, case .object(var parity)? = object["parity"] {
                        parity["num_runs"] = .object(["aggregate": repeated.json, "runs": .array(runs)])
                        object["parity"] = .object(parity)
                        first = .object(object)
                    }
                    results.append(first)
                    if !json { printRepeated(repeated) }
                } else if let only = runs.first {
                    results.append(only)
                }
                if interrupted { break points }
            }
            let document: JSONValue =
                results.count == 1 && sweep == nil ? results[0] : .object(["sweep": .array(results)])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(document)
            let resultFile = resultPath(model: served)
            if let path = resultFile {
                try data.write(to: URL(fileURLWithPath: path))
                if !json { Terminal.note("result written to \(path)") }
            }
            if let page = telemetry.htmlPath(result: resultFile) {
                try RunPage.html(resultJSON: data).write(toFile: page, atomically: true, encoding: .utf8)
                if !json { Terminal.note("run page written to \(page)") }
            }
            try? await http.shutdown()
            if json { print(String(decoding: data, as: UTF8.self)) }
            if sweep != nil, !json { printSweep(results) }
            if interrupted { throw ExitCode(130) }
        }

        /// The result with its typed record (`parity.measurement`) when the options say everything the record needs.
        func embedTyped(_ result: JSONValue, point: Int?) throws -> JSONValue {
            guard chip != nil, serving.isComplete, case .object(var object) = result,
                case .object(var parity)? = object["parity"]
            else {
                if serving.isAnyGiven, !json {
                    Terminal.note("no typed record embedded: it needs --chip, --chips, --engine and --weight-precision")
                }
                return result
            }
            // A run that cannot make a valid record (nothing completed) keeps its vLLM result and says why.
            do {
                var context = try serving.context(chip: chip, model: modelId, scenario: scenario)
                context.provenance = "parity bench serve"
                let measurement = try ServingFile.decode(
                    try JSONEncoder().encode(result),
                    path: "result",
                    context: context
                )
                guard var typed = measurement.first else { return result }
                if let point { typed.id += ".\(point)" }
                parity["measurement"] = try JSONDecoder().decode(JSONValue.self, from: ServingFile.line(typed))
                object["parity"] = .object(parity)
                return .object(object)
            } catch {
                Terminal.note("no typed record embedded: \(error)")
                return result
            }
        }

        func steadyStateJSON(_ records: [RequestRecord], percentiles: [Double]) -> JSONValue {
            guard let steady = TimeWindows.steadyState(records, percentiles: percentiles, goodput: Goodput(goodput))
            else {
                return .object(["rule": .string(SteadyState.rule), "window": .null])
            }
            let m = steady.metrics
            return .object([
                "rule": .string(SteadyState.rule),
                "start": .number(steady.start),
                "end": .number(steady.end),
                "completed": .number(Double(m.completed)),
                "request_throughput": .number(m.requestThroughput),
                "output_throughput": .number(m.outputThroughput),
                "median_ttft_ms": .number(m.ttft.median),
                "p99_ttft_ms": .number(m.ttft.percentiles[99] ?? Summary.percentile([], 99)),
                "median_tpot_ms": .number(m.tpot.median),
                "median_itl_ms": .number(m.itl.median),
                "median_e2el_ms": .number(m.e2el.median),
            ])
        }

        func slicesJSON(_ records: [RequestRecord], width: Double) -> JSONValue {
            .array(
                TimeWindows.slices(records, width: width).map { slice in
                    .object([
                        "start": .number(slice.start),
                        "end": .number(slice.end),
                        "completed": .number(Double(slice.completed)),
                        "output_tokens": .number(slice.outputTokens),
                        "request_throughput": .number(slice.requestThroughput),
                        "output_throughput": .number(slice.outputThroughput),
                        "median_ttft_ms": slice.medianTTFTMs.map(JSONValue.number) ?? .null,
                        "median_itl_ms": slice.medianITLMs.map(JSONValue.number) ?? .null,
                        "in_flight_at_start": .number(Double(slice.inFlightAtStart)),
                    ])
                }
            )
        }

        /// `--result`, or with vLLM's `--save-result` the file in `--result-dir` named `--result-filename` or, as
        /// vLLM names it, `parity-{rate}qps-concurrency{n}-{model}-{yyyyMMdd-HHmmss}.json`.
        func resultPath(model: String) -> String? {
            if let result { return result }
            guard saveResult || resultFilename != nil else { return nil }
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            formatter.timeZone = TimeZone(identifier: "UTC")
            let concurrency = maxConcurrency.map { "-concurrency\($0)" } ?? ""
            let base = model.split(separator: "/").last.map(String.init) ?? model
            let name =
                resultFilename
                ?? "parity-\(requestRate)qps\(concurrency)-\(base)-\(formatter.string(from: Date())).json"
            guard let directory = resultDir else { return name }
            return URL(fileURLWithPath: directory).appendingPathComponent(name).path
        }

        func printRepeated(_ repeated: RepeatedRuns) {
            print("== \(repeated.runs) runs: mean ± 95 % Student-t interval (CV)")
            for name in [
                "request_throughput", "output_throughput", "median_ttft_ms", "p99_ttft_ms", "median_tpot_ms",
                "median_itl_ms", "median_e2el_ms",
            ] {
                guard let m = repeated.metrics[name] else { continue }
                let line =
                    String(format: "%.3f", m.mean) + " [" + String(format: "%.3f", m.low) + ", "
                    + String(format: "%.3f", m.high) + "] (CV " + String(format: "%.1f", m.coefficientOfVariation * 100)
                    + " %)"
                print(name.padding(toLength: 40, withPad: " ", startingAt: 0) + line)
            }
        }

        func resolveModel(_ http: LoadClient) async throws -> String {
            if let model { return model }
            do {
                return try await BenchmarkRunner.servedModel(baseURL: baseURL, client: http)
            } catch {
                throw fail(BenchError("cannot find the model at \(baseURL)/v1/models (\(error)); pass --model"))
            }
        }

        func describe(_ dataset: Dataset) -> String {
            switch dataset {
            case .random(let input, let output, let ratio):
                "random(input=\(input), output=\(output), range_ratio=\(ratio))"
            case .fixed(let input, let output): "fixed(input=\(input), output=\(output))"
            case .shareGPT(let path, let output): "sharegpt(\(path)\(output.map { ", output=\($0)" } ?? ""))"
            }
        }

        func printSummary(_ m: ServingMetrics, outcome: RunOutcome, shape: LoadShape, percentiles: [Double]) {
            func line(_ label: String, _ value: String) {
                print(label.padding(toLength: 40, withPad: " ", startingAt: 0) + value)
            }
            func number(_ value: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }
            let load =
                (shape.requestRate.isFinite ? "\(number(shape.requestRate)) req/s" : "all at once")
                + (shape.maxConcurrency.map { ", max concurrency \($0)" } ?? "")
            print("============ Serving Benchmark Result ============")
            line("Load:", load)
            line("Successful requests:", "\(m.completed)")
            line("Failed requests:", "\(m.failed)")
            for (cause, count) in m.failures.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                line("  \(cause.rawValue):", "\(count)")
            }
            if outcome.interrupted { line("Interrupted:", "yes (partial results)") }
            line("Benchmark duration (s):", number(m.duration))
            line("Total input tokens:", "\(m.totalInputTokens)")
            line("Total generated tokens:", "\(m.totalOutputTokens)")
            line("Token counts from:", m.tokenCountSource == .serverUsage ? "server usage" : "client (no usage)")
            line("Request throughput (req/s):", number(m.requestThroughput))
            if let goodput = m.requestGoodput { line("Request goodput (req/s):", number(goodput)) }
            line("Output token throughput (tok/s):", number(m.outputThroughput))
            line("Total token throughput (tok/s):", number(m.totalTokenThroughput))
            for (title, name, summary) in [
                ("Time to First Token", "TTFT", m.ttft), ("Time per Output Token (excl. 1st token)", "TPOT", m.tpot),
                ("Inter-token Latency", "ITL", m.itl), ("End-to-end Latency", "E2EL", m.e2el),
            ] {
                let header = "-" + title + "-"
                print(header.padding(toLength: 50, withPad: "-", startingAt: 0))
                line("Mean \(name) (ms):", number(summary.mean))
                line("Median \(name) (ms):", number(summary.median))
                line("Std \(name) (ms):", number(summary.std))
                for p in percentiles where p != 50 {
                    let key = p == p.rounded() ? String(Int(p)) : String(p)
                    line("P\(key) \(name) (ms):", number(summary.percentiles[p] ?? 0))
                }
            }
            for note in outcome.notes { print("Note: \(note)") }
            print("==================================================")
        }

        func printSweep(_ results: [JSONValue]) {
            var table = TextTable(
                headers: [
                    "RATE", "CONCURRENCY", "REQ/S", "OUT TOK/S", "MEDIAN TTFT ms", "MEDIAN TPOT ms", "P99 ITL ms",
                    "FAILED",
                ],
                rightAligned: Set(0...7)
            )
            for result in results {
                func value(_ key: String, _ digits: Int = 1) -> String {
                    guard let number = result[key]?.double else {
                        if case .string(let text)? = result[key] { return text }
                        return "—"
                    }
                    return String(format: "%.\(digits)f", number)
                }
                table.append([
                    value("request_rate", 2), value("max_concurrency", 0), value("request_throughput", 2),
                    value("output_throughput"), value("median_ttft_ms"), value("median_tpot_ms"), value("p99_itl_ms"),
                    value("failed", 0),
                ])
            }
            print("\n" + table.render())
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum EndpointArgument: String, ExpressibleByArgument, CaseIterable {
    case completions, chat
    var value: Endpoint { self == .completions ? .completions : .chat }

    /// `completions`, `chat`, or vLLM's `--endpoint /v1/completions` and `/v1/chat/completions`.
    init?(argument: String) {
        switch argument {
        case "completions", Endpoint.completions.rawValue: self = .completions
        case "chat", Endpoint.chat.rawValue: self = .chat
        default: return nil
        }
    }
}

enum DatasetKind: String, ExpressibleByArgument, CaseIterable {
    case random, fixed, sharegpt, mooncake
}

enum PromptFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case auto, tokens, text
    var value: PromptFormat { PromptFormat(rawValue: rawValue) ?? .auto }
}

/// A one-line progress bar on standard error (only when it is a terminal).
final class ProgressBar: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ progress: LoadGen.Progress) {
        guard enabled else { return }
        let width = 30
        let filled = progress.total == 0 ? 0 : progress.done * width / progress.total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let text =
            "\r[\(bar)] \(progress.done)/\(progress.total) requests, \(progress.failed) failed, "
            + String(format: "%.1f s", progress.elapsed)
        lock.lock()
        FileHandle.standardError.write(Data(text.utf8))
        lock.unlock()
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// Ctrl-C cancels the running benchmark instead of killing the process, so that partial results are written.
final class Interrupt: @unchecked Sendable {
    private let source: any DispatchSourceSignal
    private var handler: (@Sendable () -> Void)?
    private let lock = NSLock()

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock()
            let handler = self.handler
            self.lock.unlock()
            handler?()
            FileHandle.standardError.write(Data("\ninterrupted: writing partial results\n".utf8))
        }
        source.resume()
    }

    func onSignal(_ handler: @escaping @Sendable () -> Void) {
        lock.lock()
        self.handler = handler
        lock.unlock()
    }
}
