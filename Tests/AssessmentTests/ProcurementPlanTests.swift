import Assessment
import Catalogue
import Foundation
import Testing

/// Purchase orders and test plans as `parity check` reads them (moved with `ProcurementPlan` from Catalogue).
@Suite struct ProcurementPlanTests {
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

    @Test func plansStateBuyerFacts() throws {
        let plan = try ProcurementPlan.decode(
            text: """
                kind: order
                organisation: acme
                country: cn
                date: 2026-12-01
                buyer: {types: [state-owned-enterprise], headquarters: cn, owned_by_listed_parties_percent: 0}
                lines:
                  - {chip: h20, quantity: 8}
                  - {chip: h20, quantity: 8, buyer: {types: [state-funded-data-centre], project_completion_percent: 25}}
                """,
            file: "plan.yaml"
        )
        #expect(plan.lines[0].buyer?.types == ["state-owned-enterprise"])
        #expect(plan.lines[0].buyer?.headquarters == "CN")
        #expect(plan.lines[1].buyer?.projectCompletionPercent == 25)
        #expect {
            try ProcurementPlan.decode(
                text:
                    "kind: order\norganisation: x\ncountry: CN\ndate: 2026-12-01\nbuyer: {owned_by_listed_parties_percent: 150}\nlines:\n  - {chip: h20, quantity: 1}\n",
                file: "plan.yaml"
            )
        } throws: { error in
            "\(error)".hasPrefix("plan.yaml:5: field 'buyer.owned_by_listed_parties_percent'")
        }
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
}
