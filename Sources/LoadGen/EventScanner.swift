/// What one streamed chunk says, as far as the benchmark needs it: how many choices it carries, whether any of them
/// carries text, the server's usage, and an error. Scanned from the bytes; no JSON objects are built.
struct ChunkFacts: Equatable {
    var choices = 0
    var textChoices = 0
    var promptTokens: Int?
    var completionTokens: Int?
    /// An error the server put in the stream (`{"error": …}` or `{"object": "error", "message": …}`).
    var error: String?
    /// The generated text of the chunk's choices as JSON string contents (escapes kept), only when the scanner
    /// was asked to capture it (multi-turn conversations send it back as the next turn's history).
    var text: [UInt8] = []
}

/// A server-sent event, as `EventScanner` finds it.
enum StreamEvent: Equatable {
    case chunk(ChunkFacts)
    case done
    /// `event: error`, or a data payload that is an error object.
    case error(String)
    /// A `data:` payload that is not a JSON object; the text is its start, for the error message.
    case malformed(String)
}

/// Splits a server-sent-event byte stream into events and scans each `data:` payload for the facts the
/// benchmark needs. Bytes are consumed by index and the buffer compacted only when most of it is spent, so many
/// events in one read cost one pass.
struct EventScanner {
    private var buffer: [UInt8] = []
    /// Everything before `start` belongs to events already returned.
    private var start = 0
    /// Where the search for the next blank line resumes (nothing before it ends an event).
    private var searchFrom = 0
    /// Whether chunks keep their generated text (`ChunkFacts.text`).
    let captureText: Bool

    init(captureText: Bool = false) {
        self.captureText = captureText
        buffer.reserveCapacity(4096)
    }

