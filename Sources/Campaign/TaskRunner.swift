import Catalogue
public import Foundation
public import LoadGen
public import Measure
public import Store

/// Runs one campaign task on this host (what each Slurm array task or Kubernetes pod executes): the suite,
/// results relabelled with the task's chip, host and stable IDs, written to the shared results folder, then
/// stored with the task marked done in one transaction — so a retried, resumed or collected task is never
/// stored twice.
public struct TaskRunner: Sendable {
    public let plan: CampaignPlan
    public let layout: CampaignLayout

    public init(plan: CampaignPlan) {
        self.plan = plan
        self.layout = CampaignLayout(plan: plan)
    }

    /// What a task produced: measurements, and for a serving task its parity.serving/1 document.
    public struct Outcome: Sendable {
        public var results: [BenchmarkResult]
        public var document: Data?

        public init(results: [BenchmarkResult], document: Data? = nil) {
            self.results = results
            self.document = document
        }
    }

    /// The task at `index`, or a clear error.
    public func task(_ index: Int) throws(CampaignError) -> CampaignTask {
        let tasks = plan.tasks
        guard tasks.indices.contains(index) else {
            throw .invalid("campaign \(plan.name) has tasks 0–\(tasks.count - 1); there is no task \(index)")
        }
        return tasks[index]
    }

    /// Stable result IDs: `<campaign>.<task>.<benchmark>[.<precision>]`, so that one task's results can be
    /// recognised wherever they turn up.
    public static func relabel(
        _ results: [BenchmarkResult],
        plan: CampaignPlan,
        task: CampaignTask
    ) -> [BenchmarkResult] {
        var seen: [String: Int] = [:]
        return results.map { result in
            var copy = result
            var id = "\(plan.name).\(task.key).\(result.benchmark.rawValue)"
            if let precision = result.precision { id += ".\(precision.rawValue)" }
            seen[id, default: 0] += 1
            if let count = seen[id], count > 1 { id += ".\(count)" }
            copy.id = id
            copy.chip = task.chip
            copy.host = task.host
            return copy
        }
    }

    /// Measures with the task's suite. A serve suite runs the serving benchmark in this process, within the
    /// plan's time limit: past it the benchmark is cancelled (its requests closed) and the task fails.
    public func measure(_ task: CampaignTask, progress: @escaping @Sendable (String) -> Void) async throws -> Outcome {
        let suite = Suite(rawValue: task.suite.suite) ?? .quick
        switch task.suite.kind {
        case .micro:
            if task.suite.backend == "cuda" {
                return Outcome(results: try CUDABackend().run(suite, chip: task.chip, progress: progress))
            }
            return Outcome(results: try CPUBackend().run(suite, chip: task.chip, progress: progress))
        case .probe:
            let parsed = try ProbeProtocol.run(command: task.suite.command ?? "false")
            for rejected in parsed.rejected { progress("probe: \(rejected)") }
            guard !parsed.results.isEmpty else { throw CampaignError.taskFailed("the probe printed no measurement") }
            return Outcome(results: parsed.results)
        case .serve:
            guard let serve = task.suite.serve else { throw CampaignError.invalid("serve suite without a base-url") }
            let configuration = try Self.serveConfiguration(
                serve,
                chip: task.chip,
                scenario: "\(plan.name).\(task.suite.name)",
                resultFile: layout.servingFile(task).path
            )
            let report = try await Self.withTimeLimit(.seconds(plan.timeLimitSeconds)) {
                try await ServeBenchmark.run(configuration) { event in
                    if case .runFinished(let run) = event {
                        progress(
                            "serve: \(run.metrics.completed) completed, \(run.metrics.failed) failed, "
                                + String(format: "%.2f req/s", run.metrics.requestThroughput)
                        )
                    }
                }
            }
            guard !report.interrupted else { throw CampaignError.taskFailed("the serving benchmark was interrupted") }
            return Outcome(results: [], document: report.data)
        }
    }

