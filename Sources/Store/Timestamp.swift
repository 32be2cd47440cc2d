package import Foundation

/// Times are stored as fixed-width ISO 8601 text in UTC with milliseconds, so that both databases order and
/// compare them as strings, and a value reads back exactly.
package enum Timestamp {
    /// The time to the nearest millisecond. Rounded, not truncated as the formatter does, so that a time read back
    /// from its text (…12.345 parses as 12.34499…) gives the same text again: a keyset cursor made from a stored time
    /// must compare equal to it.
    package static func text(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: seconds).formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    package static func date(_ text: String) throws(StoreError) -> Date {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        if let date = try? style.parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) { return date }
        throw .invalid("stored time '\(text)' is not ISO 8601")
    }
}
