import Assessment
import Catalogue
import Foundation
import ParityTesting
import Store
import Testing

@testable import Campaign

/// `campaign run` as the library's `CampaignLaunch`: a refused plan registers and submits nothing; a plan runs,
/// registers once, records its submission, and a resume then finds nothing to submit.
@Suite struct CampaignLaunchTests {
    static func validator() throws -> CampaignValidator {
        CampaignValidator(
            checker: try DirectiveChecker(
                directives: try DirectiveCatalogue.load().directives,
                chips: try ChipCatalogue.load(),
                models: try ModelCatalogue.load()
            )
        )
    }

    @Test(arguments: StoreKind.available)
    func aLaunchRunsRegistersAndResumesNothingTwice(kind: StoreKind) async throws {
        let folder = try CampaignRunTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try CampaignRunTests.plan(in: folder, probe: try CampaignRunTests.probe(folder))
        let launch = CampaignLaunch(
            plan: plan,
            planPath: plan.file,
            planText: "plan text",
            validator: try Self.validator()
        )
        try await StoreFixture.withStore(kind) { store in
            let outcome = try await launch.run(
                executor: LocalExecutor(),
                store: store,
                resume: false,
                overrideReason: nil
            )
            guard case .submitted(let indices, _, let status) = outcome else {
                Issue.record("expected a submission, got \(outcome)")
                return
            }
            #expect(indices == [0, 1, 2, 3, 4, 5])
            #expect(status?.count(.done) == 6)
            #expect(try await store.campaign(name: plan.name)?.plan == "plan text")
            #expect(try await store.campaignResults(campaign: plan.name).count == 6)
            #expect(CampaignLayout(plan: plan).submissions().map(\.indices) == [[0, 1, 2, 3, 4, 5]])
            let again = try await launch.run(executor: LocalExecutor(), store: store, resume: true, overrideReason: nil)
            guard case .nothingToResume(let resumed) = again else {
                Issue.record("expected nothing to resume, got \(again)")
                return
            }
            #expect(resumed.count(.done) == 6)
            #expect(
                CampaignLayout(plan: plan).submissions().count == 1,
                "a resume with nothing to do records nothing"
            )
        }
    }

    @Test func aRefusedPlanRegistersAndSubmitsNothing() async throws {
        let folder = try CampaignRunTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plan = try CampaignRunTests.plan(in: folder, chip: "rtx-pro-6000d", date: "2025-10-01", probe: "true")
        let launch = CampaignLaunch(plan: plan, planPath: plan.file, planText: "", validator: try Self.validator())
        try await StoreFixture.withStore(.sqlite) { store in
            let outcome = try await launch.run(
                executor: LocalExecutor(),
                store: store,
                resume: false,
                overrideReason: nil
            )
            guard case .refused(let refusal) = outcome else {
                Issue.record("expected a refusal, got \(outcome)")
                return
            }
            #expect(refusal.description.contains("cn-cac-2025-09-rtx-pro-6000d"))
            #expect(try await store.campaign(name: plan.name) == nil)
            #expect(try await store.campaignTasks(campaign: plan.name).isEmpty)
        }
    }
}