    /// A serve suite's scenario as the serving benchmark's configuration: what `parity bench serve` would run with
    /// the suite's options, `--chip` and `--scenario` (the suite's, the same on every host and repetition, so that
    /// the typed rows `<campaign>.<task>.serve` of one scenario can be compared and pooled) and `--result`.
    public static func serveConfiguration(
        _ serve: CampaignPlan.SuiteSpec.Serve,
        chip: String,
        scenario: String,
        resultFile: String?
    ) throws -> ServeConfiguration {
        let workload: ServeConfiguration.Workload
        if let trace = serve.trace {
            workload = .trace(path: trace, timeScale: serve.traceTimeScale ?? 1)
        } else if let conversations = serve.conversations {
            workload = .conversations(
                path: conversations,
                outputTokens: serve.outputLength,
                thinkTime: .milliseconds(Int64(((serve.thinkTime ?? 0) * 1000).rounded())),
                maxTurns: serve.maxTurns
            )
        } else {
            workload = .random(input: serve.inputLength, output: serve.outputLength, rangeRatio: 0)
        }
        var typed: ServingFile.Context?
        if let chips = serve.chips, let engine = serve.engine, let precision = serve.weightPrecision {
            guard let weightPrecision = Precision(rawValue: precision.lowercased()) else {
                throw CampaignError.invalid("weight-precision '\(precision)' is not a precision")
            }
            typed = ServingFile.Context(
                chip: chip,
                chips: chips,
                engine: engine,
                weightPrecision: weightPrecision,
                tensorParallel: serve.tensorParallel,
                scenario: scenario
            )
        }
        return ServeConfiguration(
            baseURL: serve.baseURL,
            model: serve.model,
            workload: workload,
            numPrompts: serve.numPrompts,
            load: LoadShape(
                requestRate: serve.requestRate == "inf" ? .infinity : Double(serve.requestRate) ?? .infinity,
                maxConcurrency: serve.maxConcurrency
            ),
            chip: chip,
            scenario: scenario,
            typedRecord: typed,
            output: resultFile.map(ServeConfiguration.Output.file) ?? .none
        )
    }

    /// Runs `body`, cancelling it at `limit`: then waits for it to wind down and throws that the task ran over.
    static func withTimeLimit<T: Sendable>(
        _ limit: Duration,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw CampaignError.taskFailed("over the time limit of \(limit)")
            }
            return value
        }
    }

    /// Runs the task and delivers its results; returns what the store did (nil without a store).
    public func run(
        _ index: Int,
        store: (any ResultStore)?,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> TaskCompletion? {
        let task = try task(index)
        try layout.prepare()
        layout.writeMarker(.init(state: .running, cause: nil, host: Self.hostName, time: Date()), index: index)
        TerminationMarker.arm(
            path: layout.marker(index).path,
            marker: .init(
                state: .failed,
                cause: "terminated by the scheduler (SIGTERM: cancelled, or over the time limit)",
                host: Self.hostName,
                time: Date()
            )
        )
        defer { TerminationMarker.disarm() }
        do {
            let outcome = try await measure(task, progress: progress)
            let results = Self.relabel(outcome.results, plan: plan, task: task)
            if !results.isEmpty {
                try ResultFile.encode(results).write(to: layout.resultFile(task), options: .atomic)
            }
            let completion = try await store?.completeCampaignTask(
                campaign: plan.name,
                task: task.key,
                index: index,
                results: results,
                document: outcome.document,
                at: Date()
            )
            layout.writeMarker(.init(state: .done, cause: nil, host: Self.hostName, time: Date()), index: index)
            return completion
        } catch {
            let cause = "\(error)"
            layout.writeMarker(.init(state: .failed, cause: cause, host: Self.hostName, time: Date()), index: index)
            try? await store?.recordCampaignTask(
                campaign: plan.name,
                task: task.key,
                index: index,
                state: .failed,
                cause: cause,
                at: Date()
            )
            throw CampaignError.taskFailed("task \(index) (\(task.key)) failed: \(cause)")
        }
    }

    /// Imports result files left on shared storage for tasks the store does not have yet.
    public func collect(into store: any ResultStore) async throws -> (imported: Int, alreadyStored: Int) {
        var imported = 0
        var already = 0
        for task in plan.tasks {
            let file = layout.resultFile(task)
            let serving = layout.servingFile(task)
            let results =
                FileManager.default.fileExists(atPath: file.path) ? try ResultFile.load(path: file.path) : []
            let document = try? Data(contentsOf: serving)
            guard !results.isEmpty || document != nil else { continue }
            switch try await store.completeCampaignTask(
                campaign: plan.name,
                task: task.key,
                index: task.index,
                results: results,
                document: document,
                at: Date()
            ) {
            case .stored: imported += 1
            case .alreadyDone: already += 1
            }
        }
        return (imported, already)
    }

    static var hostName: String { ProcessInfo.processInfo.hostName }
}
