import ArgumentParser
import Catalogue
import ExportControl
import Foundation

struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify a chip under US ECCN 3A090, and with --destination the licence outlook on a date.",
        discussion: """
            Thresholds come from data (the 3A090 rule file) with their legal source and effective date. Where a \
            deciding figure is an estimate, the class is evaluated over the estimate's range: "undetermined" when \
            the range reaches another class (the threshold is named in the deciding figure), "density clauses not \
            evaluated" when the die area is missing and a density clause could decide.

            With --destination CN (and --date, default today) it also gives the licence outlook: the US side \
            (licence requirement, review-policy tier with its conditions, rules that name the chip, rules that \
            turn on the buyer) and the China side (directives in force, reported, or of unknown status).
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Argument(help: "Chip id or alias. Omit with --custom, or give 'all' for every chip.")
    var id: String?

    @Option(help: ArgumentHelp("Classify a chip described in a YAML file (catalogue format).", valueName: "file"))
    var custom: String?

    @Option(help: ArgumentHelp("Buyer's country (ISO code, e.g. CN): add the licence outlook.", valueName: "code"))
    var destination: String?

    @Option(help: ArgumentHelp("Day of the outlook, YYYY-MM-DD (default: today).", valueName: "date"))
    var date: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        if (id == nil) == (custom == nil) {
            throw ValidationError("give either a chip id (or 'all') or --custom FILE")
        }
        if let date, Day(date) == nil {
            throw ValidationError("--date must be a date like 2026-12-01, got '\(date)'")
        }
        if date != nil, destination == nil {
            throw ValidationError("--date needs --destination (the outlook is for a place and a day)")
        }
        if let destination, destination.count != 2 || !destination.allSatisfy(\.isLetter) {
            throw ValidationError("--destination must be a two-letter country code such as CN, got '\(destination)'")
        }
    }

    func run() throws {
        try reportingErrors {
            let classifier = Classifier(rule: try ExportRule.builtIn())
            let catalogueChips = try catalogue.loadChips()
            let chips: [Chip]
            if let custom {
                chips = [try ChipCatalogue.loadFileAllowingAnyName(URL(fileURLWithPath: custom))]
            } else if id?.lowercased() == "all" {
                chips = catalogueChips.chips
            } else {
                chips = [try catalogueChips.chip(id ?? "")]
            }
            let results = chips.map(classifier.classify)
            var outlooks: [LicenceOutlook] = []
            if let destination {
                let advisor = LicenceAdvisor(
                    classifier: classifier,
                    policy: try LicencePolicy.builtIn(),
                    directives: try catalogue.loadDirectives().directives,
                    chips: catalogueChips.chips
                )
                let day = date.flatMap(Day.init) ?? Day.today
                outlooks = zip(chips, results).map {
                    advisor.outlook(for: $0, classification: $1, destination: destination, on: day)
                }
            }
            if json {
                if outlooks.isEmpty { try printJSON(results) } else { try printJSON(outlooks) }
                return
            }
            if results.count > 1 {
                printTable(results, outlooks: outlooks)
                return
            }
            for result in results { printClassification(result) }
            for outlook in outlooks { printOutlook(outlook) }
        }
    }

    func printTable(_ results: [Classification], outlooks: [LicenceOutlook]) {
        var headers = ["ID", "TPP", "PRECISION", "DENSITY", "ECCN", "CLAUSE", "HBM 3A090.c", "ESTIMATED INPUTS"]
        if !outlooks.isEmpty { headers += ["ACCESS", "OUTLOOK"] }
        var table = TextTable(headers: headers, rightAligned: [1, 3])
        for (index, result) in results.enumerated() {
            var tpp = Quantity.trimmed(result.tpp, digits: 0)
            if result.tppLow < result.tppHigh {
                tpp += " [\(Quantity.trimmed(result.tppLow, digits: 0))–\(Quantity.trimmed(result.tppHigh, digits: 0))]"
            }
            var eccn = result.eccnClass
            if !result.isDetermined, result.performanceDensity != nil || result.centralClause != nil {
                eccn += " (\(result.centralClause ?? result.centralClass) at the stated figures)"
            }
            var row = [
                result.chipID, tpp, result.tppPrecision.rawValue,
                result.performanceDensity.map { Quantity.trimmed($0, digits: 2) } ?? "—",
                eccn, result.decidingClause ?? (result.excludedByDatacenterNote ? "Note 2" : "—"),
                result.hbm.map { $0.exceeds.map { $0 ? "exceeds" : "below" } ?? "unknown" } ?? "n/a",
                result.estimatedInputs.isEmpty
                    ? "none"
                    : "\(result.estimatedInputs.count)\(result.isEstimateDecisive ? ", decisive" : "")",
            ]
            if index < outlooks.count { row += [outlooks[index].access.rawValue, outlooks[index].summary] }
            table.append(row)
        }
        print(table.render())
        let undetermined = results.filter { $0.eccnClass == Classification.undetermined }.count
        let unevaluated = results.filter { $0.eccnClass == Classification.densityNotEvaluated }.count
        print(
            "\n\(results.count) chips; \(undetermined) undetermined (an estimate's range reaches another class), "
                + "\(unevaluated) with density clauses not evaluated (no die area). 'parity classify ID' explains one."
        )
    }

    func printClassification(_ result: Classification) {
        var head = "\(result.chipName) (\(result.chipID)): \(result.eccnClass)"
        if let clause = result.decidingClause { head += " via \(clause)" }
        if result.excludedByDatacenterNote { head += " (Note 2: not a data-centre part, TPP below 4,800)" }
        print(head)
        var tpp =
            "\(Quantity.trimmed(result.tpp, digits: 0)) (\(result.tppPrecision.rawValue) × \(result.tppBitLength) bits)"
        if result.tppLow < result.tppHigh {
            tpp +=
                "; \(Quantity.trimmed(result.tppLow, digits: 0))–\(Quantity.trimmed(result.tppHigh, digits: 0)) over the ranges"
        }
        print("  TPP                  \(tpp)")
        print(
            "  performance density  \(result.performanceDensity.map { Quantity.trimmed($0, digits: 2) } ?? "unknown (no die area)")\(result.dieAreaBasis.map { " on \($0)" } ?? "")"
        )
        if result.isEstimateDecisive {
            print(
                "  estimate-decisive    the class depends on \(result.decisiveEstimatedInputs.joined(separator: ", ")); at the stated figures it is \(result.centralClause ?? result.centralClass)"
            )
        }
        if let uncertainty = result.uncertainty { print("  over the ranges      \(uncertainty)") }
        if let hbm = result.hbm { print("  HBM                  \(hbm.explanation)") }
        print("  why                  \(result.explanation)")
        if result.restsOnEstimates {
            print("  rests on estimates   \(result.estimatedInputs.joined(separator: "; "))")
        }
        print("  licence              \(result.licenceNote)")
        print("  rule                 \(result.ruleSource)")
    }

    func printOutlook(_ outlook: LicenceOutlook) {
        print(
            "\nLicence outlook for \(outlook.chipName) to \(outlook.destination) on \(outlook.date): \(outlook.access.rawValue)"
        )
        print("  US licence           \(outlook.us.licence)")
        if let policy = outlook.us.policy { print("  review policy        \(policy)") }
        if let basis = outlook.us.policyBasis { print("    basis              \(basis)") }
        for condition in outlook.us.conditions { print("    condition          \(condition)") }
        for item in outlook.us.namedRules { printItem(item, label: "US rule") }
        for item in outlook.us.buyerRules { printItem(item, label: "US (buyer)") }
        if outlook.china.isEmpty {
            print("  China                no directive in the catalogue reaches this chip on that day")
        }
        for item in outlook.china { printItem(item, label: "China") }
        print("  summary              \(outlook.summary)")
    }

    func printItem(_ item: LicenceOutlook.Item, label: String) {
        print(
            "  \(label.padding(toLength: 20, withPad: " ", startingAt: 0)) \(item.id): \(item.effect) — \(item.title)"
        )
        print("    standing           \(item.standing.explanation)")
        print("    why                \(item.reason)")
        if let condition = item.condition { print("    condition          \(condition)") }
        print("    source             \(item.source)\(item.sourceKind.map { " (\($0.rawValue))" } ?? "")")
    }
}
