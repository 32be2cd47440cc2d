/// The fields of a completion request the simulator acts on, read from the body's bytes in one pass.
struct RequestFields: Equatable {
    /// Token IDs counted exactly; text counted in whitespace-separated words.
    var promptTokens: Int?
    var maxTokens: Int?
    var stream = false
    var includeUsage = false
}

/// Reads `RequestFields` from a JSON body without building Foundation objects: the simulator must not be the
/// bottleneck of a client under test. Returns nil for anything unusual (then the caller falls back to
/// `JSONSerialization`), so that the fast path never decides a case the slow one would decide differently.
struct RequestScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    static func fields(of bytes: UnsafeRawBufferPointer, chat: Bool) -> RequestFields? {
        var scanner = RequestScanner(bytes: bytes)
        return scanner.scan(chat: chat)
    }

    mutating func scan(chat: Bool) -> RequestFields? {
        var fields = RequestFields()
        var maxTokens: Int?
        var maxCompletionTokens: Int?
        guard open() else { return nil }
        var first = true
        while true {
            switch member(first: first) {
            case .malformed: return nil
            case .end:
                skipWhitespace()
                guard index == bytes.count else { return nil }
                fields.maxTokens = maxTokens ?? maxCompletionTokens
                return fields
            case .key(let key):
                first = false
                if matches(key, "max_tokens") {
                    guard let value = integer() else { return nil }
                    maxTokens = value
                } else if matches(key, "max_completion_tokens") {
                    guard let value = integer() else { return nil }
                    maxCompletionTokens = value
                } else if matches(key, "stream") {
                    guard let value = boolean() else { return nil }
                    fields.stream = value
                } else if matches(key, "stream_options") {
                    guard let value = includeUsage() else { return nil }
                    fields.includeUsage = value
                } else if !chat, matches(key, "prompt") {
                    guard let count = promptLength() else { return nil }
                    fields.promptTokens = count
                } else if chat, matches(key, "messages") {
                    guard let count = messagesLength() else { return nil }
                    fields.promptTokens = count
                } else {
                    guard skipValue() else { return nil }
                }
            }
        }
    }

    /// `stream_options.include_usage` (false when absent).
    private mutating func includeUsage() -> Bool? {
        guard open() else { return nil }
        var value = false
        var first = true
        while true {
            switch member(first: first) {
            case .malformed: return nil
            case .end: return value
            case .key(let key):
                first = false
                if matches(key, "include_usage") {
                    guard let flag = boolean() else { return nil }
                    value = flag
                } else {
                    guard skipValue() else { return nil }
                }
            }
        }
    }

    // MARK: - Prompts

    /// Token IDs (`[1, 2]`, or a batch whose first entry counts) or text (words).
    private mutating func promptLength() -> Int? {
        skipWhitespace()
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "\"") { return stringWords().map { max(1, $0) } }
        guard bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        skipWhitespace()
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "]") {
            index += 1
            return nil
        }
        // A batch: only plain integer arrays are taken here; the slow path handles the rest.
        guard bytes[index] != UInt8(ascii: "["), bytes[index] != UInt8(ascii: "\"") else { return nil }
        var count = 0
        while true {
            skipWhitespace()
            guard integer() != nil else { return nil }
            count += 1
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return count
            } else {
                return nil
            }
        }
    }

    /// Words of every message's text `content`.
    private mutating func messagesLength() -> Int? {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var words = 0
        var messages = 0
        while true {
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]"), messages == 0 { return nil }
            guard open() else { return nil }
            var first = true
            members: while true {
                switch member(first: first) {
                case .malformed: return nil
                case .end: break members
                case .key(let key):
                    first = false
                    if matches(key, "content") {
                        skipWhitespace()
                        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let count = stringWords()
                        else { return nil }
                        words += count
                    } else {
                        guard skipValue() else { return nil }
                    }
                }
            }
            messages += 1
            skipWhitespace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return max(1, words)
            } else {
                return nil
            }
        }
    }

    /// The number of whitespace-separated words in a string literal (escaped whitespace separates too; any
    /// other escape is part of a word).
    private mutating func stringWords() -> Int? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var words = 0
        var inWord = false
        while index < bytes.count {
            var byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return words }
            if byte == UInt8(ascii: "\\") {
                guard index < bytes.count else { return nil }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): byte = 0x0A
                case UInt8(ascii: "t"): byte = 0x09
                case UInt8(ascii: "r"): byte = 0x0D
                case UInt8(ascii: "u"):
                    // \u escapes may hide Unicode whitespace; leave those bodies to the slow path.
                    return nil
                default: byte = escaped
                }
            }
            let space = byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D || byte == 0x0B || byte == 0x0C
            if byte >= 0x80 { return nil }  // non-ASCII may include Unicode whitespace: slow path
            if space {
                inWord = false
            } else if !inWord {
                inWord = true
                words += 1
            }
        }
        return nil
    }

    // MARK: - JSON

    enum Member {
        case key(Range<Int>)
        case end
        case malformed
    }

    /// Consumes `{`.
    mutating func open() -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        return true
    }

    /// The next member's key (the scanner then stands before its value, which the caller must consume), or the
    /// end of the object.
    mutating func member(first: Bool) -> Member {
        skipWhitespace()
        guard index < bytes.count else { return .malformed }
        if bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .end
        }
        if !first {
            guard bytes[index] == UInt8(ascii: ",") else { return .malformed }
            index += 1
            skipWhitespace()
        }
        guard let key = string() else { return .malformed }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return .malformed }
        index += 1
        return .key(key)
    }

    func matches(_ key: Range<Int>, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        return name.withUTF8Buffer { name in
            for offset in 0..<name.count where bytes[key.lowerBound + offset] != name[offset] { return false }
            return true
        }
    }

    mutating func string() -> Range<Int>? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let first = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return first..<(index - 1)
            }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        return nil
    }

    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard index < bytes.count else { return false }
        let first = index
        switch bytes[index] {
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard index < bytes.count else { return false }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard string() != nil else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
                default: break
                }
                index += 1
            } while depth > 0
            return true
        default:
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || byte <= 0x20 {
                    break
                }
                index += 1
            }
            return index > first
        }
    }

    /// An integer literal (a leading minus allowed); nil for anything else.
    mutating func integer() -> Int? {
        skipWhitespace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var value = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, digits < 18 {
            value = value * 10 + Int(bytes[index]) - 48
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        if index < bytes.count {
            let byte = bytes[index]
            // A fraction or exponent: not an integer here.
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                || (byte >= 48 && byte <= 57)
            {
                return nil
            }
        }
        return negative ? -value : value
    }

    mutating func boolean() -> Bool? {
        skipWhitespace()
        if matches("true") {
            index += 4
            return true
        }
        if matches("false") {
            index += 5
            return false
        }
        return nil
    }

    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { literal in
            for offset in 0..<count where bytes[index + offset] != literal[offset] { return false }
            return true
        }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }
}
