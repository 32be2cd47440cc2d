import Catalogue
import Foundation
import Testing

/// The catalogue test of issue 18: every figure has a classified source or an estimate with a reason and a range;
/// no aggregator source on a chip that has a vendor document; every chip says when it was last checked.
@Suite struct CatalogueSourcingTests {
    /// Everything wrong with one chip's sourcing, one line each ("h20: memory.bandwidth: …").
    static func problems(_ chip: Chip) -> [String] {
        var problems: [String] = []
        let name = chip.sourceFile
        if chip.lastChecked == nil { problems.append("\(name): no last_checked") }
        if chip.status == nil { problems.append("\(name): no status") }
        if chip.announced == nil { problems.append("\(name): no announced") }
        for (key, source) in chip.sources.sorted(by: { $0.key < $1.key }) {
            if source.kind == nil { problems.append("\(name): source '\(key)' has no kind") }
            if source.url.isEmpty { problems.append("\(name): source '\(key)' has no url") }
        }
        let kinds = Set(chip.sources.values.compactMap(\.kind))
        if kinds.contains(.vendor) {
            for (key, source) in chip.sources.sorted(by: { $0.key < $1.key }) where source.kind == .aggregator {
                problems.append("\(name): aggregator source '\(key)' on a chip with a vendor document (\(source.url))")
            }
        }
        var figures = chip.figures.map { ($0.field, $0.provenance, $0.isNumeric, $0.range != nil) }
        if let status = chip.status { figures.append(("status", status.provenance, false, false)) }
        if let announced = chip.announced { figures.append(("announced", announced.provenance, false, false)) }
        for (field, provenance, isNumeric, hasRange) in figures {
            switch provenance {
            case .spec(let url):
                guard let source = chip.sources.values.first(where: { $0.url == url }) else {
                    problems.append("\(name): \(field) cites '\(url)', which is not in sources")
                    continue
                }
                if source.kind == nil { problems.append("\(name): \(field) cites an unclassified source") }
            case .estimate(let reason):
                if reason.trimmingCharacters(in: .whitespaces).isEmpty {
                    problems.append("\(name): \(field) is an estimate without a reason")
                }
                if isNumeric && !hasRange {
                    problems.append("\(name): \(field) is an estimated number without a range")
                }
            case .modelled, .measured:
                problems.append("\(name): \(field) is \(provenance.kind); catalogue figures are published or estimated")
            }
        }
        return problems
    }

    /// Fails, naming file and field, on any figure without a classified source or an estimate with its reason and
    /// range, and on any aggregator source on a chip with a vendor document.
    @Test func everyFigureHasAClassifiedSourceOrAnEstimateWithReasonAndRange() throws {
        let chips = try ChipCatalogue.load().chips
        let problems = chips.flatMap(Self.problems)
        var perFile: [String: Int] = [:]
        for problem in problems {
            perFile[problem.split(separator: ":").first.map(String.init) ?? problem, default: 0] += 1
        }
        let summary = perFile.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
        #expect(
            problems.isEmpty,
            "\(problems.count) problems in \(perFile.count) files: \(summary). First ones:\n\(problems.prefix(20).joined(separator: "\n"))"
        )
    }

    @Test func theCatalogueHasAtLeastFortyChips() throws {
        #expect(try ChipCatalogue.load().chips.count >= 40)
    }

    @Test func theCheckFindsEachKindOfProblem() throws {
        let chip = try ChipCatalogue.decode(
            text: """
                id: x1
                vendor: V
                name: X1
                market: global
                sources:
                  v: {url: "https://vendor.example/x1", kind: vendor}
                  agg: {url: "https://aggregator.example/x1", kind: aggregator}
                  old: "https://press.example/x1"
                memory:
                  capacity: {value: "96 GB", source: v}
                  bandwidth: {value: "4 TB/s", estimate: "guess"}
                dense:
                  fp8: {value: "500 TFLOPS", source: old}
                  bf16: {value: "250 TFLOPS", estimate: "half of FP8", range: ["200 TFLOPS", "300 TFLOPS"]}
                """,
            file: "x1.yaml"
        )
        let problems = Self.problems(chip)
        #expect(problems.contains("x1.yaml: no last_checked"))
        #expect(problems.contains("x1.yaml: source 'old' has no kind"))
        #expect(problems.contains { $0.contains("aggregator source 'agg'") })
        #expect(problems.contains("x1.yaml: memory.bandwidth is an estimated number without a range"))
        #expect(problems.contains("x1.yaml: dense.fp8 cites an unclassified source"))
        #expect(!problems.contains { $0.contains("dense.bf16") })
    }

    @Test func chipsListAsOfADayShowsWhatExistedThen() throws {
        let chips = try ChipCatalogue.load().chips
        let day = try #require(Day("2025-08-31"))
        let then = chips.filter { $0.existed(by: day) }
        #expect(then.count < chips.count)
        // Ascend 960 and 970 are roadmap parts announced at HUAWEI CONNECT 2025 (September 2025).
        #expect(!then.contains { $0.id == "ascend-970" })
        #expect(chips.first { $0.id == "ascend-970" }?.status?.value == .roadmap)
        #expect(then.contains { $0.id == "ascend-910b" })
    }
}
