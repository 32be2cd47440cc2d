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
        for directive in directives {
            #expect(directive.source.hasPrefix("https://"), "\(directive.id) has no URL source")
            #expect(!directive.scope.actions.isEmpty)
            #expect(directive.issued <= directive.effective)
        }
        let cac = try #require(directives.first { $0.id == "cn-cac-2025-09-rtx-pro-6000d" })
        #expect(cac.effective == Day("2025-09-17"))
        #expect(cac.scope.actions == [.test, .order])
        #expect(!cac.inForce(on: Day("2025-09-16")!))
        #expect(cac.inForce(on: Day("2025-09-17")!))
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

    @Test func plansTakeDefaultsFromTheTopLevel() throws {
        let plan = try ProcurementPlan.decode(
            text: """
                kind: campaign
                organisation: ByteDance
                country: cn
                date: 2025-10-01
                lines:
                  - {chip: h20, quantity: 8, purpose: "serving test"}
                  - {chip: ascend-910c, quantity: 16, date: 2025-11-01, action: order}
                """,
            file: "plan.yaml"
        )
        #expect(plan.lines.count == 2)
        #expect(plan.lines[0].action == .test)
        #expect(plan.lines[0].country == "CN")
        #expect(plan.lines[0].date == Day("2025-10-01"))
        #expect(plan.lines[1].action == .order)
        #expect(plan.lines[1].date == Day("2025-11-01"))
        #expect(plan.lines[1].fileLine == 7)
    }

    @Test func plansInJSONParseToo() throws {
        let plan = try ProcurementPlan.decode(
            text:
                #"{"kind": "order", "organisation": "alibaba", "country": "CN", "date": "2025-12-01", "lines": [{"chip": "mlu590", "quantity": 100}]}"#,
            file: "order.json"
        )
        #expect(plan.lines.first?.chip == "mlu590")
        #expect(plan.lines.first?.action == .order)
    }

    @Test func malformedPlansNameFileAndLine() {
        let cases: [(String, String)] = [
            (
                "kind: order\ncountry: CN\ndate: 2025-10-01\nlines:\n  - {chip: h20, quantity: 8}\n",
                "plan.yaml:5: field 'lines[1].organisation'"
            ),
            (
                "kind: order\norganisation: x\ncountry: CN\ndate: 2025-10-01\nlines:\n  - {chip: h20, quantity: -3}\n",
                "plan.yaml:6: field 'lines[1].quantity'"
            ),
            (
                "kind: order\norganisation: x\ncountry: CN\ndate: 2025-10-01\nlines:\n  - {chip: h20, qty: 3}\n",
                "plan.yaml:6: field 'lines[1].qty'"
            ),
            ("kind: purchase\nlines: []\n", "plan.yaml:1: field 'kind'"),
            ("kind: order\nlines: [\n", "plan.yaml:"),
        ]
        for (text, prefix) in cases {
            #expect {
                try ProcurementPlan.decode(text: text, file: "plan.yaml")
            } throws: { error in
                "\(error)".hasPrefix(prefix)
            }
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
