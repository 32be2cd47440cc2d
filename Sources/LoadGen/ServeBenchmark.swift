import Catalogue
public import Foundation
import Measure

/// The serving-benchmark workflow: the dataset, the client and its lifecycle, every point and run, the result
/// assembly (vLLM's keys, the `parity` object, statistics over runs, the typed record) and the result file. Used
/// by `parity bench serve`, campaign serve tasks and the SLO search; reports progress through `events` and prints
/// nothing. Cancelling the calling task stops the run in progress and returns what finished, marked interrupted.
public enum ServeBenchmark {
    /// Runs `configuration`; throws only when nothing can be measured (unreadable dataset, no model to name).
    public static func run(
        _ configuration: ServeConfiguration,
        events: @escaping @Sendable (ServeEvent) -> Void = { _ in }
    ) async throws -> ServeReport {
        if let problem = configuration.problem { throw LoadClientError(problem) }
        let plan = try PreparedWorkload(configuration)
        let points = configuration.points
        let client = BenchmarkRunner.makeClient(
            connections: points.map { $0.maxConcurrency ?? configuration.numPrompts }.max() ?? configuration.numPrompts,
            threads: configuration.threads
        )
        do {
            let report = try await run(configuration, plan: plan, points: points, client: client, events: events)
            try? await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The requests of a configuration, built once for every point and run.
    struct PreparedWorkload {
        var requests: [RequestSpec] = []
        /// A trace replay's send times (seconds from the first measured request).
        var arrivals: [Double]?
        var conversations: [Conversation]?
        var warmup: Int

        init(_ configuration: ServeConfiguration) throws {
            warmup = configuration.resolvedWarmup
            let count = configuration.numPrompts
            switch configuration.workload {
            case .random(let input, let output, let ratio):
                requests = try Dataset.random(input: input, output: output, rangeRatio: ratio)
                    .requests(count: count + warmup, seed: configuration.seed)
            case .fixed(let input, let output):
                requests = try Dataset.fixed(input: input, output: output)
                    .requests(count: count + warmup, seed: configuration.seed)
            case .shareGPT(let path, let output):
                requests = try Dataset.shareGPT(path: path, outputTokens: output)
                    .requests(count: count + warmup, seed: configuration.seed)
            case .trace(let path, let scale):
                // Each request at its trace time (× the scale); warm-up requests, when asked for, are the trace's
                // first lines and the rest keep their spacing.
                let trace = try TraceReplay.load(path: path, timeScale: scale, limit: count + warmup)
                requests = trace.requests
                let warm = min(warmup, max(0, trace.arrivals.count - 1))
                let base = trace.arrivals.isEmpty ? 0 : trace.arrivals[warm]
                arrivals = trace.arrivals.dropFirst(warm).map { $0 - base }
            case .conversations(let path, let output, _, let turns):
                conversations = try Conversation.load(
                    path: path,
                    count: count,
                    seed: configuration.seed,
                    outputTokens: output,
                    maxTurns: turns
                )
                warmup = 0
            }
        }
    }

    static func run(
        _ configuration: ServeConfiguration,
        plan: PreparedWorkload,
        points: [LoadShape],
        client: LoadClient,
        events: @escaping @Sendable (ServeEvent) -> Void
    ) async throws -> ServeReport {
        let served: String
        if let model = configuration.model {
            served = model
        } else {
            do {
                served = try await BenchmarkRunner.servedModel(baseURL: configuration.baseURL, client: client)
            } catch {
                throw LoadClientError(
                    "cannot find the model at \(configuration.baseURL)/v1/models (\(error)); pass --model"
                )
            }
        }
        let target = Target(
            baseURL: configuration.baseURL,
            endpoint: configuration.endpoint,
            model: served,
            ignoreEOS: configuration.ignoreEOS,
            timeout: configuration.timeout
        )
        var results: [ServePoint] = []
        var interrupted = false
        points: for (pointIndex, shape) in points.enumerated() {
            let runner = BenchmarkRunner(
                target: target,
                shape: shape,
                promptFormat: configuration.promptFormat,
                warmup: plan.warmup,
                seed: configuration.seed
            )
            var runs: [ServeRun] = []
            for run in 1...configuration.numRuns {
                events(.runStarted(point: pointIndex, run: run, shape: shape))
                for observer in configuration.observers { await observer.runStarting(point: pointIndex, run: run) }
                let progress: @Sendable (Progress) -> Void = { events(.requests($0)) }
                let outcome: RunOutcome
                if let conversations = plan.conversations,
                    case .conversations(_, _, let think, _) = configuration.workload
                {
                    outcome = await runner.run(conversations, thinkTime: think, client: client, progress: progress)
                } else {
                    outcome = await runner.run(
                        plan.requests,
                        client: client,
                        arrivals: plan.arrivals,
                        progress: progress
                    )
                }
                var measured = measure(
                    outcome,
                    configuration: configuration,
                    model: served,
                    shape: shape,
                    warmup: plan.warmup,
                    run: run
                )
                measured.point = pointIndex
                if !configuration.observers.isEmpty, case .object(var object) = measured.result,
                    case .object(var parity)? = object["parity"]
                {
                    for observer in configuration.observers {
                        for (key, value) in await observer.runFinished(outcome) { parity[key] = value }
                    }
                    object["parity"] = .object(parity)
                    measured.result = .object(object)
                }
                (measured.result, measured.typedRecordProblem) = embedTyped(
                    measured.result,
                    configuration: configuration,
                    point: points.count > 1 ? pointIndex + 1 : nil
                )
                runs.append(measured)
                events(.runFinished(measured))
                if outcome.interrupted {
                    interrupted = true
                    break
                }
            }
            var point = ServePoint(shape: shape, runs: runs, repeated: nil, result: runs.first?.result ?? .null)
            if configuration.numRuns > 1, case .object(var object)? = runs.first?.result,
                case .object(var parity)? = object["parity"]
            {
                // The first run's result, with every run and the statistics over them.
                let repeated = RepeatedRuns(runs.map(\.metrics))
                parity["num_runs"] = .object(["aggregate": repeated.json, "runs": .array(runs.map(\.result))])
                object["parity"] = .object(parity)
                point.result = .object(object)
                point.repeated = repeated
            }
            results.append(point)
            events(.pointFinished(point))
            if interrupted { break points }
        }
        let document: JSONValue =
            results.count == 1 && configuration.sweep == nil
            ? results[0].result : .object(["sweep": .array(results.map(\.result))])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(document)
        let path = resultPath(configuration, model: served)
        if let path {
            do {
                try data.write(to: URL(fileURLWithPath: path))
            } catch {
                throw LoadClientError("\(path): cannot write the result: \(error.localizedDescription)")
            }
        }
        return ServeReport(
            model: served,
            points: results,
            document: document,
            data: data,
            resultPath: path,
            interrupted: interrupted
        )
    }

    /// One run's metrics and JSON result (before the typed record).
    static func measure(
        _ outcome: RunOutcome,
        configuration: ServeConfiguration,
        model: String,
        shape: LoadShape,
        warmup: Int,
        run: Int
    ) -> ServeRun {
        let metrics = ServingMetrics(
            records: outcome.records,
            duration: outcome.duration,
            percentiles: configuration.percentiles,
            goodput: configuration.goodput
        )
        let context = RunContext(
            chip: configuration.chip,
            scenario: configuration.scenario,
            dataset: configuration.datasetDescription,
            baseURL: configuration.baseURL,
            endpoint: configuration.endpoint,
            model: model,
            shape: shape,
            numPrompts: configuration.numPrompts,
            warmup: warmup,
            seed: configuration.seed,
            percentiles: configuration.percentiles,
            goodput: configuration.goodput
        )
        var built = ServingResult.build(
            outcome,
            metrics: metrics,
            context: context,
            includeRequests: configuration.saveRequests
        )
        if case .object(var object) = built, case .object(var parity)? = object["parity"] {
            parity["peak_in_flight"] = .number(Double(outcome.peakInFlight))
            parity["client_threads"] = .number(Double(outcome.threads))
            if configuration.numRuns > 1 { parity["run"] = .number(Double(run)) }
            parity["steady_state"] = steadyStateJSON(
                outcome.records,
                percentiles: configuration.percentiles,
                goodput: configuration.goodput
            )
            if let slice = configuration.slice {
                parity["slices"] = slicesJSON(outcome.records, width: slice)
            }
            if case .conversations(_, _, let think, _) = configuration.workload {
                parity["multi_turn"] = .object([
                    "conversations": .number(Double(configuration.numPrompts)),
                    "think_time_s": .number(think.inSeconds),
                    "turns_sent": .number(Double(outcome.records.count)),
                ])
            }
            object["parity"] = .object(parity)
            built = .object(object)
        }
        return ServeRun(
            point: 0,
            run: run,
            shape: shape,
            outcome: outcome,
            metrics: metrics,
            result: built,
            typedRecordProblem: nil
        )
    }

    /// The result with its typed record (`parity.measurement`) when the configuration has what the record needs;
    /// a run that cannot make a valid record (nothing completed) keeps its vLLM result and says why.
    static func embedTyped(
        _ result: JSONValue,
        configuration: ServeConfiguration,
        point: Int?
    ) -> (JSONValue, String?) {
        guard var context = configuration.typedRecord, case .object(var object) = result,
            case .object(var parity)? = object["parity"]
        else { return (result, nil) }
        do {
            context.provenance = "parity bench serve"
            let measurement = try ServingFile.decode(
                try JSONEncoder().encode(result),
                path: "result",
                context: context
            )
            guard var typed = measurement.first else { return (result, nil) }
            if let point { typed.id += ".\(point)" }
            parity["measurement"] = try JSONDecoder().decode(JSONValue.self, from: ServingFile.line(typed))
            object["parity"] = .object(parity)
            return (.object(object), nil)
        } catch {
            return (result, "\(error)")
        }
    }

    static func steadyStateJSON(_ records: [RequestRecord], percentiles: [Double], goodput: Goodput?) -> JSONValue {
        guard let steady = TimeWindows.steadyState(records, percentiles: percentiles, goodput: goodput) else {
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

    static func slicesJSON(_ records: [RequestRecord], width: Double) -> JSONValue {
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

    /// The result file: a path, or with vLLM's `--save-result` the file in its directory named as given or, as
    /// vLLM names it, `parity-{rate}qps-concurrency{n}-{model}-{yyyyMMdd-HHmmss}.json`.
    public static func resultPath(_ configuration: ServeConfiguration, model: String, now: Date = Date()) -> String? {
        switch configuration.output {
        case .none: return nil
        case .file(let path): return path
        case .vLLMNamed(let directory, let filename, let rateLabel):
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            formatter.timeZone = TimeZone(identifier: "UTC")
            let concurrency = configuration.load.maxConcurrency.map { "-concurrency\($0)" } ?? ""
            let base = model.split(separator: "/").last.map(String.init) ?? model
            let name = filename ?? "parity-\(rateLabel)qps\(concurrency)-\(base)-\(formatter.string(from: now)).json"
            guard let directory else { return name }
            return URL(fileURLWithPath: directory).appendingPathComponent(name).path
        }
    }
}
