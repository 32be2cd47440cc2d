import Foundation

/// Times are stored as fixed-width ISO 8601 text in UTC with milliseconds, so that both databases order and
/// compare them as strings, and a value reads back exactly.
enum Timestamp {
    static func text(_ date: Date) -> String {
        date.formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        )
    }

    static func date(_ text: String) throws(StoreError) -> Date {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        if let date = try? style.parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(timeZone: .gmt).parse(text) { return date }
        throw .invalid("stored time '\(text)' is not ISO 8601")
    }
}