    /// Bytes of an event that has not ended yet (apart from whitespace): a stream that ends here was cut.
    var hasUnterminatedData: Bool {
        buffer[start...].contains { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            searchFrom = 0
        } else if start >= 16384, start * 2 >= buffer.count {
            buffer.removeFirst(start)
            searchFrom -= start
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete event, or nil when the buffer holds none.
    mutating func next() -> StreamEvent? {
        while true {
            guard let (blockEnd, nextStart) = findBlankLine() else { return nil }
            let blockStart = start
            start = nextStart
            searchFrom = nextStart
            if let event = buffer.withUnsafeBufferPointer({
                Self.event(in: $0, blockStart..<blockEnd, captureText: captureText)
            }) {
                return event
            }
        }
    }

    /// The end of the next event's block and the start of the one after: `\n\n` or `\n\r\n`.
    private mutating func findBlankLine() -> (Int, Int)? {
        buffer.withUnsafeBufferPointer { bytes -> (Int, Int)? in
            var index = max(searchFrom, start)
            let count = bytes.count
            while index + 1 < count {
                if bytes[index] == 0x0A {
                    if bytes[index + 1] == 0x0A { return (index, index + 2) }
                    if bytes[index + 1] == 0x0D {
                        if index + 2 >= count { break }
                        if bytes[index + 2] == 0x0A { return (index, index + 3) }
                    }
                }
                index += 1
            }
            // Resume a byte early next time: a `\n` at the end may begin a blank line.
            searchFrom = max(start, index)
            return nil
        }
    }

    private static let dataPrefix: [UInt8] = Array("data:".utf8)
    private static let eventPrefix: [UInt8] = Array("event:".utf8)
    private static let done: [UInt8] = Array("[DONE]".utf8)
    private static let errorName: [UInt8] = Array("error".utf8)

    /// The event of one block of lines; nil for a block without data (comments, keep-alives).
    static func event(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ block: Range<Int>,
        captureText: Bool = false
    ) -> StreamEvent? {
        var data: Range<Int>?
        var joined: [UInt8]?
        var isError = false
        var lineStart = block.lowerBound
        while lineStart < block.upperBound {
            var lineEnd = lineStart
            while lineEnd < block.upperBound, bytes[lineEnd] != 0x0A { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
            if has(prefix: dataPrefix, bytes, lineStart..<end) {
                var payload = lineStart + 5
                if payload < end, bytes[payload] == 0x20 { payload += 1 }
                if let first = data {
                    // Several data lines make one payload joined by newlines (rare: copy only then).
                    if joined == nil { joined = Array(bytes[first]) }
                    joined?.append(0x0A)
                    joined?.append(contentsOf: bytes[payload..<end])
                } else {
                    data = payload..<end
                }
            } else if has(prefix: eventPrefix, bytes, lineStart..<end) {
                var name = lineStart + 6
                var nameEnd = end
                while name < nameEnd, bytes[name] == 0x20 || bytes[name] == 0x09 { name += 1 }
                while nameEnd > name, bytes[nameEnd - 1] == 0x20 || bytes[nameEnd - 1] == 0x09 { nameEnd -= 1 }
                isError = equal(bytes, name..<nameEnd, errorName)
            }
            lineStart = lineEnd + 1
        }
        guard let data else { return isError ? .error("") : nil }
        if let joined {
            return joined.withUnsafeBufferPointer {
                payload(in: $0, 0..<$0.count, isError: isError, captureText: captureText)
            }
        }
        return payload(in: bytes, data, isError: isError, captureText: captureText)
    }

    static func payload(
        in bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        isError: Bool,
        captureText: Bool = false
    ) -> StreamEvent? {
        if isError { return .error(String(decoding: bytes[range], as: UTF8.self)) }
        if range.isEmpty { return nil }
        if equal(bytes, range, done) { return .done }
        var scanner = JSONFactScanner(bytes: bytes, range: range)
        scanner.captureText = captureText
        guard let facts = try? scanner.chunk() else {
            return .malformed(String(decoding: bytes[range].prefix(120), as: UTF8.self))
        }
        if let error = facts.error, facts.choices == 0 { return .error(error) }
        return .chunk(facts)
    }

    static func has(prefix: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count >= prefix.count else { return false }
        for (offset, byte) in prefix.enumerated() where bytes[range.lowerBound + offset] != byte { return false }
        return true
    }

    static func equal(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ other: [UInt8]) -> Bool {
        range.count == other.count && has(prefix: other, bytes, range)
    }
}

/// Why a payload could not be scanned.
struct MalformedJSON: Error {}

/// A single pass over one JSON object that reads the keys a streamed completion chunk needs and skips every other
/// value (strings with their escapes, nested objects and arrays) without building anything.
struct JSONFactScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let end: Int
    /// Keep the text and content strings of the choices (`ChunkFacts.text`).
    var captureText = false

    init(bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        index = range.lowerBound
        end = range.upperBound
    }

    private static let choicesKey: [UInt8] = Array("choices".utf8)
    private static let usageKey: [UInt8] = Array("usage".utf8)
    private static let errorKey: [UInt8] = Array("error".utf8)
    private static let objectKey: [UInt8] = Array("object".utf8)
    private static let messageKey: [UInt8] = Array("message".utf8)
    private static let textKey: [UInt8] = Array("text".utf8)
    private static let deltaKey: [UInt8] = Array("delta".utf8)
    private static let contentKey: [UInt8] = Array("content".utf8)
    private static let reasoningKey: [UInt8] = Array("reasoning_content".utf8)
    private static let promptTokensKey: [UInt8] = Array("prompt_tokens".utf8)
    private static let completionTokensKey: [UInt8] = Array("completion_tokens".utf8)
    private static let quotedError: [UInt8] = Array("\"error\"".utf8)
    private static let null: [UInt8] = Array("null".utf8)

    /// The facts of a chunk object; throws when the payload is not one well-formed JSON object.
    mutating func chunk() throws(MalformedJSON) -> ChunkFacts {
        var facts = ChunkFacts()
        var isErrorObject = false
        var message: String?
        try object { scanner, key throws(MalformedJSON) in
            if scanner.matches(key, Self.choicesKey) {
                try scanner.choices(into: &facts)
            } else if scanner.matches(key, Self.usageKey) {
                try scanner.usage(into: &facts)
            } else if scanner.matches(key, Self.errorKey) {
                let value = try scanner.skipValue()
                if !scanner.isNull(value) { facts.error = String(decoding: scanner.bytes[value], as: UTF8.self) }
            } else if scanner.matches(key, Self.objectKey) {
                let value = try scanner.skipValue()
                isErrorObject = scanner.matches(value, Self.quotedError)
            } else if scanner.matches(key, Self.messageKey) {
                var value = try scanner.skipValue()
                if value.count >= 2, scanner.bytes[value.lowerBound] == UInt8(ascii: "\"") {
                    value = (value.lowerBound + 1)..<(value.upperBound - 1)
                }
                message = String(decoding: scanner.bytes[value], as: UTF8.self)
            } else {
                _ = try scanner.skipValue()
            }
        }
        skipWhitespace()
        guard index == end else { throw MalformedJSON() }
        if isErrorObject, facts.error == nil { facts.error = message ?? "error" }
        return facts
    }

    private mutating func choices(into facts: inout ChunkFacts) throws(MalformedJSON) {
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "[") else {
            _ = try skipValue()
            return
        }
        index += 1
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            facts.choices += 1
            var hasText = false
            if index < end, bytes[index] == UInt8(ascii: "{") {
                try object { scanner, key throws(MalformedJSON) in
                    if scanner.matches(key, Self.textKey) {
                        hasText = try scanner.nonEmptyString(into: &facts) || hasText
                    } else if scanner.matches(key, Self.deltaKey) || scanner.matches(key, Self.messageKey) {
                        scanner.skipWhitespace()
                        if scanner.index < scanner.end, scanner.bytes[scanner.index] == UInt8(ascii: "{") {
                            try scanner.object { inner, key throws(MalformedJSON) in
                                if inner.matches(key, Self.contentKey) {
                                    hasText = try inner.nonEmptyString(into: &facts) || hasText
                                } else if inner.matches(key, Self.reasoningKey) {
                                    hasText = try inner.nonEmptyString() || hasText
                                } else {
                                    _ = try inner.skipValue()
                                }
                            }
                        } else {
                            _ = try scanner.skipValue()
                        }
                    } else {
                        _ = try scanner.skipValue()
                    }
                }
            } else {
                _ = try skipValue()
            }
            if hasText { facts.textChoices += 1 }
            skipWhitespace()
            guard index < end else { throw MalformedJSON() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "]") else { throw MalformedJSON() }
            index += 1
            return
        }
    }

