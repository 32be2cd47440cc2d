import Assessment
import Catalogue
import Foundation
import Reporting
import Store

/// The dashboard (`GET /`): one server-rendered page with inline CSS and no external assets, listing the
/// chips, the latest assessment's verdicts, recent submissions (no drafts) and links to the stored reports.
struct Dashboard {
    var chips: [Chip]
    var assessments: [StoredAssessment]
    var latest: Assessment?
    var submissions: [Submission]
    /// Registered keys by ID, to say which key signed each submission.
    var signers: [String: VendorKey]
    var store: String

    /// The page lists at most this many chips (catalogue first), so that its size stays bounded.
    static let maxChips = 200

    static let style = """
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f4f6fa}
        header{background:#1d2b4f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
        header p{margin:4px 0 0;color:#c9d3ea}main{padding:20px 28px;display:grid;gap:20px}
        section{background:#fff;border-radius:8px;padding:16px 20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
        h2{margin:0 0 10px;font-size:16px}table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e9f0}th{color:#5a6478;font-weight:600}
        td.num{text-align:right;font-variant-numeric:tabular-nums}.pill{display:inline-block;padding:1px 8px;
        border-radius:10px;color:#fff;font-size:12px}.exceeds{background:#1f8f4e}.comparable{background:#2f6fd0}
        .below{background:#c2412d}.inconclusive{background:#8a8f9c}.accepted{background:#1f8f4e}
        .rejected{background:#c2412d}.submitted{background:#d48a0b}.stat{display:inline-block;margin-right:28px}
        .stat b{display:block;font-size:24px;color:#1d2b4f}a{color:#2f5fb3}
        """

    func render() -> String {
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parity dashboard</title>
            <meta name="viewport" content="width=device-width, initial-scale=1"><style>\(Self.style)</style></head><body>
            <header><h1>Parity</h1><p>Accelerator comparisons with evidence · store: \(escape(store))</p></header><main>
            """
        let accepted = submissions.filter { $0.status == .accepted }.count
        let pending = submissions.filter { $0.status == .submitted }.count
        html += """
            <section><span class="stat"><b>\(chips.count)</b>chips</span>\
            <span class="stat"><b>\(assessments.count)</b>assessments</span>\
            <span class="stat"><b>\(pending)</b>awaiting review</span>\
            <span class="stat"><b>\(accepted)</b>accepted submissions</span></section>
            """
        html += verdictSection()
        html += submissionSection()
        html += assessmentSection()
        html += chipSection()
        html += "</main></body></html>\n"
        return html
    }

    func verdictSection() -> String {
        guard let latest else {
            return "<section><h2>Latest verdicts</h2><p>No assessment stored yet: run "
                + "<code>parity assess --db …</code>.</p></section>"
        }
        var rows = ""
        for comparison in latest.comparisons {
            let verdict = comparison.verdict.rawValue
            let interval =
                comparison.interval.map {
                    "\(format($0.lower))–\(format($0.upper))"
                } ?? "—"
            rows += """
                <tr><td>\(escape(comparison.candidate))</td><td>\(escape(comparison.reference))</td>\
                <td class="num">\(comparison.composite.map(format) ?? "—")</td><td class="num">\(interval)</td>\
                <td><span class="pill \(verdict)">\(verdict)</span></td><td>\(comparison.confidence.rawValue)</td></tr>
                """
        }
        let generated = latest.generatedAt.formatted(.iso8601)
        return """
            <section><h2>Latest verdicts <small>(\(escape(generated)), composite ratio candidate ÷ reference)</small></h2>
            <table><tr><th>candidate</th><th>reference</th><th>ratio</th><th>interval</th><th>verdict</th>\
            <th>confidence</th></tr>\(rows)</table></section>
            """
    }

    func submissionSection() -> String {
        guard !submissions.isEmpty else { return "<section><h2>Submissions</h2><p>None yet.</p></section>" }
        var rows = ""
        for submission in submissions.prefix(25) {
            rows += """
                <tr><td>\(escape(submission.id))</td><td>\(escape(submission.vendor ?? "—"))</td>\
                <td><span class="pill \(submission.status.rawValue)">\(submission.status.rawValue)</span></td>\
                <td class="num">\(submission.resultCount)</td><td>\(signer(submission))</td>\
                <td>\(submission.createdAt.formatted(.iso8601))</td><td>\(escape(submission.reason ?? ""))</td></tr>
                """
        }
        return """
            <section><h2>Submissions</h2><table><tr><th>id</th><th>vendor</th><th>status</th><th>results</th>\
            <th>key</th><th>submitted</th><th>reason</th></tr>\(rows)</table></section>
            """
    }

    func signer(_ submission: Submission) -> String {
        guard let key = signers[submission.keyID] else { return escape(submission.keyID) }
        let revoked = key.revokedAt.map { " (revoked \($0.formatted(.iso8601)))" } ?? ""
        return "\(escape(key.id)) · \(escape(key.vendor)) · \(escape(key.name))\(escape(revoked))"
    }

    func assessmentSection() -> String {
        guard !assessments.isEmpty else { return "" }
        let items = assessments.map {
            "<li><a href=\"/reports/\(escape($0.id))\">\(escape($0.title))</a> · \($0.createdAt.formatted(.iso8601))</li>"
        }.joined()
        return "<section><h2>Reports</h2><ul>\(items)</ul></section>"
    }

    func chipSection() -> String {
        var rows = ""
        for chip in chips.sorted(by: { ($0.vendor, $0.id) < ($1.vendor, $1.id) }) {
            let bf16 = chip.densePeak[.bf16].map { Quantity.format($0.value, as: .throughput) } ?? "—"
            rows += """
                <tr><td>\(escape(chip.id))</td><td>\(escape(chip.vendor))</td><td>\(escape(chip.name))</td>\
                <td>\(chip.market.rawValue)</td>\
                <td class="num">\(Quantity.format(chip.memory.capacityBytes.value, as: .capacity))</td>\
                <td class="num">\(Quantity.format(chip.memory.bandwidthBytesPerSecond.value, as: .bandwidth))</td>\
                <td class="num">\(bf16)</td></tr>
                """
        }
        return """
            <section><h2>Chips</h2><table><tr><th>id</th><th>vendor</th><th>name</th><th>market</th><th>memory</th>\
            <th>bandwidth</th><th>BF16 dense</th></tr>\(rows)</table></section>
            """
    }

    func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// Escaped and clipped to 300 bytes: names and reasons come from vendors and reviewers.
    func escape(_ text: String) -> String { HTMLText.escape(HTMLText.clipped(text, maxBytes: 300)) }
}
