import ArgumentParser
import Catalogue
import PerfModel

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check the performance model against the published measurements of the validation set.",
        discussion: "Prints each row's prediction and error, then median and mean absolute percentage errors."
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let chips = try catalogue.loadChips()
            let models = try ModelCatalogue.load()
            let outcomes = Validation.run(try Validation.builtInRows(), chips: chips, models: models)
            let throughput = outcomes.filter { !$0.row.metric.isLatency }
            let latency = outcomes.filter { $0.row.metric.isLatency }
            let summaries = [
                "all": Validation.summary(outcomes), "throughput": Validation.summary(throughput),
                "latency": Validation.summary(latency),
            ]
            if json {
                struct Output: Encodable {
                    var outcomes: [ValidationOutcome]
                    var summaries: [String: ValidationSummary]
                }
                try printJSON(Output(outcomes: outcomes, summaries: summaries))
                return
            }
            var table = TextTable(
                headers: ["ROW", "CHIP", "METRIC", "MEASURED", "PREDICTED", "ERROR", "REMARK"],
                rightAligned: [3, 4, 5]
            )
            for outcome in outcomes {
                table.append([
                    outcome.row.id, outcome.row.chip, outcome.row.metric.rawValue,
                    Quantity.trimmed(outcome.row.value, digits: 1),
                    outcome.predicted.map { Quantity.trimmed($0, digits: 1) } ?? "—",
                    outcome.relativeError.map { (($0 >= 0) ? "+" : "") + Quantity.trimmed($0 * 100, digits: 0) + "%" }
                        ?? "—",
                    outcome.remark ?? "",
                ])
            }
            print(table.render())
            print("")
            for name in ["throughput", "latency", "all"] {
                guard let summary = summaries[name] else { continue }
                print(
                    "\(name): \(summary.predicted)/\(summary.rows) rows, median |error| \(Quantity.trimmed(summary.medianAbsolutePercentError, digits: 1))%, mean |error| \(Quantity.trimmed(summary.meanAbsolutePercentError, digits: 1))%, median signed \(Quantity.trimmed(summary.medianSignedPercentError, digits: 1))%"
                )
            }
        }
    }
}
