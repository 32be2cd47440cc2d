/// A problem with a catalogue file or a lookup, with the file, line and field it concerns.
public struct CatalogueError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as given, or `chips/<name>.yaml` for built-in files).
    public var file: String?
    /// 1-based line, when known.
    public var line: Int?
    /// Dotted field path, e.g. `memory.bandwidth`.
    public var field: String?
    /// What is wrong and what to do.
    public var message: String

    public init(file: String? = nil, line: Int? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.message = message
    }

    /// One line: `file:line: field 'x': message`.
    public var description: String {
        var prefix = ""
        if let file {
            prefix = file
            if let line { prefix += ":\(line)" }
            prefix += ": "
        }
        if let field { prefix += "field '\(field)' " }
        return prefix + message
    }
}

/// An identifier that is not in the catalogue, with the closest known identifiers.
public struct UnknownIDError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of thing was looked up: `chip`, `model`, …
    public var kind: String
    public var id: String
    public var suggestions: [String]

    public init(kind: String, id: String, suggestions: [String]) {
        self.kind = kind
        self.id = id
        self.suggestions = suggestions
    }

    public var description: String {
        var text = "unknown \(kind) '\(id)'."
        if !suggestions.isEmpty {
            text += " Did you mean: \(suggestions.joined(separator: ", "))?"
        }
        text += " Run 'parity \(kind == "chip" ? "chips" : "models") list' to see all."
        return text
    }
}
