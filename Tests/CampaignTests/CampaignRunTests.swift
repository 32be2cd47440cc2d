import Assessment
import Catalogue
import Foundation
import Measure
import ParityTesting
import Store
import Testing

@testable import Campaign

/// Campaigns run here with the local executor into a real store (SQLite and PostgreSQL): every task's results
/// arrive exactly once, however often tasks run or files are collected; failures are recorded with a cause.
@Suite struct CampaignRunTests {
    static func plan(
        in folder: URL,
        chip: String = "h20",
        date: String = "2025-09-01",
        probe: String
    ) throws -> CampaignPlan {
        try CampaignPlan.decode(
            text: """
                schema: parity.campaign/1
                name: local-run
                organisation: example
                country: CN
                date: \(date)
                hosts:
                  - {name: node, chip: \(chip), count: 3}
                suites:
                  - {name: probe, kind: probe, command: "\(probe)", repetitions: 2}
                results: {directory: \(folder.path)}
                """,
            file: folder.appendingPathComponent("plan.yaml").path
        )
    }

    /// A probe command that prints one real-format measurement (the probe protocol's own path).
    static func probe(_ folder: URL) throws -> String {
        let line = String(
            decoding: ResultFile.encode([StoreFixture.result("probe-output", chip: "h20")]),
            as: UTF8.self
        )
        let file = folder.appendingPathComponent("probe.jsonl")
        try line.write(to: file, atomically: true, encoding: .utf8)
        return "cat \(file.path)"
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parity-campaign-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test(arguments: StoreKind.available)
    func everyTaskIsStoredExactlyOnce(kind: StoreKind) async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try Self.plan(in: folder, probe: try Self.probe(folder))
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.registerCampaign(
                StoredCampaign(name: plan.name, plan: "…", overrideReason: nil, createdAt: Date())
            )
            let all = plan.tasks.map(\.index)
            #expect(all.count == 6)
            _ = try await LocalExecutor().submit(all, plan: plan, planPath: plan.file, store: store)
            var results = try await store.campaignResults(campaign: plan.name)
            #expect(results.count == 6)
            #expect(Set(results.map(\.id)).count == 6)
            #expect(results.allSatisfy { $0.id.hasPrefix("local-run.node-") && $0.chip == "h20" })
            #expect(Set(results.compactMap(\.host)) == ["node-0", "node-1", "node-2"])
            // Running every task again, and collecting the files, stores nothing twice.
            _ = try await LocalExecutor().submit(all, plan: plan, planPath: plan.file, store: store)
            let collected = try await TaskRunner(plan: plan).collect(into: store)
            #expect(collected.imported == 0 && collected.alreadyStored == 6)
            results = try await store.campaignResults(campaign: plan.name)
            #expect(results.count == 6)
            let status = try await CampaignStatus.gather(plan: plan, store: store, executor: nil)
            #expect(status.count(.done) == 6 && status.resubmittable.isEmpty)
            #expect(
                try await store.campaignTasks(campaign: plan.name).allSatisfy { $0.state == .done && $0.attempts == 1 }
            )
        }
    }

    @Test(arguments: StoreKind.available)
    func failuresAreRecordedAndResumeRunsOnlyWhatIsMissing(kind: StoreKind) async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = try Self.probe(folder)
        let flag = folder.appendingPathComponent("broken")
        // Fails while the flag file exists: the first run loses every task, the resumed one succeeds.
        let flaky = "test -e \(flag.path) && exit 4 || \(good)"
        try Data().write(to: flag)
        let plan = try Self.plan(in: folder, probe: flaky)
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.registerCampaign(
                StoredCampaign(name: plan.name, plan: "…", overrideReason: nil, createdAt: Date())
            )
            let layout = CampaignLayout(plan: plan)
            try layout.prepare()
            // Tasks 0–2 fail; 3–5 are never submitted.
            _ = try await LocalExecutor().submit([0, 1, 2], plan: plan, planPath: plan.file, store: store)
            try layout.append(.init(executor: "local", job: nil, indices: [0, 1, 2], time: Date()))
            let first = try await CampaignStatus.gather(plan: plan, store: store, executor: nil)
            #expect(first.count(.failed) == 3 && first.count(.missing) == 3)
            let failed = try #require(first.entries.first)
            #expect(failed.cause?.contains("the probe printed no measurement") == true, "\(failed.cause ?? "")")
            let recorded = try await store.campaignTasks(campaign: plan.name)
            #expect(recorded.count == 3 && recorded.allSatisfy { $0.state == .failed && $0.cause != nil })
            #expect(first.resubmittable == [0, 1, 2, 3, 4, 5])

            try FileManager.default.removeItem(at: flag)
            _ = try await LocalExecutor().submit(first.resubmittable, plan: plan, planPath: plan.file, store: store)
            try layout.append(.init(executor: "local", job: nil, indices: first.resubmittable, time: Date()))
            let second = try await CampaignStatus.gather(plan: plan, store: store, executor: nil)
            #expect(second.count(.done) == 6)
            #expect(second.retried == 3, "tasks 0–2 ran twice")
            #expect(try await store.campaignResults(campaign: plan.name).count == 6)
            #expect(try await store.campaignTasks(campaign: plan.name).filter { $0.attempts == 2 }.count == 3)
        }
    }

    @Test func aBannedChipIsRefusedUnlessOverridden() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let validator = CampaignValidator(
            checker: try DirectiveChecker(
                directives: try DirectiveCatalogue.load().directives,
                chips: try ChipCatalogue.load(),
                models: try ModelCatalogue.load()
            )
        )
        let banned = try Self.plan(in: folder, chip: "rtx-pro-6000d", date: "2025-10-01", probe: "true")
        let refused = try validator.validate(banned, overrideReason: nil)
        #expect(refused.refused)
        #expect(refused.violated == ["cn-cac-2025-09-rtx-pro-6000d"])
        #expect(refused.refusal.description.contains("cn-cac-2025-09-rtx-pro-6000d"))
        let overridden = try validator.validate(banned, overrideReason: "  export-compliance audit ticket 42 ")
        #expect(!overridden.refused && overridden.overrideReason == "export-compliance audit ticket 42")
        // Before the ban took effect, the same plan is allowed.
        let early = try Self.plan(in: folder, chip: "rtx-pro-6000d", date: "2025-09-01", probe: "true")
        #expect(try !validator.validate(early, overrideReason: nil).refused)
        // An unknown chip is an error naming it.
        let unknown = try Self.plan(in: folder, chip: "h2o", probe: "true")
        #expect(throws: (any Error).self) { try validator.validate(unknown, overrideReason: nil) }
    }
}
