import Assessment
import Catalogue
import Foundation

/// Formatting and anchors shared by the HTML and Markdown reports.
enum Format {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static func ratio(_ value: Double?) -> String {
        guard let value else { return "—" }
        return "\(Quantity.trimmed(value, digits: value >= 10 ? 1 : 2))×"
    }

    static func interval(_ interval: Interval?) -> String {
        guard let interval else { return "" }
        let digits = { (v: Double) in Quantity.trimmed(v, digits: v >= 10 ? 1 : 2) }
        return "[\(digits(interval.lower))–\(digits(interval.upper))]"
    }

    static func percent(_ value: Double) -> String {
        "\(Quantity.trimmed(value * 100, digits: 0)) %"
    }

    static func date(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }

    /// Anchor id safe for HTML and Markdown links.
    static func anchor(_ parts: String...) -> String {
        parts.joined(separator: "-").map { $0.isLetter || $0.isNumber || $0 == "-" ? String($0) : "_" }.joined()
    }

    static func sourceAnchor(_ input: String) -> String {
        // `chip/field` → src-chip-field
        anchor("src", input.replacingOccurrences(of: "/", with: "-"))
    }

    static func evidenceAnchor(chip: String, workload: String) -> String { anchor("ev", chip, workload) }
    static func pairAnchor(_ comparison: Comparison) -> String {
        anchor("pair", comparison.candidate, comparison.reference)
    }

    static func verdictLabel(_ verdict: Verdict?) -> String { verdict?.rawValue ?? "n/a" }

    static func isURL(_ text: String) -> Bool { text.hasPrefix("https://") || text.hasPrefix("http://") }
}
