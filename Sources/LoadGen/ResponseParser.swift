/// Why a response could not be read.
struct ResponseParseError: Error, CustomStringConvertible {
    var description: String
}

/// A minimal HTTP/1.1 response reader for the benchmark's own connections: status line, the headers that decide
/// framing (`Content-Length`, `Transfer-Encoding: chunked`, `Connection`), then the body by length, by chunks or
/// until the server closes. Body bytes are handed on without copying them into a body object.
struct ResponseParser {
    enum State: Equatable {
        case head
        case chunkSize
        case chunkData(Int)
        case chunkEnd
        case trailers
        case fixed(Int)
        case untilClose
        case complete
    }

    private(set) var state = State.head
    private(set) var status = 0
    private(set) var keepAlive = true
    /// Whether the response is a server-sent-event stream (`Content-Type: text/event-stream`).
    private(set) var isEventStream = false
    private var line: [UInt8] = []
    private var headLines: [[UInt8]] = []
    private var headBytes = 0

    init() {
        line.reserveCapacity(256)
    }

    var isComplete: Bool { state == .complete }
    /// The head has been read; body bytes may follow.
    var hasHead: Bool { state != .head }

    /// Whether the response ends when the connection closes (no length, not chunked).
    var endsAtClose: Bool { state == .untilClose }

    /// Reads `bytes`, calling `body` with each run of body bytes and the response's status. Bytes after the end of the response are
    /// ignored (the benchmark never pipelines).
    mutating func parse(
        _ bytes: UnsafeRawBufferPointer,
        body: (UnsafeRawBufferPointer, Int) -> Void
    ) throws(ResponseParseError) {
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .head, .chunkSize, .chunkEnd, .trailers:
                // Line-oriented states: gather one line.
                let byte = bytes[index]
                index += 1
                if byte != 0x0A {
                    if byte != 0x0D { line.append(byte) }
                    headBytes += 1
                    if headBytes > 65536 { throw ResponseParseError(description: "response head over 64 KiB") }
                    continue
                }
                try endLine()
            case .chunkData(let remaining):
                let take = min(remaining, count - index)
                body(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]), status)
                index += take
                state = take == remaining ? .chunkEnd : .chunkData(remaining - take)
            case .fixed(let remaining):
                let take = min(remaining, count - index)
                body(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)]), status)
                index += take
                state = take == remaining ? .complete : .fixed(remaining - take)
            case .untilClose:
                body(UnsafeRawBufferPointer(rebasing: bytes[index..<count]), status)
                index = count
            case .complete:
                return
            }
        }
    }

    private mutating func endLine() throws(ResponseParseError) {
        defer { line.removeAll(keepingCapacity: true) }
        switch state {
        case .head:
            if line.isEmpty {
                if headLines.isEmpty { return }  // a stray blank line before the status line
                try finishHead()
            } else {
                headLines.append(line)
            }
        case .chunkSize:
            var size = 0
            var digits = 0
            for byte in line {
                let value: Int
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte) - 48
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte) - 87
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte) - 55
                default: value = -1
                }
                if value < 0 { break }
                size = size * 16 + value
                digits += 1
                if digits > 12 { throw ResponseParseError(description: "chunk size too large") }
            }
            guard digits > 0 else {
                throw ResponseParseError(description: "bad chunk size line '\(String(decoding: line, as: UTF8.self))'")
            }
            state = size == 0 ? .trailers : .chunkData(size)
        case .chunkEnd:
            guard line.isEmpty else { throw ResponseParseError(description: "chunk not followed by CRLF") }
            state = .chunkSize
        case .trailers:
            if line.isEmpty { state = .complete }
        default:
            break
        }
        headBytes = state == .head ? headBytes : 0
    }

    private mutating func finishHead() throws(ResponseParseError) {
        let statusLine = headLines[0]
        // "HTTP/1.1 200 OK"
        guard statusLine.count >= 12, EventScanner.startsWith(statusLine, "HTTP/1.") else {
            throw ResponseParseError(
                description: "not an HTTP response: '\(String(decoding: statusLine.prefix(60), as: UTF8.self))'"
            )
        }
        let http10 = statusLine[7] == UInt8(ascii: "0")
        var code = 0
        for byte in statusLine[9..<12] {
            guard byte >= 48, byte <= 57 else { throw ResponseParseError(description: "bad status code") }
            code = code * 10 + Int(byte) - 48
        }
        var length: Int?
        var chunked = false
        var connectionClose = http10
        for header in headLines.dropFirst() {
            guard let colon = header.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = String(decoding: header[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: header[(colon + 1)...], as: UTF8.self)
                .trimmingWhitespace().lowercased()
            switch name {
            case "content-length":
                guard let number = Int(value), number >= 0 else {
                    throw ResponseParseError(description: "bad Content-Length '\(value)'")
                }
                length = number
            case "transfer-encoding":
                chunked = value.hasSuffix("chunked")
            case "connection":
                if value.contains("close") { connectionClose = true }
                if value.contains("keep-alive") { connectionClose = false }
            case "content-type":
                isEventStream = value.hasPrefix("text/event-stream")
            default:
                break
            }
        }
        headLines.removeAll(keepingCapacity: true)
        if code >= 100, code < 200 {
            // An interim response (100 Continue): the real one follows.
            return
        }
        status = code
        keepAlive = !connectionClose
        if code == 204 || code == 304 {
            state = .complete
        } else if chunked {
            state = .chunkSize
        } else if let length {
            state = length == 0 ? .complete : .fixed(length)
        } else {
            state = .untilClose
            keepAlive = false
        }
    }
}

extension EventScanner {
    static func startsWith(_ bytes: [UInt8], _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        return prefix.withUTF8Buffer { prefix in
            for offset in 0..<count where bytes[offset] != prefix[offset] { return false }
            return true
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
