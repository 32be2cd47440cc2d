import Catalogue
import ExportControl
import Foundation
import Testing

@testable import Assessment

@Suite struct DirectiveCheckTests {
    static let checker: DirectiveChecker? = try? DirectiveChecker(
        directives: DirectiveCatalogue.load().directives,
        chips: ChipCatalogue.load(),
        models: ModelCatalogue.load()
    )

    func plan(
        kind: String = "order",
        _ lines: String,
        date: String = "2025-10-01",
        buyer: String? = nil
    ) throws -> ProcurementPlan {
        try ProcurementPlan.decode(
            text: "kind: \(kind)\norganisation: bytedance\ncountry: CN\ndate: \(date)\n"
                + (buyer.map { "buyer: \($0)\n" } ?? "") + "lines:\n\(lines)",
            file: "plan.yaml"
        )
    }

    /// A private Chinese firm with no listed owner, no state funding: the facts buyer-scoped directives turn on.
    static let privateChineseFirm =
        "{types: [private-company], headquarters: CN, ultimate_parent: CN, owned_by_listed_parties_percent: 0}"

    @Test func rtxPro6000DOrderAfterTheInstructionIsAViolation() throws {
        let checker = try #require(Self.checker)
        let after = try checker.check(try plan("  - {chip: rtx-pro-6000d, quantity: 5000}\n", date: "2025-09-18"))
        #expect(after.status == .violation)
        #expect(after.status.exitCode == 2)
        let finding = try #require(after.lines[0].findings.first { $0.directive == "cn-cac-2025-09-rtx-pro-6000d" })
        #expect(finding.severity == .violation)
        #expect(finding.source.hasPrefix("https://"))
        // Alternatives are allowed on that date (at most conditional findings), ranked by composite, best first.
        let alternatives = after.lines[0].alternatives
        #expect(alternatives.count == 3)
        #expect(zip(alternatives, alternatives.dropFirst()).allSatisfy { $0.composite >= $1.composite })
        let chips = try ChipCatalogue.load()
        for alternative in alternatives {
            #expect(
                checker.findings(for: try chips.chip(alternative.chip), line: after.lines[0].line).allSatisfy(
                    \.isConditional
                )
            )
        }
    }

    @Test func theSameOrderBeforeTheInstructionHasNoChinaSideFinding() throws {
        let checker = try #require(Self.checker)
        let before = try checker.check(try plan("  - {chip: rtx-pro-6000d, quantity: 5000}\n", date: "2025-09-16"))
        #expect(before.status != .violation)
        #expect(!before.lines[0].findings.contains { $0.jurisdiction == "CN" && $0.condition == nil })
        // What is left is US-side and rests on the 6000D's estimated class or on buyer facts: warnings that say so.
        for finding in before.lines[0].findings {
            #expect(finding.severity == .warning)
            #expect(finding.isConditional, "\(finding.directive)")
            #expect(
                finding.reason.contains("estimate") || finding.reason.contains("undetermined")
                    || finding.condition != nil,
                "\(finding.directive)"
            )
        }
    }

    @Test func testingH20UnderTheEarlierGuidanceIsAWarning() throws {
        let checker = try #require(Self.checker)
        let campaign = try checker.check(
            try plan(kind: "campaign", "  - {chip: h20, quantity: 16}\n", date: "2025-09-01")
        )
        #expect(campaign.status == .warning)
        #expect(campaign.status.exitCode == 1)
        #expect(campaign.lines[0].findings.map(\.directive) == ["cn-2025-08-h20-guidance"])
        // Before the guidance, a test campaign on H20 is clean (the US licence rule governs orders, not tests).
        let earlier = try checker.check(
            try plan(kind: "campaign", "  - {chip: h20, quantity: 16}\n", date: "2025-07-01")
        )
        #expect(earlier.status == .clean)
    }

    @Test func domesticOrdersMeetOnlyTheUSGuidanceOnPRCChips() throws {
        let checker = try #require(Self.checker)
        let order = try checker.check(
            try plan(
                "  - {chip: ascend-910c, quantity: 2000}\n  - {chip: mlu590, quantity: 500}\n  - {chip: t-head-ppu, quantity: 100}\n",
                buyer: Self.privateChineseFirm
            )
        )
        #expect(order.status != .violation)
        for line in order.lines {
            #expect(line.findings.allSatisfy { $0.directive == "us-bis-2025-05-prc-advanced-ic-gp10" })
            #expect(line.findings.allSatisfy { $0.severity == .warning })
        }
        // The guidance names the Ascend 910C.
        #expect(order.lines[0].findings.first?.reason.hasPrefix("names ascend-910c") == true)
    }

    @Test func classRulesReachUSChipsOnly() throws {
        let checker = try #require(Self.checker)
        let order = try checker.check(try plan("  - {chip: h100-sxm, quantity: 8}\n", date: "2024-06-01"))
        #expect(order.status == .violation)
        #expect(order.lines[0].findings.first?.directive == "us-bis-2023-10-3a090")
        // Before the rule took effect, the same order passes.
        #expect(try checker.check(try plan("  - {chip: h100-sxm, quantity: 8}\n", date: "2023-06-01")).status == .clean)
    }

    @Test func otherCountriesAreOutOfScope() throws {
        let checker = try #require(Self.checker)
        let plan = try ProcurementPlan.decode(
            text: """
                kind: order
                organisation: acme
                country: DE
                date: 2025-10-01
                buyer: {headquarters: DE, ultimate_parent: DE, owned_by_listed_parties_percent: 0}
                lines:
                  - {chip: rtx-pro-6000d, quantity: 8}
                """,
            file: "de.yaml"
        )
        #expect(try checker.check(plan).status == .clean)
    }

    @Test func unknownChipsNameFileAndLine() throws {
        let checker = try #require(Self.checker)
        #expect {
            try checker.check(try plan("  - {chip: h20, quantity: 1}\n  - {chip: rtx-pro-600d, quantity: 5}\n"))
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("plan.yaml:7: field 'lines[2].chip'") && text.contains("rtx-pro-6000d")
        }
        #expect {
            try checker.check(try plan("  - {chip: h20, quantity: 1, workload: gpt-9}\n"))
        } throws: { error in
            "\(error)".hasPrefix("plan.yaml:6: field 'lines[1].workload'")
        }
    }

    // MARK: - Status over time and licence policy

    /// The Affiliates rule was stayed until 9 Nov 2026 and nothing later is known: an order of 1 Dec 2026 by a
    /// buyer 60 % owned by listed parties gets a warning that says the status is unknown, not a silent pass.
    @Test func anOrderAfterTheAffiliatesRuleLastConfirmationWarnsStatusUnknown() throws {
        let checker = try #require(Self.checker)
        let report = try checker.check(
            try plan(
                "  - {chip: h200-sxm, quantity: 1000}\n",
                date: "2026-12-01",
                buyer:
                    "{types: [private-company], headquarters: CN, ultimate_parent: CN, owned_by_listed_parties_percent: 60}"
            )
        )
        let finding = try #require(report.lines[0].findings.first { $0.directive == "us-bis-2025-09-affiliates-rule" })
        #expect(finding.severity == .warning)
        #expect(finding.standing?.kind == .unknown)
        let standing = try #require(finding.standing)
        #expect(standing.explanation.hasPrefix("status unknown — review"))
        #expect(standing.explanation.contains("last confirmed 2026-11-09"))
        #expect(standing.lastConfirmed == Day("2026-11-09"))
        // Inside the suspension (1 Jun 2026) the rule does not apply.
        let during = try checker.check(
            try plan(
                "  - {chip: h200-sxm, quantity: 1000}\n",
                date: "2026-06-01",
                buyer:
                    "{types: [private-company], headquarters: CN, ultimate_parent: CN, owned_by_listed_parties_percent: 60}"
            )
        )
        #expect(!during.lines[0].findings.contains { $0.directive == "us-bis-2025-09-affiliates-rule" })
        // Without ownership facts the finding says what it turns on.
        let unknownBuyer = try checker.check(try plan("  - {chip: h200-sxm, quantity: 1000}\n", date: "2026-12-01"))
        let conditional = try #require(
            unknownBuyer.lines[0].findings.first { $0.directive == "us-bis-2025-09-affiliates-rule" }
        )
        #expect(conditional.condition?.contains("50 % owned") == true)
    }

    /// H200 (TPP 15,832; 4.8 TB/s) to China: presumption of denial before 15 Jan 2026 (a violation), case-by-case
    /// from then on (a warning with the conditions' rule named).
    @Test func h200OrdersFollowTheLicenceReviewTiers() throws {
        let checker = try #require(Self.checker)
        let before = try checker.check(
            try plan("  - {chip: h200-sxm, quantity: 8}\n", date: "2025-12-01", buyer: Self.privateChineseFirm)
        )
        let rule = try #require(before.lines[0].findings.first { $0.directive == "us-bis-2023-10-3a090" })
        #expect(rule.severity == .violation)
        #expect(rule.reason.contains("presumption-of-denial"))
        let after = try checker.check(
            try plan("  - {chip: h200-sxm, quantity: 8}\n", date: "2026-02-01", buyer: Self.privateChineseFirm)
        )
        let tier = try #require(after.lines[0].findings.first { $0.directive == "us-bis-2023-10-3a090" })
        #expect(tier.severity == .warning)
        #expect(tier.reason.contains("case-by-case"))
        #expect(after.lines[0].outlook?.us.policy == "case-by-case")
    }

    /// The domestic-only rule for state-funded data centres (Reuters, 5 Nov 2025; last report 10 Nov 2025) reaches a
    /// buyer only when the plan says it is one: a project 20 % complete is in (< 30 %), a private firm is not.
    @Test func buyerFactsDecideBuyerScopedDirectives() throws {
        let checker = try #require(Self.checker)
        let stateFunded = try checker.check(
            try plan(
                "  - {chip: h20, quantity: 100}\n",
                date: "2025-11-06",
                buyer: "{types: [state-funded-data-centre], project_completion_percent: 20, headquarters: CN}"
            )
        )
        let rule = try #require(
            stateFunded.lines[0].findings.first { $0.directive == "cn-2025-11-state-funded-dc-domestic-only" }
        )
        #expect(rule.severity == .violation)
        #expect(rule.condition == nil)
        #expect(stateFunded.status == .violation)
        let privateFirm = try checker.check(
            try plan("  - {chip: h20, quantity: 100}\n", date: "2025-11-06", buyer: Self.privateChineseFirm)
        )
        #expect(!privateFirm.lines[0].findings.contains { $0.directive == "cn-2025-11-state-funded-dc-domestic-only" })
        // Unstated: a warning that says what it turns on.
        let unstated = try checker.check(try plan("  - {chip: h20, quantity: 100}\n", date: "2025-11-06"))
        let conditional = try #require(
            unstated.lines[0].findings.first { $0.directive == "cn-2025-11-state-funded-dc-domestic-only" }
        )
        #expect(conditional.severity == .warning)
        #expect(conditional.condition?.hasPrefix("applies if the buyer is state funded data centre") == true)
    }
}
