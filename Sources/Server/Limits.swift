import Catalogue
import Foundation
import Store

/// Every input the server keeps or shows is bounded in bytes (not characters: a character may carry any number of
/// combining marks), free of control characters, and every list is paged.
enum Limits {
    static let nameBytes = 200
    static let tokenNameBytes = 100
    static let reasonBytes = 2_000
    static let chipDocumentBytes = 64 * 1024
    static let defaultPage = 100
    static let maxPage = 1_000

    /// 400 unless `text` is at most `maxBytes` UTF-8 bytes with no control characters (newlines and tabs only where
    /// allowed) and no NUL.
    static func checkText(_ text: String, field: String, maxBytes: Int, allowNewlines: Bool = false) throws {
        let bytes = text.utf8.count
        guard bytes <= maxBytes else {
            throw APIError.badRequest("\(field) is \(bytes) bytes; the limit is \(maxBytes) bytes")
        }
        for scalar in text.unicodeScalars where scalar.properties.generalCategory == .control {
            if allowNewlines, scalar == "\n" || scalar == "\t" || scalar == "\r" { continue }
            throw APIError.badRequest(
                "\(field) contains a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            )
        }
    }

    /// Result IDs in submissions: 1–128 of `A–Z a–z 0–9 . _ -`, so that a stored `VENDOR:ID` can never be forged.
    static func isResultID(_ id: String) -> Bool {
        let bytes = id.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Echoes client text in an error message: at most 64 scalars, control characters as `\u{…}`.
    static func printable(_ text: String) -> String {
        var head = ""
        head.unicodeScalars.append(contentsOf: text.unicodeScalars.prefix(64))
        let out = PlainText.escapingControls(head)
        return text.unicodeScalars.count > 64 ? out + "…" : out
    }
}

/// Opaque keyset cursors: `base64url(ISO-8601 time + "\n" + ID)`.
enum Cursor {
    /// The store's own time format (milliseconds, UTC), so that a cursor compares exactly with stored times.
    static let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func encode(_ time: Date, _ id: String) -> String {
        let text = Timestamp.text(time) + "\n" + id
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> (Date, String)? {
        guard cursor.utf8.count <= 1024 else { return nil }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let newline = text.firstIndex(of: "\n")
        else { return nil }
        let stamp = String(text[..<newline])
        guard
            let time = try? style.parse(stamp)
        else { return nil }
        return (time, String(text[text.index(after: newline)...]))
    }
}
