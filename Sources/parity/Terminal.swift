import Catalogue
import Foundation

/// Colour on standard output only when it is a terminal that supports it (and NO_COLOR is unset).
enum Terminal {
    static let colours: Bool = {
        let environment = ProcessInfo.processInfo.environment
        if environment["NO_COLOR"] != nil { return false }
        if let term = environment["TERM"], term == "dumb" { return false }
        return isatty(STDOUT_FILENO) == 1
    }()

    enum Colour: String {
        case green = "32"
        case blue = "34"
        case red = "31"
        case grey = "90"
        case bold = "1"
    }

    static func paint(_ text: String, _ colour: Colour) -> String {
        colours ? "\u{1B}[\(colour.rawValue)m\(text)\u{1B}[0m" : text
    }

    /// Text from data made safe for a terminal: control characters (escape sequences, carriage returns, bells…)
    /// are shown as `\u{…}` instead of being interpreted.
    static func printable(_ text: String) -> String { PlainText.escapingControls(text) }

    /// A message on standard error.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
