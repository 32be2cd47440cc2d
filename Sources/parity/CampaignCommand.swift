import ArgumentParser
import Assessment
import Campaign
import Catalogue
import Foundation
import Reporting
import Store

struct CampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Benchmark campaigns across many hosts through the scheduler you run (Slurm, Kubernetes) or here.",
        discussion: """
            A plan (YAML, schema parity.campaign/1) names hosts (each a chip), suites with repetitions, where results \
            go, time limits and retries. `validate` checks it against the directives in force; `run` submits one task \
            per host × suite × repetition; `status` counts done / pending / running / failed; `collect` imports \
            result files left on shared storage; `report` assesses the campaign's results. See docs/campaigns.md.
            """,
        subcommands: [Validate.self, Run.self, Status.self, Collect.self, Report.self, TaskCommand.self]
    )

    struct PlanOptions: ParsableArguments {
        @OptionGroup var catalogue: CatalogueOptions

        @Argument(help: ArgumentHelp("The campaign plan (YAML).", valueName: "plan"))
        var plan: String

        func load() throws -> CampaignPlan { try CampaignPlan.load(path: plan) }

        var absolutePath: String { URL(fileURLWithPath: plan).standardizedFileURL.path }

        func validator() throws -> CampaignValidator {
            CampaignValidator(
                checker: try DirectiveChecker(
                    directives: try catalogue.loadDirectives().directives,
                    chips: try catalogue.loadChips(),
                    models: try catalogue.loadModels()
                )
            )
        }

        /// The plan's store, opened for `body` (nil when the plan names none).
        func withStore<T: Sendable>(
            _ plan: CampaignPlan,
            _ body: ((any ResultStore)?) async throws -> T
        ) async throws -> T {
            guard let store = plan.results.store else { return try await body(nil) }
            return try await StoreLocation(store).withStore { try await body($0) }
        }
    }

    enum ExecutorKind: String, ExpressibleByArgument, CaseIterable {
        case local, slurm, kubernetes
    }

    static func executor(_ kind: ExecutorKind, plan: CampaignPlan, planPath: String) throws -> any CampaignExecutor {
        switch kind {
        case .local:
            return LocalExecutor { Terminal.note("… \($0)") }
        case .slurm:
            let executable =
                plan.slurm.executable
                ?? (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
            return SlurmExecutor(executable: executable)
        case .kubernetes:
            return KubernetesExecutor(planText: try String(contentsOfFile: planPath, encoding: .utf8))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a plan: fields, chips, and the directives in force on its date.",
            discussion: "Exit codes: 0 valid; 2 refused by a directive (no --override-reason); 1 invalid plan."
        )

        @OptionGroup var options: PlanOptions

        @Option(help: "Why the campaign may run although a directive forbids the testing (recorded with the results).")
        var overrideReason: String?

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let outcome = try reportingErrors {
                try options.validator().validate(try options.load(), overrideReason: overrideReason)
            }
            if json {
                try printJSON(outcome)
            } else {
                print(
                    "campaign \(outcome.campaign): \(outcome.tasks) task(s); directive check: \(outcome.check.status.rawValue)"
                )
                for line in outcome.check.lines {
                    for finding in line.findings {
                        print(
                            "  \(line.line.chip): \(finding.severity.rawValue) — \(finding.directive): \(finding.reason)"
                        )
                    }
                }
                if let reason = outcome.overrideReason, !outcome.violated.isEmpty {
                    print("  overridden: \(reason)")
                }
            }
            if outcome.refused {
                FileHandle.standardError.write(Data("error: \(outcome.refusal)\n".utf8))
                throw ExitCode(2)
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a campaign: here, as a Slurm job array, or as a Kubernetes Indexed Job.",
            discussion: """
                With --resume only tasks that are not done (and not queued or running) are submitted again; a task's \
                results are stored exactly once however often it runs. Exit codes: 0 submitted (or, for local, all \
                tasks done); 1 failure; 2 refused by a directive.
                """
        )

        @OptionGroup var options: PlanOptions

        @Option(help: "local, slurm or kubernetes.")
        var executor: ExecutorKind = .local

        @Flag(help: "Submit only the tasks that are missing, failed, cancelled or timed out.")
        var resume = false

        @Option(help: "Why the campaign may run although a directive forbids the testing (recorded with the results).")
        var overrideReason: String?

        func run() async throws {
            try await reportingFailures {
                let plan = try options.load()
                let path = options.absolutePath
                let launch = CampaignLaunch(
                    plan: plan,
                    planPath: path,
                    planText: try String(contentsOfFile: path, encoding: .utf8),
                    validator: try options.validator()
                )
                let executor = try CampaignCommand.executor(executor, plan: plan, planPath: path)
                let outcome = try await options.withStore(plan) { store in
                    try await launch.run(
                        executor: executor,
                        store: store,
                        resume: resume,
                        overrideReason: overrideReason,
                        note: { Terminal.note($0) }
                    )
                }
                switch outcome {
                case .refused(let refusal):
                    FileHandle.standardError.write(Data("error: \(refusal)\n".utf8))
                    throw ExitCode(2)
                case .nothingToResume(let status):
                    print(
                        "campaign \(plan.name): nothing to resume (\(status.count(.done)) done, "
                            + "\(status.count(.pending) + status.count(.running)) queued or running)"
                    )
                case .submitted(_, let message, let status):
                    print("campaign \(plan.name): \(message)")
                    if let status, status.count(.done) < plan.tasks.count, plan.results.store != nil {
                        throw CampaignError.taskFailed(
                            "\(plan.tasks.count - status.count(.done)) task(s) not done; see `parity campaign status`"
                        )
                    }
                }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count done / pending / running / failed / cancelled / timed-out / missing tasks.",
            discussion:
                "Reads the store, the scheduler (squeue) and the tasks' markers; records failures with their cause."
        )

        @OptionGroup var options: PlanOptions

        @Option(help: "The executor the campaign ran on (for scheduler states).")
        var executor: ExecutorKind?

        @Flag(help: "Print JSON.")
        var json = false

        @Option(
            help: ArgumentHelp("Refresh every N seconds until no task is pending or running.", valueName: "seconds")
        )
        var watch: Int?

        func run() async throws {
            try await reportingFailures {
                let plan = try options.load()
                let kind =
                    executor
                    ?? CampaignLayout(plan: plan).submissions().last.flatMap { ExecutorKind(rawValue: $0.executor) }
                let scheduler = try kind.map {
                    try CampaignCommand.executor($0, plan: plan, planPath: options.absolutePath)
                }
                try await options.withStore(plan) { store in
                    while true {
                        let status = try await CampaignStatus.gather(plan: plan, store: store, executor: scheduler)
                        let active = status.count(.pending) + status.count(.running)
                        if json {
                            try printJSON(status)
                        } else {
                            print(Self.summary(status, total: plan.tasks.count))
                        }
                        guard let watch, active > 0 else {
                            if !json { printFailures(status) }
                            return
                        }
                        try await Task.sleep(for: .seconds(watch))
                    }
                }
            }
        }

        static func summary(_ status: CampaignStatus, total: Int) -> String {
            let done = status.count(.done)
            let width = 30
            let filled = total > 0 ? done * width / total : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            return "\(status.campaign) \(bar) \(done)/\(total) done, \(status.count(.pending)) pending, "
                + "\(status.count(.running)) running, \(status.count(.failed)) failed, \(status.count(.cancelled)) "
                + "cancelled, \(status.count(.timeout)) timed out, \(status.count(.missing)) missing, "
                + "\(status.retried) retried"
        }

        func printFailures(_ status: CampaignStatus) {
            let problems = status.entries.filter { [.failed, .cancelled, .timeout].contains($0.state) }
            guard !problems.isEmpty else { return }
            var table = TextTable(headers: ["TASK", "INDEX", "STATE", "CAUSE"])
            for entry in problems {
                table.append([entry.task, String(entry.index), entry.state.rawValue, entry.cause ?? ""])
            }
            print(table.render())
        }
    }

    struct Collect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import result files left on shared storage into the store (tasks already stored are skipped)."
        )

        @OptionGroup var options: PlanOptions

        func run() async throws {
            try await reportingFailures {
                let plan = try options.load()
                guard plan.results.store != nil else {
                    throw CampaignError.invalid("\(plan.file): the plan names no results.store to collect into")
                }
                try await options.withStore(plan) { store in
                    guard let store else { return }
                    let collected = try await TaskRunner(plan: plan).collect(into: store)
                    print(
                        "campaign \(plan.name): imported \(collected.imported) task file(s); "
                            + "\(collected.alreadyStored) already stored"
                    )
                }
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assess the campaign's stored results against reference chips and write the report."
        )

        @OptionGroup var options: PlanOptions

        @Option(help: ArgumentHelp("Reference chip ids, comma-separated.", valueName: "ids"))
        var references: String = "h20,rtx-pro-6000d"

        @Option(help: ArgumentHelp("Report folder.", valueName: "dir"))
        var out: String = "parity-report"

        @Flag(help: "Print the assessment as JSON.")
        var json = false

        func run() async throws {
            try await reportingFailures {
                let plan = try options.load()
                let chips = try options.catalogue.loadChips()
                let (results, serving) = try await options.withStore(plan) { store in
                    let results = try await store?.campaignResults(campaign: plan.name) ?? []
                    let runs = try await store?.servingResults(ServingResultFilter(campaign: plan.name)) ?? []
                    return (
                        results,
                        runs.map { ServingInput(measurement: $0.measurement, tier: .measured, reference: $0.id) }
                    )
                }
                guard !results.isEmpty || !serving.isEmpty else {
                    throw CampaignError.invalid("campaign \(plan.name) has no stored results yet")
                }
                let candidates = try Array(Set(plan.hosts.map(\.chip))).sorted().map { try chips.chip($0) }
                let refs = try references.split(separator: ",").map { try chips.chip(String($0)) }
                let assessment = try Assessor.run(
                    AssessmentOptions(
                        candidates: candidates.filter { candidate in !refs.contains { $0.id == candidate.id } },
                        references: refs,
                        measurements: results,
                        servingResults: serving
                    ),
                    models: try options.catalogue.loadModels(),
                    generatedAt: Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
                )
                _ = try ReportWriter.write(assessment, to: URL(fileURLWithPath: out, isDirectory: true))
                if json { return try printJSON(assessment) }
                print(
                    "campaign \(plan.name): \(results.count) stored result(s) and \(serving.count) serving run(s) offered; "
                        + "\(assessment.comparisons.count) comparison(s); report in \(out)/"
                )
            }
        }
    }

    struct TaskCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "task",
            abstract: "Run one task of a campaign on this host (what each Slurm array task or Kubernetes pod runs)."
        )

        @OptionGroup var options: PlanOptions

        @Option(help: "Task index (the scheduler's array or completion index).")
        var index: Int

        @Option(
            help: ArgumentHelp("Comma-separated task indices; --index then picks the Nth of them.", valueName: "list")
        )
        var indices: String?

        @Option(help: ArgumentHelp("Use this results folder instead of the plan's (inside a pod).", valueName: "dir"))
        var resultsDirectory: String?

        func run() async throws {
            try await reportingFailures {
                var plan = try options.load()
                if let resultsDirectory { plan.results.directory = resultsDirectory }
                var target = index
                if let indices {
                    let list = indices.split(separator: ",").compactMap { Int($0) }
                    guard list.indices.contains(index) else {
                        throw CampaignError.invalid("--index \(index) is outside --indices (\(list.count) entries)")
                    }
                    target = list[index]
                }
                let runner = TaskRunner(plan: plan)
                let task = try runner.task(target)
                let completion = try await options.withStore(plan) { store in
                    try await runner.run(target, store: store) { line in Terminal.note("… \(line)") }
                }
                switch completion {
                case .stored(let count)?: print("task \(target) (\(task.key)): stored \(count) result(s)")
                case .alreadyDone?: print("task \(target) (\(task.key)): already done; nothing stored again")
                case nil: print("task \(target) (\(task.key)): results in \(runner.layout.resultFile(task).path)")
                }
            }
        }
    }
}
