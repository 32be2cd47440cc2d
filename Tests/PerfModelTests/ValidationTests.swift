import Catalogue
import PerfModel
import Testing

@Suite struct ValidationTests {
    @Test func validationSetHasTwentyRowsOverFourFamiliesIncludingNonNVIDIA() throws {
        let chips = try ChipCatalogue.load()
        let rows = try Validation.builtInRows()
        #expect(rows.count >= 20)
        #expect(Set(rows.map(\.id)).count == rows.count)
        var families = Set<String>()
        for row in rows {
            let chip = try chips.chip(row.chip)
            #expect(row.source.hasPrefix("https://"), "\(row.id) needs a source URL")
            let family: String =
                switch chip.id {
                case let id where id.hasPrefix("h") || id.hasPrefix("a1"): "nvidia-hopper-ampere"
                case let id where id.hasPrefix("b") || id.hasPrefix("gb"): "nvidia-blackwell"
                default: chip.vendor
                }
            families.insert(family)
        }
        #expect(families.count >= 4)
        #expect(rows.contains { (try? chips.chip($0.chip).vendor) != "NVIDIA" })
    }

    @Test func everyRowIsPredicted() throws {
        let outcomes = Validation.run(
            try Validation.builtInRows(),
            chips: try ChipCatalogue.load(),
            models: try ModelCatalogue.load()
        )
        for outcome in outcomes {
            #expect(outcome.predicted != nil, "\(outcome.row.id): \(outcome.remark ?? "")")
        }
    }

    @Test func summaryComputesMedianAndMeanOfAbsoluteErrors() throws {
        let row = try #require(try Validation.builtInRows().first)
        let outcomes = [0.1, -0.3, 0.2].map {
            ValidationOutcome(row: row, predicted: 1, relativeError: $0, remark: nil)
        }
        let summary = Validation.summary(outcomes)
        #expect(abs(summary.medianAbsolutePercentError - 20) < 1e-9)
        #expect(abs(summary.meanAbsolutePercentError - 20) < 1e-9)
        #expect(abs(summary.medianSignedPercentError - 10) < 1e-9)
    }
}
