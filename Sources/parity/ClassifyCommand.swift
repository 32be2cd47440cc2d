import ArgumentParser
import Catalogue
import ExportControl
import Foundation

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify a chip under US ECCN 3A090 (TPP, performance density, HBM bandwidth density).",
        discussion: "Thresholds come from data (the 3A090 rule file) with their legal source and effective date."
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Argument(help: "Chip id or alias. Omit with --custom, or give 'all' for every chip.")
    var id: String?

    @Option(help: ArgumentHelp("Classify a chip described in a YAML file (catalogue format).", valueName: "file"))
    var custom: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if (id == nil) == (custom == nil) {
            throw ValidationError("give either a chip id (or 'all') or --custom FILE")
        }
    }

    func run() throws {
        try reportingErrors {
            let classifier = Classifier(rule: try ExportRule.builtIn())
            let chips: [Chip]
            if let custom {
                chips = [try ChipCatalogue.loadFileAllowingAnyName(URL(fileURLWithPath: custom))]
            } else if id?.lowercased() == "all" {
                chips = try catalogue.loadChips().chips
            } else {
                chips = [try catalogue.loadChips().chip(id ?? "")]
            }
            let results = chips.map(classifier.classify)
            if json {
                try printJSON(results.count == 1 ? [results[0]] : results)
                return
            }
            if results.count > 1 {
                var table = TextTable(
                    headers: [
                        "ID", "TPP", "PRECISION", "DENSITY", "ECCN", "CLAUSE", "HBM 3A090.c", "ESTIMATED INPUTS",
                    ],
                    rightAligned: [1, 3]
                )
                for result in results {
                    table.append([
                        result.chipID, Quantity.trimmed(result.tpp, digits: 0), result.tppPrecision.rawValue,
                        result.performanceDensity.map { Quantity.trimmed($0, digits: 2) } ?? "—",
                        result.eccnClass, result.decidingClause ?? "—",
                        result.hbm.map { $0.exceeds.map { $0 ? "exceeds" : "below" } ?? "unknown" } ?? "n/a",
                        result.estimatedInputs.isEmpty ? "none" : "\(result.estimatedInputs.count)",
                    ])
                }
                print(table.render())
                return
            }
            for result in results {
                print(
                    "\(result.chipName) (\(result.chipID)): \(result.eccnClass)\(result.decidingClause.map { " via \($0)" } ?? "")"
                )
                print(
                    "  TPP                  \(Quantity.trimmed(result.tpp, digits: 0)) (\(result.tppPrecision.rawValue))"
                )
                print(
                    "  performance density  \(result.performanceDensity.map { Quantity.trimmed($0, digits: 2) } ?? "unknown (no die area)")"
                )
                if let hbm = result.hbm { print("  HBM                  \(hbm.explanation)") }
                print("  why                  \(result.explanation)")
                if result.restsOnEstimates {
                    print("  rests on estimates   \(result.estimatedInputs.joined(separator: "; "))")
                }
                print("  licence              \(result.licenceNote)")
                print("  rule                 \(result.ruleSource)")
            }
        }
    }
}
