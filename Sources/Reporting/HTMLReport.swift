public import Assessment
import Catalogue
import Foundation

/// One self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched; readable when printed.
public enum HTMLReport {
    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;\
        max-width:1100px;padding:0 16px}
        h1{font-size:24px;margin-bottom:4px}h2{font-size:19px;margin-top:32px;border-bottom:1px solid #d0d7de}
        h3{font-size:15px;margin-top:20px}
        table{border-collapse:collapse;margin:8px 0;font-size:13px}
        th,td{border:1px solid #d0d7de;padding:3px 7px;text-align:left;vertical-align:top}
        th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        .verdict{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-weight:600;font-size:12px}
        .exceeds{background:#1a7f37}.comparable{background:#0969da}.below{background:#cf222e}
        .inconclusive{background:#6e7781}.na{background:#afb8c1}
        .muted{color:#656d76}.small{font-size:12px}
        .chart{max-width:100%;height:auto;display:block;margin:8px 0}
        .chart text{font-size:11px;fill:#1f2328}.chart .chart-title{font-size:13px;font-weight:600}
        .chart .grid{stroke:#eaeef2}.chart .unity{stroke:#1f2328;stroke-width:1.5}
        .chart .band{fill:#0969da;opacity:.12}.chart .whisker{stroke:#1f2328;stroke-width:1.3}
        .chart .limit{stroke:#cf222e;stroke-dasharray:4 3}
        .rooflines{display:flex;flex-wrap:wrap;gap:8px}
        a{color:#0969da}details{margin:6px 0}summary{cursor:pointer}
        @media print{body{margin:0;max-width:none}details{display:block}a{color:inherit;text-decoration:none}
        h2{break-after:avoid}table,svg{break-inside:avoid}}
        """

    public static func render(_ assessment: Assessment) -> String {
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width,initial-scale=1">
            <title>Parity assessment</title>
            <style>\(style)</style></head><body>
            <h1>Parity assessment</h1>
            <p class="muted">Generated \(Format.date(assessment.generatedAt)) · schema \(assessment.schema) · \
            performance model \(assessment.perfModel) · \(assessment.suite.count) workloads · tolerance \
            ±\(Format.percent(assessment.tolerance)) · \(Format.percent(assessment.level)) bootstrap intervals \
            (\(assessment.resamples) resamples, seed \(assessment.seed))</p>

            """
        html += method(assessment)
        html += matrix(assessment)
        html += referenceAccess(assessment)
        html += ratioCharts(assessment)
        html += pairs(assessment)
        html += curves(assessment)
        html += rooflines(assessment)
        html += evidence(assessment)
        html += sources(assessment)
        html += "</body></html>\n"
        return html
    }

    /// Which references a buyer could obtain on the assessment date: US side and China side.
    static func referenceAccess(_ a: Assessment) -> String {
        guard let access = a.referenceAccess, let first = access.first else { return "" }
        var html =
            "<h2 id=\"reference-access\">References: what a buyer in \(Format.escape(first.destination)) could obtain on \(first.date)</h2>\n"
        html += "<table><tr><th>Reference</th><th>Class</th><th>Access</th><th>US licence</th><th>US review policy</th>"
        html += "<th>Rules naming it</th><th>China side</th></tr>\n"
        for entry in access {
            html += "<tr><td>\(Format.escape(entry.name))</td><td>\(Format.escape(entry.eccnClass))</td>"
            html += "<td><b>\(Format.escape(entry.access))</b></td><td>\(Format.escape(entry.usLicence))</td>"
            var policy = Format.escape(entry.usPolicy ?? "—")
            if !entry.conditions.isEmpty {
                policy += "<details><summary>\(entry.conditions.count) conditions</summary><ul>"
                policy += entry.conditions.map { "<li>\(Format.escape($0))</li>" }.joined() + "</ul></details>"
            }
            html += "<td>\(policy)</td>"
            html += "<td class=\"small\">\(entry.namedRules.map(Format.escape).joined(separator: "<br>"))</td>"
            html +=
                "<td class=\"small\">\(entry.china.isEmpty ? "no directive" : entry.china.map(Format.escape).joined(separator: "<br>"))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    static func badge(_ verdict: Verdict?) -> String {
        let label = Format.verdictLabel(verdict)
        return "<span class=\"verdict \(verdict?.rawValue ?? "na")\">\(label)</span>"
    }

    static func method(_ a: Assessment) -> String {
        let low = Quantity.trimmed(1 - a.tolerance, digits: 2)
        let high = Quantity.trimmed(1 + a.tolerance, digits: 2)
        return """
            <h2 id="method">How to read this report</h2>
            <p>Each ratio is candidate ÷ reference for one workload; a pair's composite is the geometric mean of its \
            ratios. Intervals come from a seeded bootstrap that resamples measured repetitions, perturbs figures \
            without repetitions by their stated uncertainty (log-normal σ: published \
            \(Quantity.trimmed(a.uncertainty.spec, digits: 2)), estimate \
            \(Quantity.trimmed(a.uncertainty.estimate, digits: 2)), modelled \
            \(Quantity.trimmed(a.uncertainty.modelled, digits: 2))) and, for the composite, resamples the workload \
            suite. The verdict is <b>exceeds</b> when the whole interval is above \(high), <b>below</b> when it is \
            wholly under \(low), <b>comparable</b> when it lies inside \(low)–\(high), and <b>inconclusive</b> \
            otherwise. Confidence is <i>low</i> when a figure rests on an estimate, <i>medium</i> for modelled \
            figures on published inputs, <i>high</i> for published or measured figures. Every value links to its \
            evidence, and every evidence row to its sources.</p>

            """
    }

    static func matrix(_ a: Assessment) -> String {
        let references = a.chips.filter { $0.role == .reference }
        let candidates = a.chips.filter { $0.role == .candidate }
        var html = "<h2 id=\"matrix\">Verdict matrix</h2>\n<table><tr><th>Candidate</th>"
        for reference in references { html += "<th>vs \(Format.escape(reference.name))</th>" }
        html += "</tr>\n"
        for candidate in candidates {
            html += "<tr><th>\(Format.escape(candidate.name)) <span class=\"muted small\">"
            html += "\(Format.escape(candidate.vendor))</span></th>"
            for reference in references {
                guard
                    let comparison = a.comparisons.first(where: {
                        $0.candidate == candidate.id && $0.reference == reference.id
                    })
                else {
                    html += "<td>—</td>"
                    continue
                }
                html += "<td>\(badge(comparison.verdict)) <a href=\"#\(Format.pairAnchor(comparison))\">"
                html += "\(Format.ratio(comparison.composite))</a> <span class=\"small\">"
                html += "\(Format.interval(comparison.interval))</span> <span class=\"muted small\">"
                html += "\(comparison.confidence.rawValue) confidence</span></td>"
            }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    static func ratioCharts(_ a: Assessment) -> String {
        var html = "<h2 id=\"ratios\">Composite ratios</h2>\n"
        for reference in a.chips where reference.role == .reference {
            let rows = a.comparisons.filter { $0.reference == reference.id }.compactMap {
                comparison -> (String, String, Double, Interval?, Verdict)? in
                guard let composite = comparison.composite else { return nil }
                let name = a.chip(comparison.candidate)?.name ?? comparison.candidate
                return (name, Format.pairAnchor(comparison), composite, comparison.interval, comparison.verdict)
            }
            html += Charts.ratioBars(
                title: "Candidate ÷ \(reference.name), geometric mean over the suite",
                rows: rows.map { (label: $0.0, link: $0.1, ratio: $0.2, interval: $0.3, verdict: $0.4) },
                tolerance: a.tolerance
            )
        }
        return html
    }

    static func pairs(_ a: Assessment) -> String {
        var html = "<h2 id=\"pairs\">Per workload</h2>\n"
        for comparison in a.comparisons {
            let candidate = a.chip(comparison.candidate)?.name ?? comparison.candidate
            let reference = a.chip(comparison.reference)?.name ?? comparison.reference
            html += "<details id=\"\(Format.pairAnchor(comparison))\" open><summary><b>\(Format.escape(candidate))"
            html += "</b> vs <b>\(Format.escape(reference))</b>: \(badge(comparison.verdict)) "
            html += "\(Format.ratio(comparison.composite)) \(Format.interval(comparison.interval)), "
            html += "\(comparison.confidence.rawValue) confidence, \(Format.percent(comparison.estimatedShare)) "
            html += "of ratios rest on estimates; evidence: \(Format.escape(comparison.tierSummary))</summary>\n"
            html += "<table><tr><th>Workload</th><th>\(Format.escape(candidate))</th>"
            html += "<th>\(Format.escape(reference))</th><th>Ratio</th><th>Interval</th><th>Verdict</th>"
            html += "<th>Evidence tiers</th><th>Confidence</th><th>Note</th></tr>\n"
            for ratio in comparison.ratios {
                guard let workload = a.workload(ratio.workload) else { continue }
                html += "<tr><td>\(Format.escape(workload.title))</td>"
                html += valueCell(workload, ratio.candidateValue, chip: comparison.candidate)
                html += valueCell(workload, ratio.referenceValue, chip: comparison.reference)
                html += "<td class=\"num\">\(Format.ratio(ratio.ratio))</td>"
                html += "<td class=\"num\">\(Format.interval(ratio.interval))</td>"
                html += "<td>\(badge(ratio.verdict))</td><td>\(Format.escape(Format.tiers(ratio)))</td>"
                html += "<td>\(ratio.confidence.rawValue)</td>"
                html += "<td class=\"small\">\(Format.escape(ratio.note ?? ""))</td></tr>\n"
            }
            html += "</table></details>\n"
        }
        return html
    }

    static func valueCell(_ workload: Workload, _ value: Double?, chip: String) -> String {
        guard let value else { return "<td class=\"num\">—</td>" }
        let anchor = Format.evidenceAnchor(chip: chip, workload: workload.id)
        return "<td class=\"num\"><a href=\"#\(anchor)\">\(Format.escape(workload.formatted(value)))</a></td>"
    }

    static func curves(_ a: Assessment) -> String {
        let serving = a.suite.filter { $0.kind == .serving }
        guard !serving.isEmpty else { return "" }
        let names = Dictionary(uniqueKeysWithValues: a.chips.map { ($0.id, $0.name) })
        let references = Set(a.chips.filter { $0.role == .reference }.map(\.id))
        var html = "<h2 id=\"curves\">Throughput vs interactivity (modelled)</h2>\n"
        html +=
            "<p class=\"muted\">Each line sweeps the batch size on the deployment (TP × PP) that gives the chip the "
        html += "most output tokens per second per chip under the limits; "
        html += "references are dashed. Points right of the TPOT limit meet it.</p>\n"
        for workload in serving {
            html += Charts.curves(
                workload: workload,
                curves: a.curves.filter { $0.workload == workload.id },
                names: names,
                references: references
            )
        }
        return html
    }

    static func rooflines(_ a: Assessment) -> String {
        var html = "<h2 id=\"rooflines\">Rooflines</h2>\n<p class=\"muted\">Dense peak per precision and memory "
        html += "bandwidth from the catalogue; the knee is the arithmetic intensity where a kernel stops being "
        html += "memory-bound.</p>\n<div class=\"rooflines\">\n"
        for chip in a.chips { html += Charts.roofline(chip) + "\n" }
        return html + "</div>\n"
    }

    static func evidence(_ a: Assessment) -> String {
        var html = "<h2 id=\"evidence\">Evidence</h2>\n<table><tr><th>Chip</th><th>Workload</th><th>Value</th>"
        html += "<th>Tier</th><th>From</th><th>Inputs</th><th>Note</th></tr>\n"
        for entry in a.evidence {
            guard let workload = a.workload(entry.workload) else { continue }
            let evidence = entry.evidence
            html += "<tr id=\"\(Format.evidenceAnchor(chip: entry.chip, workload: entry.workload))\">"
            html += "<td>\(Format.escape(a.chip(entry.chip)?.name ?? entry.chip))</td>"
            html += "<td>\(Format.escape(workload.title))</td>"
            html += "<td class=\"num\">\(Format.escape(workload.formatted(evidence.value)))</td>"
            html += "<td>\(Format.escape(evidence.tier.label))</td><td class=\"small\">"
            switch evidence.provenance {
            case .measured where evidence.tier == .published:
                let parts = (evidence.source ?? "").split(separator: " ", maxSplits: 1).map(String.init)
                html += "published <code>\(Format.escape(parts.first ?? ""))</code> "
                html += link(parts.count > 1 ? parts[1] : "")
            case .measured(let id):
                html +=
                    "\(evidence.tier == .submitted ? "submission" : "measurement") <code>\(Format.escape(id))</code>"
            case .modelled(let model, let assumptions):
                html += "\(Format.escape(model)): \(Format.escape(assumptions))"
            case .spec(let source):
                html += link(source)
            case .estimate(let reason):
                html += "estimate: \(Format.escape(reason))"
            }
            html += "</td><td class=\"small\">"
            html += evidence.inputs.map { input in
                let estimated = evidence.estimatedInputs.contains(input) ? " (estimate)" : ""
                return "<a href=\"#\(Format.sourceAnchor(input))\">\(Format.escape(input))</a>\(estimated)"
            }.joined(separator: ", ")
            for assumption in evidence.assumedInputs { html += "; assumed: \(Format.escape(assumption))" }
            html += "</td><td class=\"small\">\(Format.escape(evidence.note ?? ""))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    static func link(_ source: String) -> String {
        Format.isURL(source)
            ? "<a href=\"\(Format.escape(source))\">\(Format.escape(source))</a>" : Format.escape(source)
    }

    static func sources(_ a: Assessment) -> String {
        var html = "<h2 id=\"sources\">Sources</h2>\n<table><tr><th>Chip</th><th>Figure</th><th>Value</th>"
        html += "<th>Kind</th><th>Source or reason</th></tr>\n"
        for chip in a.chips {
            for figure in chip.figures {
                html += "<tr id=\"\(Format.sourceAnchor("\(chip.id)/\(figure.field)"))\">"
                html += "<td>\(Format.escape(chip.name))</td><td><code>\(Format.escape(figure.field))</code></td>"
                html += "<td class=\"num\">\(Format.escape(figure.value))</td><td>\(figure.kind)</td>"
                html += "<td class=\"small\">\(link(figure.source))"
                if let note = figure.note { html += " <span class=\"muted\">(\(Format.escape(note)))</span>" }
                html += "</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }
}
