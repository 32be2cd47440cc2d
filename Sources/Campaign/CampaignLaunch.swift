import Foundation
public import Store

/// `parity campaign run` as a library call: checks the plan against the directives in force, registers the
/// campaign in its store (the first registration's override reason is kept), works out which tasks to submit
/// (all, or with `resume` those not done and not queued or running), submits them through the executor, and
/// records the submission in the campaign's layout. The caller prints the outcome.
public struct CampaignLaunch: Sendable {
    public var plan: CampaignPlan
    /// The plan file's absolute path (executors hand it to the tasks).
    public var planPath: String
    /// The plan's text, stored with the campaign's registration.
    public var planText: String
    public var validator: CampaignValidator

    public init(plan: CampaignPlan, planPath: String, planText: String, validator: CampaignValidator) {
        self.plan = plan
        self.planPath = planPath
        self.planText = planText
        self.validator = validator
    }

    public enum Outcome: Sendable {
        /// A directive forbids the testing and no override reason was given: nothing was registered or submitted.
        case refused(CampaignError)
        /// `resume` found no task to submit again.
        case nothingToResume(CampaignStatus)
        /// The tasks were submitted; `message` is the executor's. For the local executor, `status` is the campaign's
        /// state after the run (the other executors return before their tasks run).
        case submitted(indices: [Int], message: String, status: CampaignStatus?)
    }

    /// Runs the launch against `store` (nil when the plan names none). `note` receives remarks for the operator
    /// (e.g. that an override recorded earlier applies).
    public func run(
        executor: any CampaignExecutor,
        store: (any ResultStore)?,
        resume: Bool,
        overrideReason: String?,
        note: @Sendable (String) -> Void = { _ in }
    ) async throws -> Outcome {
        let checked = try validator.validate(plan, overrideReason: overrideReason)
        if checked.refused { return .refused(checked.refusal) }
        let layout = CampaignLayout(plan: plan)
        try layout.prepare()
        if let store {
            let registered = try await store.registerCampaign(
                StoredCampaign(
                    name: plan.name,
                    plan: planText,
                    overrideReason: checked.overrideReason,
                    createdAt: Date()
                )
            )
            if let reason = registered.overrideReason, checked.overrideReason == nil, !checked.violated.isEmpty {
                note("running under the override recorded earlier: \(reason)")
            }
        }
        var indices = plan.tasks.map(\.index)
        if resume {
            let status = try await CampaignStatus.gather(plan: plan, store: store, executor: executor)
            indices = status.resubmittable
            if indices.isEmpty { return .nothingToResume(status) }
        }
        let submitted = try await executor.submit(indices, plan: plan, planPath: planPath, store: store)
        try layout.append(
            CampaignLayout.Submission(executor: executor.name, job: submitted.job, indices: indices, time: Date())
        )
        var status: CampaignStatus?
        if executor.name == "local" {
            status = try await CampaignStatus.gather(plan: plan, store: store, executor: nil)
        }
        return .submitted(indices: indices, message: submitted.message, status: status)
    }
}
