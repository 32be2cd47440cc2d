import Catalogue
import NIOCore

/// One request ready to write: the whole HTTP request, rendered before the run.
struct PreparedRequest: Sendable {
    var index: Int
    var bytes: ByteBuffer
    var promptTokens: Int
    /// Keep the generated text (a multi-turn conversation sends it back with the next turn).
    var captureText = false
}

/// What a finished exchange hands back: the record, and for a plain GET the status and body.
struct ExchangeResult: Sendable {
    var record: RequestRecord
    var status: Int
    var body: [UInt8]
    /// The connection closed before any byte of the answer came back (a reused keep-alive connection that the
    /// server had already closed): safe to send again on a fresh one.
    var closedBeforeAnswer: Bool
    /// The generated text as JSON string contents (escapes kept), when the request asked for it.
    var text: [UInt8] = []
}

/// One keep-alive HTTP/1.1 connection and the state machine of the request on it. Every body read is stamped the
/// moment it arrives, before any parsing, on the connection's event loop: the clock reads what the socket
/// delivered. The request's deadline is a task scheduled on the same loop.
///
/// `@unchecked Sendable`: every stored property is read and written only on the channel's event loop (the
/// handler's callbacks run there, and the pool calls `start` there); the type crosses isolation only to be
/// captured by the channel initializer and scheduled tasks of that same loop.
final class StreamConnection: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let origin: Origin
    unowned let pool: ConnectionPool
    private var context: ChannelHandlerContext?
    private(set) var isOpen = false
    /// Requests started on this connection.
    private(set) var uses = 0

    // MARK: - The current exchange

    private var busy = false
    private var collectBody = false
    private var completion: (@Sendable (ExchangeResult) -> Void)?
    private var record = RequestRecord.empty(index: 0, prompt: 0)
    private var sent = ContinuousClock.now
    private var lastToken: ContinuousClock.Instant?
    private var parser = ResponseParser()
    private var events = EventScanner()
    private var body: [UInt8] = []
    private var usageOutput: Int?
    private var usagePrompt: Int?
    private var textChunks = 0
    private var text: [UInt8] = []
    private var receivedBytes = 0
    private var deadline: Scheduled<Void>?
    private var timeoutText = ""
    private var pendingError: (any Error)?

    init(origin: Origin, pool: ConnectionPool) {
        self.origin = origin
        self.pool = pool
    }

    var eventLoop: any EventLoop { pool.loop }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        isOpen = context.channel.isActive
    }

    func channelActive(context: ChannelHandlerContext) {
        isOpen = true
        context.fireChannelActive()
    }

    /// Writes the request and starts its clock. `eligible` is when the request was due to go (its scheduled
    /// start, or the moment a concurrency slot freed); the wait from there to the write is its queue time.
    func start(
        _ request: PreparedRequest,
        runStart: ContinuousClock.Instant,
        eligible: ContinuousClock.Instant,
        timeout: Duration,
        collect: Bool = false,
        completion: @escaping @Sendable (ExchangeResult) -> Void
    ) {
        busy = true
        uses += 1
        collectBody = collect
        self.completion = completion
        record = .empty(index: request.index, prompt: request.promptTokens)
        record.start = (eligible - runStart).inSeconds
        lastToken = nil
        parser = ResponseParser()
        events = EventScanner(captureText: request.captureText)
        text.removeAll()
        body.removeAll(keepingCapacity: true)
        usageOutput = nil
        usagePrompt = nil
        textChunks = 0
        receivedBytes = 0
        pendingError = nil
        // The connect promise completes before `channelActive` runs, so ask the channel.
        if let context, context.channel.isActive { isOpen = true }
        guard let context, isOpen else {
            fail(.connectionDropped, "the connection was closed before the request was written")
            finish(close: true, closedBeforeAnswer: true)
            return
        }
        let (seconds, attoseconds) = timeout.components
        timeoutText = "\(timeout)"
        deadline = context.eventLoop.scheduleTask(
            in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        ) { [self] in
            timedOut()
        }
        context.writeAndFlush(wrapOutboundOut(request.bytes), promise: nil)
        // The write above reaches the socket before it returns (NIO writes at once when it can).
        sent = .now
        record.queueTime = (sent - eligible).inSeconds
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let arrived = ContinuousClock.now
        guard busy else { return }
        let buffer = unwrapInboundIn(data)
        receivedBytes += buffer.readableBytes
        do {
            try buffer.withUnsafeReadableBytes { bytes in
                try parser.parse(bytes) { part, status in receive(part, status: status, arrived: arrived) }
            }
        } catch {
            fail(.other, "unreadable HTTP response: \(error)")
        }
        if record.failure != nil {
            finish(close: true, closedBeforeAnswer: false)
        } else if parser.isComplete {
            complete()
        }
    }

    /// Body bytes, while the parser is working (so the parser itself must not be read here).
    private func receive(_ part: UnsafeRawBufferPointer, status: Int, arrived: ContinuousClock.Instant) {
        guard record.failure == nil else { return }
        if status != 200 || collectBody {
            if body.count < (collectBody ? 1 << 20 : 4096) { body.append(contentsOf: part) }
            return
        }
        events.append(part)
        while let event = events.next() {
            switch event {
            case .done:
                break
            case .error(let message):
                fail(.streamError, message)
                return
            case .malformed(let text):
                fail(.malformedSSE, "malformed SSE data: \(text)")
                return
            case .chunk(let facts):
                if facts.completionTokens != nil || facts.promptTokens != nil {
                    usageOutput = facts.completionTokens
                    usagePrompt = facts.promptTokens
                }
                // Timing follows vLLM: every chunk with choices; the fallback token count only text-bearing ones.
                guard facts.choices > 0 else { continue }
                record.chunks += 1
                if facts.textChoices > 0 { textChunks += 1 }
                if !facts.text.isEmpty { text.append(contentsOf: facts.text) }
                if let previous = lastToken {
                    record.itl.append((arrived - previous).inSeconds)
                } else {
                    record.ttft = (arrived - sent).inSeconds
                }
                lastToken = arrived
            }
        }
    }

    /// The response has ended (by its length, its last chunk, or the server closing a response without length).
    private func complete() {
        defer { finish(close: !parser.keepAlive, closedBeforeAnswer: false) }
        if collectBody, parser.status != 0 { return }
        guard parser.status == 200 else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            fail(.httpStatus, "HTTP \(parser.status)\(text.isEmpty ? "" : ": \(text)")")
            return
        }
        if events.hasUnterminatedData {
            fail(.connectionDropped, "the stream ended inside an event")
            return
        }
        guard let lastToken, record.ttft != nil else {
            fail(.noTokens, "the stream carried no token")
            return
        }
        record.latency = (lastToken - sent).inSeconds
        if let usageOutput {
            record.outputTokens = usageOutput
            record.tokenCountSource = .serverUsage
            if let usagePrompt { record.promptTokens = usagePrompt }
        } else {
            record.outputTokens = textChunks
        }
        record.success = true
    }

    private func fail(_ cause: FailureCause, _ message: String) {
        guard record.failure == nil else { return }
        record.failure = cause
        record.error = message
        record.success = false
        record.latency = nil
    }

    private func timedOut() {
        guard busy else { return }
        deadline = nil
        fail(.timeout, "no complete response within \(timeoutText)")
        finish(close: true, closedBeforeAnswer: false)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        pendingError = error
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        pool.closed(self)
        guard busy else { return }
        if parser.endsAtClose {
            complete()
            return
        }
        let beforeAnswer = receivedBytes == 0
        if let pendingError {
            fail(Self.cause(of: pendingError), "\(pendingError)")
        } else {
            fail(
                .connectionDropped,
                beforeAnswer
                    ? "the server closed the connection without answering"
                    : "the server closed the connection mid-response"
            )
        }
        finish(close: false, closedBeforeAnswer: beforeAnswer)
    }

    /// Ends the exchange: the connection goes back to the pool (or is closed), then the result goes out, so that
    /// a request started from the completion can take this connection.
    private func finish(close: Bool, closedBeforeAnswer: Bool) {
        guard busy, let completion else { return }
        busy = false
        self.completion = nil
        deadline?.cancel()
        deadline = nil
        if close, isOpen {
            isOpen = false
            context?.close(promise: nil)
        }
        pool.release(self, reusable: !close && isOpen)
        completion(
            ExchangeResult(
                record: record,
                status: parser.status,
                body: collectBody ? body : [],
                closedBeforeAnswer: closedBeforeAnswer,
                text: text
            )
        )
    }

    /// Closes the connection, ending any request on it as dropped.
    func abort() {
        context?.close(promise: nil)
    }

    static func cause(of error: any Error) -> FailureCause {
        if error is ChannelError, case .connectTimeout = error as? ChannelError { return .connectionRefused }
        let text = "\(error)".lowercased()
        if text.contains("refused") { return .connectionRefused }
        if text.contains("reset") || text.contains("closed") || text.contains("eof") || text.contains("broken pipe") {
            return .connectionDropped
        }
        if text.contains("timeout") || text.contains("timed out") { return .timeout }
        return .other
    }
}
