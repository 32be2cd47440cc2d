import Foundation
import Testing

@testable import Catalogue

@Suite struct DirectiveDataTests {
    @Test func builtInDirectivesLoadWithSources() throws {
        let directives = try DirectiveCatalogue.load().directives
        let ids = Set(directives.map(\.id))
        for required in [
            "cn-cac-2025-09-rtx-pro-6000d", "cn-2025-08-h20-guidance", "us-bis-2025-04-h20-licence",
            "us-bis-2023-10-3a090",
        ] {
            #expect(ids.contains(required))
        }
        #expect(directives.count >= 13)
        for directive in directives {
            #expect(directive.source.hasPrefix("https://"), "\(directive.id) has no URL source")
            #expect(!directive.scope.actions.isEmpty)
            // Guidance may be issued after the requirement it confirms took effect (the May 2026 headquarters
            // guidance confirms a requirement of 17 Nov 2023); then its history starts by the effective date.
            #expect(
                directive.issued <= directive.effective
                    || directive.statusHistory.contains { $0.date <= directive.effective },
                "\(directive.id): issued \(directive.issued) after effective \(directive.effective)"
            )
            #expect(directive.version == 2, "\(directive.id)")
            #expect(directive.sourceKind != nil, "\(directive.id) has no source_kind")
            #expect(directive.alsoKinds.count == directive.also.count, "\(directive.id): also_kinds")
            #expect(directive.lastConfirmed != nil, "\(directive.id) has no last_confirmed")
            #expect(!directive.statusHistory.isEmpty, "\(directive.id) has no status_history")
            #expect(directive.statusHistory.allSatisfy { $0.source?.hasPrefix("https://") == true })
        }
        let cac = try #require(directives.first { $0.id == "cn-cac-2025-09-rtx-pro-6000d" })
        #expect(cac.effective == Day("2025-09-17"))
        #expect(cac.scope.actions == [.test, .order])
        #expect(!cac.inForce(on: Day("2025-09-16")!))
        #expect(cac.inForce(on: Day("2025-09-17")!))
    }

    /// The Affiliates rule was stayed "until November 9, 2026" (FR Doc 2025-19846) and nothing later is known:
    /// in force 29 Sep 2025, suspended 10 Nov 2025 to 9 Nov 2026, status unknown from 10 Nov 2026.
    @Test func affiliatesRuleStatusOverTime() throws {
        let directives = try DirectiveCatalogue.load().directives
        let rule = try #require(directives.first { $0.id == "us-bis-2025-09-affiliates-rule" })
        #expect(rule.standing(on: Day("2025-09-28")!).kind == .notYetEffective)
        #expect(rule.standing(on: Day("2025-10-01")!).kind == .applies)
        #expect(rule.standing(on: Day("2025-11-10")!).kind == .doesNotApply)
        #expect(rule.standing(on: Day("2026-11-09")!).status == .suspended)
        let after = rule.standing(on: Day("2026-12-01")!)
        #expect(after.kind == .unknown)
        #expect(after.explanation.hasPrefix("status unknown — review"))
        #expect(after.explanation.contains("2026-11-09"))
        #expect(after.explanation.contains("which no source confirms"))
        #expect(rule.scheduled.first?.confirmed == false)
        #expect(rule.scope.countries == ["*"])
        #expect(rule.scope.covers(country: "DE"))
        #expect(rule.scope.buyer?.ownedByListedPartiesPercentAtLeast == 50)
    }

    /// A press-reported instruction applies until its last confirmation (10 Oct 2025) and is unknown after.
    @Test func reportedDirectivesBecomeUnknownAfterTheirLastConfirmation() throws {
        let directives = try DirectiveCatalogue.load().directives
        let cac = try #require(directives.first { $0.id == "cn-cac-2025-09-rtx-pro-6000d" })
        #expect(cac.status == .reportedNotConfirmed)
        #expect(cac.standing(on: Day("2025-10-10")!).kind == .applies)
        #expect(cac.standing(on: Day("2025-10-11")!).kind == .unknown)
        #expect(cac.inForce(on: Day("2025-10-11")!))
        let xinchuang = try #require(directives.first { $0.id == "cn-miit-2025-12-xinchuang-ai-processors" })
        #expect(xinchuang.favoured?.vendors == ["Huawei", "Cambricon"])
        #expect(xinchuang.scope.buyer?.types == ["government", "state-owned-enterprise"])
    }

    @Test func malformedStatusHistoriesNameFileAndLine() {
        let base = """
            id: x
            version: 2
            title: "X"
            issuer: "Somebody"
            jurisdiction: US
            issued: 2025-01-13
            effective: 2025-01-15
            status: in-force
            status_history:
              - {date: 2025-01-15, status: in-force, source: "https://example.test/a"}
              - {date: 2025-02-01, status: paused, source: "https://example.test/b"}
            last_confirmed: 2025-03-01
            effect: prohibited
            severity: violation
            source: "https://example.test"
            source_kind: regulator
            scope: {countries: [CN], chips: [h20], actions: [order]}
            """
        #expect {
            try DirectiveCatalogue.decode(text: base, file: "x.yaml")
        } throws: { error in
            "\(error)".hasPrefix("x.yaml:11: field 'status_history[2].status'") && "\(error)".contains("paused")
        }
        let early = base.replacingOccurrences(of: "status: paused", with: "status: suspended")
            .replacingOccurrences(of: "last_confirmed: 2025-03-01", with: "last_confirmed: 2025-01-20")
        #expect {
            try DirectiveCatalogue.decode(text: early, file: "x.yaml")
        } throws: { error in
            "\(error)".contains("last_confirmed") && "\(error)".contains("before the latest status_history entry")
        }
        let unsourced = base.replacingOccurrences(
            of: ", status: paused, source: \"https://example.test/b\"",
            with: ", status: suspended"
        )
        #expect {
            try DirectiveCatalogue.decode(text: unsourced, file: "x.yaml")
        } throws: { error in
            "\(error)".contains("status_history[2]") && "\(error)".contains("has no source")
        }
    }

    @Test func endsBoundsTheDirective() throws {
        let text = """
            id: lapsed
            title: "A rule that was rescinded"
            issuer: "Somebody"
            jurisdiction: us
            issued: 2025-01-13
            effective: 2025-01-15
            ends: 2025-05-13
            status: rescinded
            effect: prohibited
            severity: violation
            source: "https://example.test/rule"
            scope: {countries: [CN], chips: [h20], actions: [order]}
            """
        let directive = try DirectiveCatalogue.decode(text: text, file: "lapsed.yaml")
        #expect(directive.jurisdiction == "US")
        #expect(directive.inForce(on: Day("2025-03-01")!))
        #expect(!directive.inForce(on: Day("2025-05-13")!))
    }

    @Test func malformedDirectivesNameFileAndLine() {
        let text = """
            id: bad
            title: "Bad"
            issuer: "Somebody"
            jurisdiction: CN
            issued: 2025-01-13
            effective: 2025-13-45
            status: in-force
            effect: prohibited
            severity: violation
            source: "https://example.test"
            scope: {countries: [CN], chips: [h20], actions: [order]}
            """
        #expect {
            try DirectiveCatalogue.decode(text: text, file: "bad.yaml")
        } throws: { error in
            "\(error)".hasPrefix("bad.yaml:6: field 'effective'")
        }
        let badAction = text.replacingOccurrences(of: "2025-13-45", with: "2025-01-15")
            .replacingOccurrences(of: "actions: [order]", with: "actions: [smuggle]")
        #expect {
            try DirectiveCatalogue.decode(text: badAction, file: "bad.yaml")
        } throws: { error in
            "\(error)".contains("bad.yaml:11") && "\(error)".contains("smuggle")
        }
    }

    @Test func supplyFiguresCarrySourcesOrEstimates() throws {
        let data = try #require(try SupplyData.loadBuiltIn().first)
        #expect(!data.output.isEmpty && !data.demand.isEmpty)
        for figure in data.output.map(\.units) + data.demand.map(\.units) {
            switch figure.provenance {
            case .spec(let source): #expect(source.hasPrefix("http"))
            case .estimate(let reason): #expect(!reason.isEmpty)
            default: Issue.record("supply figures are published or estimated")
            }
        }
        #expect(data.scenarios.contains { $0.id == "output-triples" && $0.growth[2026] == 3 })
        let unsourced = """
            id: x
            title: "x"
            region: CN
            output:
              - {vendor: V, chip: mlu590, year: 2025, units: {value: 10}}
            """
        #expect {
            try SupplyData.decode(text: unsourced, file: "s.yaml")
        } throws: { error in
            "\(error)".hasPrefix("s.yaml:5") && "\(error)".contains("has no source")
        }
    }
}
