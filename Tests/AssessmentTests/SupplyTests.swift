import Catalogue
import Foundation
import Testing

@testable import Assessment

@Suite struct SupplyTests {
    func chip(_ id: String, bandwidth: Double, market: Market) -> Chip {
        let spec = Provenance.spec(source: "https://example.test/\(id)")
        return Chip(
            id: id,
            vendor: "Test",
            name: id,
            market: market,
            memory: Chip.Memory(
                type: nil,
                capacityBytes: Sourced(96e9, spec),
                bandwidthBytesPerSecond: Sourced(bandwidth * 1e12, spec),
                stacks: nil
            ),
            densePeak: [.bf16: Sourced(100e12, spec)]
        )
    }

    @Test func sufficiencyIsCapacityInReferenceEquivalents() throws {
        let chips = ChipCatalogue(chips: [
            chip("ref", bandwidth: 4, market: .chinaSpecific), chip("dom", bandwidth: 2, market: .domesticChina),
        ])
        let data = try SupplyData.decode(
            text: """
                id: test
                title: "Test supply"
                region: CN
                output:
                  - {vendor: V, chip: dom, year: 2025, units: {value: 1000, estimate: "test"}}
                demand:
                  - {id: d25, description: "d", year: 2025, chip: ref, units: {value: 400, estimate: "test"}}
                  - {id: d26a, description: "d", year: 2026, chip: ref, units: {value: 1500, estimate: "test"}}
                  - {id: d26b, description: "d", year: 2026, chip: ref, units: {value: 500, estimate: "test"}}
                scenarios:
                  - {id: as-reported, description: "as reported"}
                  - {id: triples, description: "x3", estimate: "test", growth: {2026: 3}}
                """,
            file: "test.yaml"
        )
        let bandwidth = Workload.defaultSuite().filter { $0.id == "memory-bandwidth" }
        let report = try Supply.report(
            data,
            reference: try chips.chip("ref"),
            suite: bandwidth,
            chips: chips,
            models: ModelCatalogue.load()
        )
        func year(_ scenario: String, _ year: Int) throws -> SupplyYear {
            try #require(report.years.first { $0.scenario == scenario && $0.year == year })
        }
        // One domestic unit is half a reference unit of bandwidth.
        #expect(report.equivalents["dom"]?["memory-bandwidth"] == 0.5)
        // 2025: 1000 × 0.5 = 500 against 400 → 1.25.
        #expect(try year("as-reported", 2025).sufficiency["memory-bandwidth"] == 1.25)
        // 2026 as reported: output carried forward (500) against 1500 + 500 parts → 0.25, short.
        let flat = try year("as-reported", 2026)
        #expect(flat.sufficiency["memory-bandwidth"] == 0.25)
        #expect(flat.short == ["memory-bandwidth"])
        #expect(flat.output.first?.basis == "carried forward from 2025")
        // Output triples: 3000 × 0.5 = 1500 against 2000 → 0.75.
        #expect(try year("triples", 2026).sufficiency["memory-bandwidth"] == 0.75)
        #expect(try year("triples", 2026).supplyUnits == 3000)
    }

    @Test func aTotalRowReplacesTheParts() throws {
        let chips = ChipCatalogue(chips: [
            chip("ref", bandwidth: 4, market: .chinaSpecific), chip("dom", bandwidth: 4, market: .domesticChina),
        ])
        let data = try SupplyData.decode(
            text: """
                id: test
                title: "Test"
                region: CN
                output:
                  - {vendor: V, chip: dom, year: 2025, units: {value: 100, estimate: "t"}}
                demand:
                  - {id: part, description: "d", year: 2025, chip: ref, units: {value: 30, estimate: "t"}}
                  - {id: all, description: "d", year: 2025, chip: ref, basis: total, units: {value: 200, estimate: "t"}}
                """,
            file: "t.yaml"
        )
        let report = try Supply.report(
            data,
            reference: try chips.chip("ref"),
            suite: Workload.defaultSuite().filter { $0.id == "memory-bandwidth" },
            chips: chips,
            models: ModelCatalogue.load()
        )
        #expect(report.years[0].demand == ["all": 200])
        #expect(report.years[0].sufficiency["composite"] == 0.5)
    }

    @Test func builtInDataRunsAndNamesItsScenarios() throws {
        let chips = try ChipCatalogue.load()
        let data = try #require(try SupplyData.loadBuiltIn().first)
        let report = try Supply.report(
            data,
            scenarios: ["output-triples"],
            reference: try chips.chip("h20"),
            chips: chips,
            models: ModelCatalogue.load()
        )
        #expect(report.scenarios.map(\.id) == ["output-triples"])
        #expect(report.years.allSatisfy { $0.scenario == "output-triples" })
        #expect(report.years.contains { $0.year == 2026 && $0.sufficiency["composite"] != nil })
        #expect(throws: CatalogueError.self) {
            try Supply.report(
                data,
                scenarios: ["nope"],
                reference: try chips.chip("h20"),
                chips: chips,
                models: ModelCatalogue.load()
            )
        }
    }
}
