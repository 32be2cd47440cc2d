import Assessment
import Catalogue
import Foundation

/// Text for HTML pages: escaped per Unicode scalar, not per character, so that a `"` or `<` followed by a combining
/// mark (one grapheme cluster, one `Character`) is still escaped.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// At most `maxBytes` UTF-8 bytes of `text`, cut at a scalar boundary, with "…" when cut (for pages that show
    /// text others wrote).
    public static func clipped(_ text: String, maxBytes: Int) -> String {
        guard text.utf8.count > maxBytes else { return text }
        var out = ""
        var bytes = 0
        for scalar in text.unicodeScalars {
            bytes += String(scalar).utf8.count
            if bytes > maxBytes { break }
            out.unicodeScalars.append(scalar)
        }
        return out + "…"
    }
}

/// Formatting and anchors shared by the HTML and Markdown reports.
enum Format {
    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// "published / published", candidate first; the provenance kinds for assessments made before tiers.
    static func tiers(_ ratio: Comparison.Ratio) -> String {
        guard let tiers = ratio.tiers else { return ratio.basis.joined(separator: " / ") }
        return tiers.map(\.label).joined(separator: " / ")
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
