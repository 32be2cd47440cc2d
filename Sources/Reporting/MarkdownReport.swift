public import Assessment
import Catalogue
import Foundation
import PerfModel

/// The Markdown report: the same verdicts, ratios and evidence as the HTML file, without charts.
public enum MarkdownReport {
    public static func render(_ a: Assessment) -> String {
        var md = "# Parity assessment\n\n"
        md += "Generated \(Format.date(a.generatedAt)) · schema `\(a.schema)` · performance model `\(a.perfModel)` · "
        md += "tolerance ±\(Format.percent(a.tolerance)) · \(Format.percent(a.level)) bootstrap intervals "
        md += "(\(a.resamples) resamples, seed \(a.seed)).\n\n"
        md += "Ratios are candidate ÷ reference; the composite is their geometric mean over the suite. "
        md += "A verdict is given only when the whole interval lies on one side of the tolerance band; "
        md += "otherwise it is *inconclusive*.\n\n"

        let references = a.chips.filter { $0.role == .reference }
        md += "## Verdict matrix\n\n| Candidate | " + references.map { "vs \(cell($0.name))" }.joined(separator: " | ")
        md += " |\n|---|" + references.map { _ in "---|" }.joined() + "\n"
        for candidate in a.chips where candidate.role == .candidate {
            md += "| \(cell(candidate.name)) |"
            for reference in references {
                if let c = a.comparisons.first(where: { $0.candidate == candidate.id && $0.reference == reference.id })
                {
                    md += " **\(c.verdict.rawValue)** [\(Format.ratio(c.composite))](#\(Format.pairAnchor(c))) "
                    md += "\(Format.interval(c.interval)), \(c.confidence.rawValue) |"
                } else {
                    md += " — |"
                }
            }
            md += "\n"
        }

        if let access = a.referenceAccess, let first = access.first {
            md += "\n## References: what a buyer in \(first.destination) could obtain on \(first.date)\n\n"
            md +=
                "| Reference | Class | Access | US licence | US review policy | Rules naming it | China side |\n"
                + "|---|---|---|---|---|---|---|\n"
            for entry in access {
                md +=
                    "| \(cell(entry.name)) | \(cell(entry.eccnClass)) | **\(entry.access)** | \(cell(entry.usLicence)) | "
                md +=
                    "\(cell(entry.usPolicy ?? "—"))\(entry.conditions.isEmpty ? "" : " (\(entry.conditions.count) conditions)") | "
                md += "\(cell(entry.namedRules.isEmpty ? "—" : entry.namedRules.joined(separator: "; "))) | "
                md += "\(cell(entry.china.isEmpty ? "no directive" : entry.china.joined(separator: "; "))) |\n"
            }
            for entry in access where !entry.conditions.isEmpty {
                md +=
                    "\nConditions for \(cell(entry.name)): " + entry.conditions.map(cell).joined(separator: "; ")
                    + ".\n"
            }
        }

        md += "\n## Workloads\n\n| ID | Workload | Unit |\n|---|---|---|\n"
        for workload in a.suite {
            var title = workload.title
            if let limits = workload.limits { title += " (\(limits.summary))" }
            md += "| `\(workload.id)` | \(cell(title)) | \(workload.unit) |\n"
        }

        md += "\n## Per workload\n"
        for c in a.comparisons {
            let candidate = a.chip(c.candidate)?.name ?? c.candidate
            let reference = a.chip(c.reference)?.name ?? c.reference
            md += "\n<a id=\"\(Format.pairAnchor(c))\"></a>\n### \(candidate) vs \(reference): \(c.verdict.rawValue) "
            md += "\(Format.ratio(c.composite)) \(Format.interval(c.interval))\n\nEvidence: \(c.tierSummary).\n\n"
            md += "| Workload | \(cell(candidate)) | \(cell(reference)) | Ratio | Interval | Verdict | Tiers | Note |\n"
            md += "|---|---:|---:|---:|---|---|---|---|\n"
            for ratio in c.ratios {
                guard let workload = a.workload(ratio.workload) else { continue }
                md += "| \(cell(workload.title)) | \(value(workload, ratio.candidateValue, chip: c.candidate)) | "
                md += "\(value(workload, ratio.referenceValue, chip: c.reference)) | \(Format.ratio(ratio.ratio)) | "
                md += "\(Format.interval(ratio.interval)) | \(Format.verdictLabel(ratio.verdict)) | "
                md += "\(cell(Format.tiers(ratio))) | \(cell(ratio.note ?? "")) |\n"
            }
        }

        md += "\n## Evidence\n\n| Chip | Workload | Value | Tier | From | Inputs |\n|---|---|---:|---|---|---|\n"
        for entry in a.evidence {
            guard let workload = a.workload(entry.workload) else { continue }
            let e = entry.evidence
            md += "| <a id=\"\(Format.evidenceAnchor(chip: entry.chip, workload: entry.workload))\"></a>"
            md += "\(entry.chip) | `\(entry.workload)` | \(workload.formatted(e.value)) | \(e.tier.label) | "
            md += "\(cell(e.source ?? e.provenance.detail)) | "
            md += e.inputs.map { input in
                "[\(input)](#\(Format.sourceAnchor(input)))"
                    + (e.estimatedInputs.contains(input) ? " (estimate)" : "")
            }.joined(separator: ", ")
            for assumption in e.assumedInputs { md += "; assumed: \(cell(assumption))" }
            md += " |\n"
        }

        md += "\n## Sources\n\n| Chip | Figure | Value | Kind | Source or reason |\n|---|---|---:|---|---|\n"
        for chip in a.chips {
            for figure in chip.figures {
                md += "| <a id=\"\(Format.sourceAnchor("\(chip.id)/\(figure.field)"))\"></a>\(chip.id) | "
                md += "`\(figure.field)` | \(cell(figure.value)) | \(figure.kind) | \(cell(figure.source)) |\n"
            }
        }
        return md
    }

    static func value(_ workload: Workload, _ value: Double?, chip: String) -> String {
        guard let value else { return "—" }
        return "[\(workload.formatted(value))](#\(Format.evidenceAnchor(chip: chip, workload: workload.id)))"
    }

    /// Escapes table-breaking characters.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
