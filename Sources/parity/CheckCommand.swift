import ArgumentParser
import Assessment
import Catalogue
import ExportControl
import Foundation
import PerfModel

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a purchase order or test-campaign plan against the directives in force on each line's date.",
        discussion: """
            FILE is YAML or JSON:
              kind: order            # order | campaign | deployment (the action: order, test, deploy)
              organisation: bytedance
              country: CN
              date: 2025-10-01
              lines:
                - {chip: rtx-pro-6000d, quantity: 5000, purpose: inference, workload: deepseek-v3}
            A `buyer:` mapping (types, headquarters, ultimate_parent, owned_by_listed_parties_percent, \
            project_completion_percent) states the facts that directives reaching only some buyers turn on; without \
            them such a directive is a warning that says "applies if the buyer is …". A directive whose status on \
            a line's date is past its last confirmation is a warning that says "status unknown — review". \
            Any top-level field can be given per line instead. A line with findings gets allowed catalogue \
            alternatives ranked by their assessment composite against the line's chip (for its workload: a model \
            id or a built-in workload id; else the built-in suite).

            Exit codes: 0 clean; 1 warnings only; 2 at least one violation; 3 the file or a chip is invalid.
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Argument(help: "The order or campaign file (YAML or JSON).")
    var file: String

    @Option(help: "How many alternatives to suggest for a line with findings.")
    var alternatives: Int = 3

    @Flag(help: "Print the result as JSON.")
    var json = false

    func run() throws {
        let report: CheckReport
        do {
            let checker = try DirectiveChecker(
                directives: try catalogue.loadDirectives().directives,
                chips: try catalogue.loadChips(),
                models: try catalogue.loadModels()
            )
            report = try checker.check(try ProcurementPlan.load(path: file), alternatives: max(0, alternatives))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if json {
            try printJSON(report)
        } else {
            printReport(report)
        }
        if report.status != .clean { throw ExitCode(report.status.exitCode) }
    }

    func printReport(_ report: CheckReport) {
        for result in report.lines {
            let line = result.line
            let label: String
            switch result.status {
            case .clean: label = Terminal.paint("clean", .green)
            case .warning: label = Terminal.paint("WARNING", .blue)
            case .violation: label = Terminal.paint("VIOLATION", .red)
            }
            print(
                "line \(line.index): \(line.quantity) × \(result.chipName) — \(line.action.rawValue) by "
                    + "\(line.organisation) (\(line.country)) on \(line.date)\(line.purpose.map { ", \($0)" } ?? ""): \(label)"
            )
            for finding in result.findings {
                print("  \(finding.severity.rawValue): \(finding.directive) — \(finding.title) (\(finding.issuer))")
                if let standing = finding.standing, standing.kind == .unknown {
                    print("    \(standing.explanation)")
                }
                print("    \(finding.effect.rawValue); \(finding.reason)")
                print("    source: \(finding.source)")
            }
            if let outlook = result.outlook {
                print("  outlook (\(outlook.access.rawValue)): \(outlook.summary)")
            }
            if !result.alternatives.isEmpty {
                print("  alternatives allowed on that date, ranked by composite vs \(result.line.chip):")
                for alternative in result.alternatives {
                    let interval =
                        alternative.interval.map {
                            " [\(Quantity.trimmed($0.lower, digits: 2))–\(Quantity.trimmed($0.upper, digits: 2))]"
                        } ?? ""
                    print(
                        "    \(alternative.name) (\(alternative.vendor)): \(Quantity.trimmed(alternative.composite, digits: 2))×"
                            + "\(interval) \(alternative.verdict.rawValue), \(alternative.confidence.rawValue) confidence"
                    )
                }
            }
        }
        let counts = Dictionary(grouping: report.lines, by: \.status).mapValues(\.count)
        print(
            "\n\(report.file): \(report.status.rawValue) — \(counts[.clean] ?? 0) clean, \(counts[.warning] ?? 0) "
                + "with warnings, \(counts[.violation] ?? 0) with violations (\(report.directives.count) directives checked)"
        )
    }
}

struct DirectivesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directives",
        abstract: "List the directives `parity check` applies (built-in and from --catalogue DIR/directives/)."
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let directives = try catalogue.loadDirectives().directives
            if json {
                try printJSON(directives)
                return
            }
            var table = TextTable(headers: [
                "ID", "ISSUER", "EFFECTIVE", "STATUS", "LAST CONFIRMED", "SOURCE", "EFFECT", "CHIPS / CLASSES",
                "ACTIONS", "BUYER",
            ])
            for directive in directives {
                let scope = directive.scope
                table.append([
                    directive.id, directive.jurisdiction, directive.effective.description, directive.status.rawValue,
                    directive.lastConfirmed?.description ?? "—", directive.sourceKind?.rawValue ?? "—",
                    directive.effect.rawValue,
                    scope.chips.count > 4
                        ? "\(scope.chips.count) chips"
                            + (scope.classes.isEmpty ? "" : ", " + scope.classes.joined(separator: ","))
                        : (scope.chips + scope.classes).joined(separator: ","),
                    scope.actions.map(\.rawValue).joined(separator: ","),
                    scope.buyer?.description ?? "any",
                ])
            }
            print(table.render())
            print("\nA check dated after LAST CONFIRMED reports the directive as \"status unknown — review\".")
        }
    }
}
