import Catalogue
import Foundation
public import Store

/// Writes the campaign's ConfigMap and Indexed Job to `kubernetes/` on the results storage; applying them is
/// the user's `kubectl apply -f`. Pods store their results and mark their tasks like Slurm tasks do, so
/// `status`, `collect` and `run --resume` work the same.
public struct KubernetesExecutor: CampaignExecutor {
    public var name: String { "kubernetes" }
    public let planText: String

    public init(planText: String) {
        self.planText = planText
    }

    public func submit(
        _ indices: [Int],
        plan: CampaignPlan,
        planPath: String,
        store: (any ResultStore)?
    ) async throws -> (job: String?, message: String) {
        let layout = CampaignLayout(plan: plan)
        try layout.prepare()
        let yaml = try KubernetesManifests.render(plan: plan, planText: planText, indices: indices)
        let file = layout.kubernetes.appendingPathComponent("job-\(Int(Date().timeIntervalSince1970)).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return (nil, "wrote \(file.path) (\(indices.count) task(s)); apply it with: kubectl apply -f \(file.path)")
    }

    public func states(
        _ submissions: [CampaignLayout.Submission]
    ) async throws -> [Int: (
        state: SchedulerState, reason: String?
    )] { [:] }
}
