import Catalogue
import Foundation
import Testing

@testable import Assessment

@Suite struct DirectiveCheckTests {
    static let checker: DirectiveChecker? = try? DirectiveChecker(
        directives: DirectiveCatalogue.load().directives,
        chips: ChipCatalogue.load(),
        models: ModelCatalogue.load()
    )

    func plan(kind: String = "order", _ lines: String, date: String = "2025-10-01") throws -> ProcurementPlan {
        try ProcurementPlan.decode(
            text: "kind: \(kind)\norganisation: bytedance\ncountry: CN\ndate: \(date)\nlines:\n\(lines)",
            file: "plan.yaml"
        )
    }

    @Test func rtxPro6000DOrderAfterTheInstructionIsAViolation() throws {
        let checker = try #require(Self.checker)
        let after = try checker.check(try plan("  - {chip: rtx-pro-6000d, quantity: 5000}\n", date: "2025-09-18"))
        #expect(after.status == .violation)
        #expect(after.status.exitCode == 2)
        let finding = try #require(after.lines[0].findings.first)
        #expect(finding.directive == "cn-cac-2025-09-rtx-pro-6000d")
        #expect(finding.source.hasPrefix("https://"))
        // Alternatives are allowed on that date, ranked by composite, best first.
        let alternatives = after.lines[0].alternatives
        #expect(alternatives.count == 3)
        #expect(zip(alternatives, alternatives.dropFirst()).allSatisfy { $0.composite >= $1.composite })
        let chips = try ChipCatalogue.load()
        for alternative in alternatives {
            #expect(checker.findings(for: try chips.chip(alternative.chip), line: after.lines[0].line).isEmpty)
        }
    }

    @Test func theSameOrderBeforeTheInstructionIsClean() throws {
        let checker = try #require(Self.checker)
        let before = try checker.check(try plan("  - {chip: rtx-pro-6000d, quantity: 5000}\n", date: "2025-09-16"))
        #expect(before.status == .clean)
        #expect(before.lines[0].findings.isEmpty)
        #expect(before.lines[0].alternatives.isEmpty)
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

    @Test func domesticOrdersAreClean() throws {
        let checker = try #require(Self.checker)
        let order = try checker.check(
            try plan(
                "  - {chip: ascend-910c, quantity: 2000}\n  - {chip: mlu590, quantity: 500}\n  - {chip: t-head-ppu, quantity: 100}\n"
            )
        )
        #expect(order.status == .clean)
        #expect(order.lines.allSatisfy { $0.findings.isEmpty })
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
            text:
                "kind: order\norganisation: acme\ncountry: DE\ndate: 2025-10-01\nlines:\n  - {chip: rtx-pro-6000d, quantity: 8}\n",
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
}