    private mutating func usage(into facts: inout ChunkFacts) throws(MalformedJSON) {
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "{") else {
            _ = try skipValue()
            return
        }
        try object { scanner, key throws(MalformedJSON) in
            let value = try scanner.skipValue()
            if scanner.matches(key, Self.promptTokensKey) {
                facts.promptTokens = scanner.integer(value)
            } else if scanner.matches(key, Self.completionTokensKey) {
                facts.completionTokens = scanner.integer(value)
            }
        }
    }

    /// Walks an object, calling `member` with each key's contents (escapes left as they are) and the scanner
    /// positioned before the value; `member` must consume the value.
    mutating func object(
        _ member: (inout JSONFactScanner, Range<Int>) throws(MalformedJSON) -> Void
    ) throws(MalformedJSON) {
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "{") else { throw MalformedJSON() }
        index += 1
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            let key = try string()
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { throw MalformedJSON() }
            index += 1
            try member(&self, key)
            skipWhitespace()
            guard index < end else { throw MalformedJSON() }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { throw MalformedJSON() }
            index += 1
            return
        }
    }

    /// A string's contents (between the quotes, escapes not decoded).
    mutating func string() throws(MalformedJSON) -> Range<Int> {
        guard index < end, bytes[index] == UInt8(ascii: "\"") else { throw MalformedJSON() }
        index += 1
        let first = index
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return first..<(index - 1)
            }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        throw MalformedJSON()
    }

    /// Whether the value here is a string with at least one character (consumes the value, whatever it is).
    mutating func nonEmptyString() throws(MalformedJSON) -> Bool {
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "\"") else {
            _ = try skipValue()
            return false
        }
        return try !string().isEmpty
    }

    /// As `nonEmptyString()`, and with `captureText` the string's contents (escapes kept) appended to the facts.
    mutating func nonEmptyString(into facts: inout ChunkFacts) throws(MalformedJSON) -> Bool {
        guard captureText else { return try nonEmptyString() }
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "\"") else {
            _ = try skipValue()
            return false
        }
        let contents = try string()
        facts.text.append(contentsOf: bytes[contents])
        return !contents.isEmpty
    }

    /// Skips one value of any kind and returns its bytes.
    mutating func skipValue() throws(MalformedJSON) -> Range<Int> {
        skipWhitespace()
        guard index < end else { throw MalformedJSON() }
        let first = index
        switch bytes[index] {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard index < end else { throw MalformedJSON() }
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    _ = try string()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                default:
                    break
                }
                index += 1
            } while depth > 0
        default:
            while index < end {
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]")
                    || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
                {
                    break
                }
                index += 1
            }
            guard index > first else { throw MalformedJSON() }
        }
        return first..<index
    }

    mutating func skipWhitespace() {
        while index < end {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            index += 1
        }
    }

    func matches(_ range: Range<Int>, _ key: [UInt8]) -> Bool {
        EventScanner.equal(bytes, range, key)
    }

    func isNull(_ range: Range<Int>) -> Bool {
        matches(range, Self.null)
    }

    /// A non-negative integer literal, or nil for anything else (null, a fraction, a string).
    func integer(_ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count < 19 else { return nil }
        var value = 0
        for position in range {
            let digit = Int(bytes[position]) - 48
            guard digit >= 0, digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
