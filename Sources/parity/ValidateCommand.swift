import ArgumentParser
import Catalogue
import PerfModel

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the performance model against the published serving evidence, leave-one-out.",
        discussion: """
            Reads the published evidence set (evidence/published-serving.yaml). Every row the model can express is \
            predicted with engine scales fitted on all other rows (leave-one-out); rows it cannot express say why. \
            Prints each row, the error overall and by regime (phase, architecture, mode, vendor, precision, engine), \
            and the engine fit over all rows that engines.yaml records. Exits 1 with --check when a bar is missed \
            (median |error| over 10 % overall or over 15 % in a regime of 5 or more rows).
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Exit 1 when a bar is missed.")
    var check = false

    func run() throws {
        try reportingErrors {
            let chips = try catalogue.loadChips()
            let models = try catalogue.loadModels()
            let report = Validation.run(
                try PublishedServingResult.builtIn(),
                chips: chips,
                models: models,
                profiles: try EngineProfiles.builtIn()
            )
            let missed = report.missedBars
            if json {
                struct Output: Encodable {
                    var modelVersion: String
                    var report: ValidationReport
                    var missedBars: [String]
                }
                try printJSON(Output(modelVersion: PerformanceModel.version, report: report, missedBars: missed))
            } else {
                var table = TextTable(
                    headers: ["ROW", "CHIP", "METRIC", "MEASURED", "PREDICTED", "ERROR", "REMARK"],
                    rightAligned: [3, 4, 5]
                )
                for outcome in report.outcomes {
                    table.append([
                        outcome.row.id, outcome.row.chip, outcome.row.metric.rawValue,
                        Quantity.trimmed(outcome.row.value, digits: 1),
                        outcome.predicted.map { Quantity.trimmed($0, digits: 1) } ?? "—",
                        outcome.relativeError.map { percent($0 * 100, signed: true) } ?? "—",
                        outcome.remark ?? "",
                    ])
                }
                print(table.render())
                print("")
                var regimes = TextTable(
                    headers: [
                        "DIMENSION", "REGIME", "ROWS", "PREDICTED", "MEDIAN |ERR|", "MEAN |ERR|", ">50 %",
                        "UNFITTED MEDIAN",
                    ],
                    rightAligned: [2, 3, 4, 5, 6, 7]
                )
                let all = report.overall
                regimes.append([
                    "all", "all", String(all.rows), String(all.predicted),
                    percent(all.medianAbsolutePercentError, digits: 2),
                    percent(all.meanAbsolutePercentError), String(all.beyondFiftyPercent),
                    percent(report.unfittedOverall.medianAbsolutePercentError),
                ])
                for (regime, unfitted) in zip(report.regimes, report.unfittedRegimes) {
                    let s = regime.summary
                    regimes.append([
                        regime.dimension, regime.value, String(s.rows), String(s.predicted),
                        percent(s.medianAbsolutePercentError, digits: 2), percent(s.meanAbsolutePercentError),
                        String(s.beyondFiftyPercent), percent(unfitted.summary.medianAbsolutePercentError),
                    ])
                }
                print(regimes.render())
                print("")
                var fits = TextTable(
                    headers: ["LEVEL", "GROUP", "ROWS", "COMPUTE SCALE", "MEMORY SCALE"],
                    rightAligned: [2, 3, 4]
                )
                for fit in report.fits {
                    fits.append([
                        fit.level, fit.profile, String(fit.rows), Quantity.trimmed(fit.computeScale, digits: 3),
                        Quantity.trimmed(fit.memoryScale, digits: 3),
                    ])
                }
                print("Engine scales fitted on all expressible rows (what engines.yaml records):")
                print(fits.render())
                print("")
                let stale = report.staleProfiles(try EngineProfiles.builtIn())
                if !stale.isEmpty {
                    print("engines.yaml differs from this fit for: \(stale.joined(separator: ", ")) — re-record it.")
                }
                print(missed.isEmpty ? "All bars met." : "Bars missed: " + missed.joined(separator: "; "))
            }
            if check, !missed.isEmpty { throw ExitCode(1) }
        }
    }

    /// The medians are printed to two decimals: they are held to the bars (10 % and 15 %), and one decimal would
    /// round 9.95 up to the bar.
    private func percent(_ value: Double, signed: Bool = false, digits: Int = 1) -> String {
        (signed && value >= 0 ? "+" : "") + Quantity.trimmed(value, digits: digits) + "%"
    }
}
