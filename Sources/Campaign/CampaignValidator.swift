public import Assessment
import Catalogue
import Foundation

/// Checks a plan before anything runs: every chip known, and no directive in force forbidding the testing —
/// unless an override reason is given, which is then recorded with the campaign's results.
public struct CampaignValidator: Sendable {
    public struct Outcome: Sendable, Codable {
        public var campaign: String
        public var tasks: Int
        /// The directive check of the plan as a testing campaign.
        public var check: CheckReport
        public var overrideReason: String?
        /// `true` when a violation stands without an override.
        public var refused: Bool
        public var violated: [String]
    }

    public let checker: DirectiveChecker

    public init(checker: DirectiveChecker) {
        self.checker = checker
    }

    public func validate(_ plan: CampaignPlan, overrideReason: String?) throws -> Outcome {
        for host in plan.hosts {
            _ = try checker.chips.chip(host.chip)
        }
        let report = try checker.check(plan.testingPlan, alternatives: 0)
        let violated = report.lines.flatMap { line in
            line.findings.filter { $0.severity == .violation }.map(\.directive)
        }
        let reason = overrideReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        return Outcome(
            campaign: plan.name,
            tasks: plan.tasks.count,
            check: report,
            overrideReason: reason?.isEmpty == false ? reason : nil,
            refused: !violated.isEmpty && (reason?.isEmpty ?? true),
            violated: Array(Set(violated)).sorted()
        )
    }
}

extension CampaignValidator.Outcome {
    /// The refusal as an error naming the directives.
    public var refusal: CampaignError {
        .refused(
            directives: violated,
            message: "campaign \(campaign) is refused: testing is forbidden by \(violated.joined(separator: ", ")) "
                + "on \(check.lines.first?.line.date.description ?? "its date"); give --override-reason \"…\" to run it "
                + "anyway (the reason is stored with the results)"
        )
    }
}
