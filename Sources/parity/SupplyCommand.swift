import ArgumentParser
import Assessment
import Catalogue
import Foundation

struct SupplyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "supply",
        abstract: "Domestic accelerator output against demand, per year and scenario, in capacity of a reference chip.",
        discussion: """
            Output and demand figures come from the built-in supply data (each with a source or an estimate mark) \
            or --file. Capacity is units × the chip's assessment ratio to the reference, per workload; \
            sufficiency is supply ÷ demand capacity, and workloads below 1 are short.
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Option(help: ArgumentHelp("A supply data file instead of the built-in one.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Scenario id (repeatable; default: every scenario in the data).", valueName: "id"))
    var scenario: [String] = []

    @Option(help: "Reference chip for capacity equivalents.")
    var reference: String = "h20"

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let chips = try catalogue.loadChips()
            let models = try catalogue.loadModels()
            let data: SupplyData
            if let file {
                data = try SupplyData.load(path: file)
            } else {
                guard let builtIn = try SupplyData.loadBuiltIn().first else {
                    throw CatalogueError(message: "no built-in supply data")
                }
                data = builtIn
            }
            let report = try Supply.report(
                data,
                scenarios: scenario.isEmpty ? nil : scenario,
                reference: try chips.chip(reference),
                chips: chips,
                models: models
            )
            if json {
                try printJSON(report)
                return
            }
            let referenceName = (try? chips.chip(reference).name) ?? reference
            print("\(report.title) — capacity in \(referenceName) equivalents\n")
            for scenario in report.scenarios {
                var source = ""
                switch scenario.provenance {
                case .spec(let url)?: source = " (source: \(url))"
                case .estimate(let reason)?: source = " (estimate: \(reason))"
                default: break
                }
                print("Scenario \(scenario.id): \(scenario.description)\(source)")
                var table = TextTable(
                    headers: [
                        "YEAR", "DOMESTIC UNITS", "SUPPLY (EQ)", "DEMAND (EQ)", "SUFFICIENCY", "SHORT WORKLOADS",
                    ],
                    rightAligned: [1, 2, 3, 4]
                )
                for year in report.years where year.scenario == scenario.id {
                    let sufficiency = year.sufficiency["composite"]
                    let label = sufficiency.map { value in
                        let text = Quantity.trimmed(value, digits: 2)
                        return value < 1 ? Terminal.paint(text, .red) : Terminal.paint(text, .green)
                    }
                    table.append(
                        [
                            String(year.year), units(year.supplyUnits), units(year.supplyCapacity["composite"] ?? 0),
                            year.demand.isEmpty ? "—" : units(year.demandCapacity["composite"] ?? 0),
                            label ?? "no demand data",
                            year.demand.isEmpty
                                ? ""
                                : year.short.isEmpty
                                    ? "none"
                                    : year.short.count == report.workloads.count
                                        ? "all \(year.short.count)"
                                        : year.short.joined(separator: ", "),
                        ],
                        painted: true
                    )
                }
                print(table.render())
                print("")
            }
            for note in report.notes { print("Note: \(note)") }
        }
    }

    func units(_ value: Double) -> String {
        value >= 1e6 ? "\(Quantity.trimmed(value / 1e6, digits: 2))M" : "\(Quantity.trimmed(value / 1e3, digits: 0))k"
    }
}
