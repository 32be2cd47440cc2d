import Assessment
import Benchmark
import Catalogue
import Foundation
import Reporting

/// `parity assess` on the built-in data, stage by stage: loading the catalogue, the assessment (evidence, modelled
/// serving, bootstrap), and rendering the three reports.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(10))

    func options(_ chips: ChipCatalogue) -> AssessmentOptions {
        guard let h20 = try? chips.chip("h20"), let d6000 = try? chips.chip("rtx-pro-6000d") else {
            fatalError("built-in catalogue must contain the references")
        }
        return AssessmentOptions(
            candidates: chips.chips.filter { $0.market == .domesticChina },
            references: [h20, d6000]
        )
    }

    Benchmark("load catalogue (chips + models)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ChipCatalogue.load())
            blackHole(try ModelCatalogue.load())
        }
    }

    guard let chips = try? ChipCatalogue.load(), let models = try? ModelCatalogue.load(),
        let assessment = try? Assessor.run(options(chips), models: models)
    else {
        fatalError("built-in assessment must run")
    }

    Benchmark("assess built-in suite (16 candidates x 2 references x 8 workloads)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Assessor.run(options(chips), models: models))
        }
    }

    Benchmark("render HTML + Markdown + JSON reports") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(HTMLReport.render(assessment))
            blackHole(MarkdownReport.render(assessment))
            blackHole(try CanonicalJSON.encodePretty(assessment))
        }
    }
}
