import Catalogue
import Foundation
import Testing
import Yams

@testable import Campaign

/// Structural checks of every field the Kubernetes API requires of a ConfigMap and an Indexed batch/v1 Job
/// (scripts/test also validates the same output against the Kubernetes JSON schema with kubernetes-validate).
@Suite struct KubernetesManifestTests {
    static func documents(_ yaml: String) throws -> [[String: Any]] {
        try Yams.load_all(yaml: yaml).map { try #require($0 as? [String: Any]) }
    }

    @Test func indexedJobAndConfigMap() throws {
        let plan = try CampaignPlan.decode(text: CampaignPlanTests.text, file: "plan.yaml")
        let yaml = try KubernetesManifests.render(plan: plan, planText: CampaignPlanTests.text)
        let documents = try Self.documents(yaml)
        #expect(documents.count == 2)
        let configMap = documents[0]
        #expect(configMap["apiVersion"] as? String == "v1" && configMap["kind"] as? String == "ConfigMap")
        let configName = try #require((configMap["metadata"] as? [String: Any])?["name"] as? String)
        #expect((configMap["data"] as? [String: String])?["plan.yaml"] == CampaignPlanTests.text)

        let job = documents[1]
        #expect(job["apiVersion"] as? String == "batch/v1" && job["kind"] as? String == "Job")
        let metadata = try #require(job["metadata"] as? [String: Any])
        #expect(metadata["name"] as? String == "parity-h20-check" && metadata["namespace"] as? String == "bench")
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        #expect(spec["completions"] as? Int == 12 && spec["parallelism"] as? Int == 4)
        #expect(spec["backoffLimitPerIndex"] as? Int == 2)
        let template = try #require(spec["template"] as? [String: Any])
        let podSpec = try #require(template["spec"] as? [String: Any])
        #expect(podSpec["restartPolicy"] as? String == "Never")
        #expect(podSpec["activeDeadlineSeconds"] as? Int == 1200)
        let containers = try #require(podSpec["containers"] as? [[String: Any]])
        let container = try #require(containers.first)
        #expect(
            container["name"] as? String == "parity" && container["image"] as? String == "registry.example/parity:1"
        )
        let command = try #require(container["command"] as? [String])
        #expect(command.prefix(3) == ["parity", "campaign", "task"])
        #expect(command.contains("$(JOB_COMPLETION_INDEX)"))
        let env = try #require(container["env"] as? [[String: Any]])
        #expect(env.first?["name"] as? String == "JOB_COMPLETION_INDEX")
        let resources = try #require(container["resources"] as? [String: Any])
        let limits = try #require(resources["limits"] as? [String: Any])
        #expect(limits["nvidia.com/gpu"] as? Int == 1)
        let volumes = try #require(podSpec["volumes"] as? [[String: Any]])
        let mounted = Set(
            try #require(container["volumeMounts"] as? [[String: Any]]).compactMap { $0["name"] as? String }
        )
        #expect(Set(volumes.compactMap { $0["name"] as? String }) == mounted)
        #expect((volumes.first?["configMap"] as? [String: Any])?["name"] as? String == configName)
    }

    @Test func resumeRunsOnlyTheGivenIndices() throws {
        let plan = try CampaignPlan.decode(text: CampaignPlanTests.text, file: "plan.yaml")
        let job = try Self.documents(
            try KubernetesManifests.render(plan: plan, planText: CampaignPlanTests.text, indices: [3, 7])
        )[1]
        let spec = try #require(job["spec"] as? [String: Any])
        #expect(spec["completions"] as? Int == 2)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        let command = try #require((pod["containers"] as? [[String: Any]])?.first?["command"] as? [String])
        #expect(command.suffix(2) == ["--indices", "3,7"])
        #expect(
            ((job["metadata"] as? [String: Any])?["name"] as? String)?.hasPrefix("parity-h20-check-resume-") == true
        )
    }

    @Test func podsCannotUseALocalSQLiteStore() throws {
        let text = CampaignPlanTests.text.replacingOccurrences(
            of: "postgres://parity@db.internal/parity",
            with: "results.sqlite"
        )
        let plan = try CampaignPlan.decode(text: text, file: "plan.yaml")
        #expect(throws: CampaignError.self) { try KubernetesManifests.render(plan: plan, planText: text) }
    }
}
