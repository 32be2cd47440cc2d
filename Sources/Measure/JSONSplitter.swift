/// Splits a stream of JSON text into its top-level values without holding more than the value being read: the
/// elements of a top-level array, or a sequence of values (one object per line, a single object, or objects one
/// after the other). Bytes are fed in chunks of any size — a chunk may end inside a string, an escape or a number —
/// and each complete value comes out with its number (from 1) and the byte offset where it starts.
///
/// The splitter only finds where values begin and end (strings, escapes, nesting); checking that a value is valid
/// JSON is the decoder's job, so a malformed value is reported by the decoder with its number and offset.
public struct JSONSplitter: Sendable {
    /// One top-level value: its number in the file (from 1), where it starts, and its bytes.
    public struct Element: Sendable, Equatable {
        public var index: Int
        public var offset: Int
        public var bytes: [UInt8]

        public init(index: Int, offset: Int, bytes: [UInt8]) {
            self.index = index
            self.offset = offset
            self.bytes = bytes
        }
    }

    /// How the file holds its values.
    public enum Layout: Sendable, Equatable {
        /// One top-level JSON array; its elements are the values.
        case array
        /// Values one after the other: JSON lines, or a single value.
        case sequence
    }

    /// Why the text cannot be split: what is wrong and at which byte.
    public struct SplitError: Error, Sendable, Equatable, CustomStringConvertible {
        public var offset: Int
        public var reason: String

        public var description: String { "at byte \(offset): \(reason)" }
    }

    public private(set) var layout: Layout?
    /// Values completed so far.
    public private(set) var count = 0
    /// Bytes fed so far.
    public private(set) var offset = 0

    private var element: [UInt8] = []
    private var elementStart: Int?
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The value in progress is a bare scalar (number, literal), which ends at whitespace or a separator.
    private var bareScalar = false
    /// The value in progress is a top-level string, which ends at its closing quote.
    private var topString = false
    private var arrayClosed = false
    /// Array layout: a value was read and no comma has followed it yet.
    private var awaitingComma = false

    public init() {}

    /// Feeds the next bytes; returns the values they complete, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(SplitError) -> [Element] {
        var completed: [Element] = []
        for byte in bytes {
            if let done = try consume(byte) { completed.append(done) }
            offset += 1
        }
        return completed
    }

    /// Ends the text: returns a last value that ended with it (a bare scalar), or throws when a value or the array
    /// is left open.
    public mutating func finish() throws(SplitError) -> [Element] {
        if let start = elementStart {
            if bareScalar {
                return [complete()]
            }
            throw SplitError(offset: start, reason: "value \(count + 1) is not closed before the end of the file")
        }
        if layout == .array, !arrayClosed {
            throw SplitError(offset: offset, reason: "the top-level array is not closed before the end of the file")
        }
        return []
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private mutating func consume(_ byte: UInt8) throws(SplitError) -> Element? {
        if elementStart != nil { return try continueValue(byte) }
        if Self.isSpace(byte) { return nil }
        guard let layout else {
            if byte == UInt8(ascii: "[") {
                self.layout = .array
                return nil
            }
            self.layout = .sequence
            return try startValue(byte)
        }
        switch layout {
        case .sequence:
            return try startValue(byte)
        case .array:
            if arrayClosed {
                throw SplitError(offset: offset, reason: "text after the end of the top-level array")
            }
            if byte == UInt8(ascii: "]") {
                arrayClosed = true
                return nil
            }
            if byte == UInt8(ascii: ",") {
                guard awaitingComma else {
                    throw SplitError(offset: offset, reason: "a comma where value \(count + 1) should start")
                }
                awaitingComma = false
                return nil
            }
            if awaitingComma {
                throw SplitError(offset: offset, reason: "value \(count + 1) is not separated from the one before")
            }
            return try startValue(byte)
        }
    }

    private mutating func startValue(_ byte: UInt8) throws(SplitError) -> Element? {
        elementStart = offset
        element.append(byte)
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth = 1
        case UInt8(ascii: "\""):
            topString = true
            inString = true
        default:
            bareScalar = true
        }
        return nil
    }

    private mutating func continueValue(_ byte: UInt8) throws(SplitError) -> Element? {
        if bareScalar {
            let ends =
                Self.isSpace(byte)
                || (layout == .array && (byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")))
            guard ends else {
                element.append(byte)
                return nil
            }
            let done = complete()
            // The separator or bracket that ended the scalar is read as the array's own.
            _ = try consume(byte)
            return done
        }
        element.append(byte)
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if topString { return complete() }
            }
            return nil
        }
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth == 0 { return complete() }
        default:
            break
        }
        return nil
    }

    private mutating func complete() -> Element {
        count += 1
        let done = Element(index: count, offset: elementStart ?? offset, bytes: element)
        element = []
        element.reserveCapacity(done.bytes.count)
        elementStart = nil
        depth = 0
        bareScalar = false
        topString = false
        awaitingComma = layout == .array
        return done
    }
}
