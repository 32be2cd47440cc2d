import Foundation
import Testing

@testable import Campaign

/// The plan of scripts/bench-campaign (issue 20): 1,000 tasks submitted as one Slurm array.
@Suite struct FleetCampaignTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/campaign/fleet-1000.yaml")

    /// The fixture with its placeholders filled as the script fills them.
    static func plan() throws -> CampaignPlan {
        let text = try String(contentsOf: fixture, encoding: .utf8)
            .replacingOccurrences(of: "@STORE@", with: "postgres://parity@127.0.0.1:5432/fleet")
            .replacingOccurrences(of: "@DIRECTORY@", with: "/shared/bench")
            .replacingOccurrences(of: "@PROBE_OUTPUT@", with: "/shared/probe.jsonl")
            .replacingOccurrences(of: "@PARITY@", with: "/opt/parity/bin/parity")
        return try CampaignPlan.decode(text: text, file: "/shared/fleet-1000.yaml")
    }

    @Test func theFleetPlanHasAThousandTasksWithUniqueKeys() throws {
        let plan = try Self.plan()
        let tasks = plan.tasks
        // 250 hosts × 1 suite × 4 repetitions.
        #expect(tasks.count == 1_000)
        #expect(tasks.map(\.index) == Array(0..<1_000))
        #expect(Set(tasks.map(\.key)).count == 1_000)
        #expect(tasks.first?.key == "node-0.replay.r1" && tasks.last?.key == "node-249.replay.r4")
        #expect(plan.retries == 1 && plan.timeLimitSeconds == 120)
    }

    @Test func theThousandTasksAreOneArray() throws {
        let plan = try Self.plan()
        let script = SlurmExecutor(executable: "/opt/parity/bin/parity").script(
            plan.tasks.map(\.index),
            plan: plan,
            planPath: "/shared/fleet-1000.yaml"
        )
        let arrays = script.split(separator: "\n").filter { $0.hasPrefix("#SBATCH --array=") }
        #expect(arrays == ["#SBATCH --array=0-999"])
    }
}
