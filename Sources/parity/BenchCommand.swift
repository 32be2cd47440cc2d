import ArgumentParser
import Foundation
import LoadGen
import Measure

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

                Workloads: --dataset mooncake replays a trace on its clock (--trace-time-scale); --dataset sharegpt \
                --multi-turn sends whole conversations, each turn with the earlier turns and the replies as \
                received, --think-time apart. --slo-search ttft:500 tpot:50 --goodput-target 0.9 finds the highest \
                --search-over rate or concurrency meeting the limits (bracket, then bisect with repeated runs) and \
                reports it with its interval and every probe's goodput (schema parity.slo-search/1).

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

        @Flag(
            help: """
                With --dataset sharegpt: send whole conversations, each turn with its history (the user's turns and \
                the replies as received); --num-prompts counts conversations.
                """
        )
        var multiTurn = false

        @Option(help: "Multi-turn: the wait between a reply and the next turn, e.g. 2s or 500ms.")
        var thinkTime: Duration = Duration(seconds: 0)

        @Option(help: "Multi-turn: the most turns sent per conversation.")
        var maxTurns: Int?

        @Option(
            parsing: .upToNextOption,
            help: """
                SLO search: the highest load at which --goodput-target of the requests meet every limit, e.g. \
                ttft:500 tpot:50 (milliseconds; e2el also).
                """
        )
        var sloSearch: [String] = []

        @Option(help: "SLO search: the share of requests that must meet every limit (0–1).")
        var goodputTarget: Double = 0.9

        @Option(help: "SLO search: rate (requests/s, open loop) or concurrency (closed loop).")
        var searchOver: SearchDimensionArgument = .rate

        @Option(help: "SLO search: the first load tried (default 1; doubled or halved to bracket the edge).")
        var searchStart: Double = 1

        @Option(help: "SLO search: the highest load tried.")
        var searchMax: Double = 100_000

        @Option(
            help: """
                SLO search: most runs per load (each with its own seed); a load passes when most of its runs meet \
                the target.
                """
        )
        var searchRepeats: Int = 3

        @Option(help: "SLO search: stop when the bracket is this narrow relative to its low end.")
        var searchTolerance: Double = 0.05

        @Option(help: "Run a curve: rate=1,2,4 or concurrency=1,8,64.")
        var sweep: String?

        @Flag(help: "Print the JSON result on standard output instead of the summary.")
        var json = false

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
            if multiTurn, dataset != .sharegpt { throw ValidationError("--multi-turn needs --dataset sharegpt") }
            if thinkTime.seconds < 0 { throw ValidationError("--think-time must not be negative") }
            if let maxTurns, maxTurns < 1 { throw ValidationError("--max-turns must be at least 1") }
            if !sloSearch.isEmpty {
                if Goodput(sloSearch) == nil {
                    throw ValidationError("--slo-search takes ttft:MS tpot:MS e2el:MS (any of them, milliseconds)")
                }
                if !(goodputTarget > 0 && goodputTarget <= 1) {
                    throw ValidationError("--goodput-target must be in (0, 1]")
                }
                if sweep != nil { throw ValidationError("--slo-search and --sweep do not go together") }
                if !(searchStart > 0) || !(searchMax >= searchStart) {
                    throw ValidationError("--search-start must be positive and at most --search-max")
                }
                if searchRepeats < 1 { throw ValidationError("--search-repeats must be at least 1") }
                if !(searchTolerance > 0 && searchTolerance < 1) {
                    throw ValidationError("--search-tolerance must be in (0, 1)")
                }
            }
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

        /// The options as the library's configuration; `problem` says what is missing for a typed record.
        func configuration() throws -> ServeConfiguration {
            let workload: ServeConfiguration.Workload
            switch dataset {
            case .random: workload = .random(input: inputLen, output: outputLen ?? 128, rangeRatio: rangeRatio)
            case .fixed: workload = .fixed(input: inputLen, output: outputLen ?? 128)
            case .sharegpt:
                workload =
                    multiTurn
                    ? .conversations(
                        path: datasetPath ?? "",
                        outputTokens: outputLen,
                        thinkTime: thinkTime.duration,
                        maxTurns: maxTurns
                    )
                    : .shareGPT(path: datasetPath ?? "", outputTokens: outputLen)
            case .mooncake: workload = .trace(path: datasetPath ?? "", timeScale: traceTimeScale)
            }
            var sweepValue: ServeConfiguration.Sweep?
            if let sweep, let (kind, values) = parseSweep(sweep) {
                sweepValue = kind == "rate" ? .rate(values) : .concurrency(values.map { Int($0) })
            }
            let output: ServeConfiguration.Output =
                if let result {
                    .file(result)
                } else if saveResult || resultFilename != nil {
                    .vLLMNamed(directory: resultDir, filename: resultFilename, rateLabel: requestRate)
                } else {
                    .none
                }
            var typed: ServingFile.Context?
            if chip != nil, serving.isComplete {
                typed = try serving.context(chip: chip, model: modelId, scenario: scenario)
            }
            return ServeConfiguration(
                baseURL: baseURL,
                endpoint: endpoint.value,
                model: model,
                workload: workload,
                numPrompts: numPrompts,
                load: LoadShape(
                    requestRate: rate(requestRate) ?? .infinity,
                    burstiness: burstiness,
                    maxConcurrency: maxConcurrency
                ),
                sweep: sweepValue,
                warmup: warmup,
                numRuns: numRuns,
                threads: threads,
                seed: seed,
                timeout: timeout.duration,
                goodput: goodput.isEmpty ? nil : Goodput(goodput),
                percentiles: percentiles.split(separator: ",").compactMap {
                    Double($0.trimmingCharacters(in: .whitespaces))
                },
                promptFormat: promptFormat.value,
                ignoreEOS: !noIgnoreEos,
                saveRequests: saveRequests,
                slice: slice?.seconds,
                chip: chip,
                scenario: scenario,
                typedRecord: typed,
                output: output
            )
        }

        func run() async throws {
            let configuration = try configuration()
            if !sloSearch.isEmpty {
                try await search(configuration)
                return
            }
            let console = ServeConsole(progressBar: !json && isatty(STDERR_FILENO) == 1)
            let typedWanted = serving.isAnyGiven && configuration.typedRecord == nil
            let task = Task { [json, numRuns] in
                try await ServeBenchmark.run(configuration) { event in
                    console.handle(event)
                    if case .runFinished(let run) = event {
                        if typedWanted, !json {
                            Terminal.note(
                                "no typed record embedded: it needs --chip, --chips, --engine and --weight-precision"
                            )
                        }
                        if let problem = run.typedRecordProblem {
                            Terminal.note("no typed record embedded: \(problem)")
                        }
                        if !json {
                            if numRuns > 1 { print("== run \(run.run) of \(numRuns)") }
                            Self.printSummary(
                                run.metrics,
                                outcome: run.outcome,
                                shape: run.shape,
                                percentiles: configuration.percentiles
                            )
                        }
                    }
                    if case .pointFinished(let point) = event, let repeated = point.repeated, !json {
                        Self.printRepeated(repeated)
                    }
                }
            }
            let interrupt = Interrupt()
            interrupt.onSignal { task.cancel() }
            let report: ServeReport
            do {
                report = try await task.value
            } catch {
                throw fail(error)
            }
            if let path = report.resultPath, !json { Terminal.note("result written to \(path)") }
            if json { print(String(decoding: report.data, as: UTF8.self)) }
            if sweep != nil, !json { Self.printSweep(report.points.map(\.result)) }
            if report.interrupted { throw ExitCode(130) }
        }

        /// `--slo-search`: the search over the configured workload, its probes as they finish, then the answer.
        func search(_ configuration: ServeConfiguration) async throws {
            guard let limits = Goodput(sloSearch) else { return }
            let search = SLOSearch(
                limits: limits,
                target: goodputTarget,
                dimension: searchOver.value,
                start: searchStart,
                maximum: searchMax,
                repeats: searchRepeats,
                tolerance: searchTolerance
            )
            let unit = searchOver == .rate ? "req/s" : "in flight"
            let task = Task { [json, goodputTarget] in
                try await search.run(configuration) { probe in
                    guard !json else { return }
                    let runs = probe.goodput.map { String(format: "%.3f", $0) }.joined(separator: ", ")
                    print(
                        "\(probe.phase) \(String(format: "%.2f", probe.value)) \(unit): goodput [\(runs)] → "
                            + (probe.passed ? "meets" : "misses") + " \(goodputTarget)"
                    )
                }
            }
            let interrupt = Interrupt()
            interrupt.onSignal { task.cancel() }
            let outcome: SLOSearch.Outcome
            do {
                outcome = try await task.value
            } catch {
                throw fail(error)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(outcome.json)
            if let path = result {
                do {
                    try data.write(to: URL(fileURLWithPath: path))
                } catch {
                    throw fail(BenchError("\(path): cannot write the result: \(error.localizedDescription)"))
                }
                if !json { Terminal.note("result written to \(path)") }
            }
            if json {
                print(String(decoding: data, as: UTF8.self))
            } else {
                let best = outcome.best.map { String(format: "%.2f", $0) } ?? "none (the lowest load tried fails)"
                let above = outcome.failedAbove.map { String(format: "%.2f", $0) } ?? "not reached"
                print("Highest \(searchOver.rawValue) meeting the SLOs: \(best) \(unit); interval [\(best), \(above))")
            }
            if outcome.interrupted { throw ExitCode(130) }
        }

        static func printRepeated(_ repeated: RepeatedRuns) {
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

        static func printSummary(_ m: ServingMetrics, outcome: RunOutcome, shape: LoadShape, percentiles: [Double]) {
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

        static func printSweep(_ results: [JSONValue]) {
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

/// Shows a running benchmark's progress bar on standard error (only when it is a terminal), one per run.
final class ServeConsole: @unchecked Sendable {
    private let bar: ProgressBar

    init(progressBar: Bool) {
        bar = ProgressBar(enabled: progressBar)
    }

    func handle(_ event: ServeEvent) {
        switch event {
        case .requests(let progress): bar.show(progress)
        case .runFinished: bar.finish()
        case .runStarted, .pointFinished: break
        }
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

enum SearchDimensionArgument: String, ExpressibleByArgument, CaseIterable {
    case rate, concurrency
    var value: SLOSearch.Dimension { self == .rate ? .rate : .concurrency }
}
