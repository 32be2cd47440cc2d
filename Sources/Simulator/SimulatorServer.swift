import Catalogue
import Foundation
public import Hummingbird
import Logging
import NIOCore
import PerfModel
import Synchronization

/// An OpenAI-compatible streaming server whose timing comes from the performance model (or fixed values).
public struct SimulatorServer: Sendable {
    public let configuration: SimulatorConfiguration
    let engine: BatchEngine?
    let counter = RequestCounter()
    /// The cap on requests generating at once (`maxRunningSequences`).
    let slots: SequenceSlots?
    /// What `/metrics` reports.
    public let metrics = SimulatorMetrics()

    /// The served model name as a JSON string literal, escaped once.
    let quotedModel: String

    public init(configuration: SimulatorConfiguration) {
        self.configuration = configuration
        slots = configuration.maxRunningSequences.map(SequenceSlots.init(count:))
        let data = (try? JSONSerialization.data(withJSONObject: [configuration.servedModel])) ?? Data("[\"\"]".utf8)
        quotedModel = String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        if case .model(let model) = configuration.timing {
            engine = BatchEngine(
                model: model,
                timeScale: configuration.timeScale,
                speculation: configuration.speculation,
                metrics: metrics
            )
        } else {
            engine = nil
        }
    }

    static let words = [
        " the", " of", " and", " a", " to", " in", " is", " it", " that", " for", " on", " was", " with", " as",
        " at", " by", " this", " from", " or", " an",
    ]
    static let wordBytes: [[UInt8]] = words.map { Array($0.utf8) }

    /// The router with `/v1/completions`, `/v1/chat/completions`, `/v1/models`, `/metrics` and `/healthz`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: SimulatorMetrics.contentType],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text(model: configuration.servedModel)))
            )
        }
        router.get("/v1/models") { _, _ -> Response in
            Self.json(["object": "list", "data": [["id": configuration.servedModel, "object": "model"]]])
        }
        router.post("/v1/completions") { request, context in
            try await handle(request, context: context, chat: false)
        }
        router.post("/v1/chat/completions") { request, context in
            try await handle(request, context: context, chat: true)
        }
        return router
    }

    static func json(_ object: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    static func error(_ message: String, status: HTTPResponse.Status) -> Response {
        json(
            ["error": ["message": message, "type": "invalid_request_error", "code": Int(status.code)]],
            status: status
        )
    }

    /// Prompt length: token-ID arrays count exactly; text counts whitespace-separated words (the simulator's
    /// stand-in for a tokenizer).
    static func promptTokens(_ body: [String: Any], chat: Bool) -> Int? {
        if chat {
            guard let messages = body["messages"] as? [[String: Any]], !messages.isEmpty else { return nil }
            return max(1, messages.compactMap { $0["content"] as? String }.map(words(in:)).reduce(0, +))
        }
        switch body["prompt"] {
        case let ids as [Int]: return ids.isEmpty ? nil : ids.count
        case let text as String: return max(1, words(in: text))
        case let batch as [[Int]]: return batch.first.map(\.count)
        case let texts as [String]: return texts.first.map { max(1, words(in: $0)) }
        default: return nil
        }
    }

    static func words(in text: String) -> Int {
        text.split(whereSeparator: \.isWhitespace).count
    }

    func handle(_ request: Request, context: BasicRequestContext, chat: Bool) async throws -> Response {
        // Fixed timings count from the request's arrival, so that parsing it is part of the injected TTFT.
        var arrived = ContinuousClock.now
        let number = counter.next()
        metrics.requestStarted()
        let buffer = try await request.body.collect(upTo: 64 << 20)
        let fields: RequestFields
        switch parse(buffer, chat: chat) {
        case .invalid(let message): return Self.error(message, status: .badRequest)
        case .fields(let parsed): fields = parsed
        }
        guard let prompt = fields.promptTokens else {
            return Self.error(chat ? "'messages' is required" : "'prompt' is required", status: .badRequest)
        }
        let maxTokens = fields.maxTokens ?? 16
        guard maxTokens >= 1 else { return Self.error("'max_tokens' must be at least 1", status: .badRequest) }
        let stream = fields.stream
        let includeUsage = fields.includeUsage
        let fault = (number % configuration.faultEvery == 0) ? configuration.fault : nil
        if fault == .http500 { return Self.error("injected fault", status: .internalServerError) }
        let chunks = self.chunks(number: number, chat: chat, prompt: prompt, output: maxTokens)
        configuration.requestLog?.append(
            SimulatorRequestLog.Exchange(
                path: chat ? "/v1/chat/completions" : "/v1/completions",
                body: String(decoding: buffer.readableBytesView, as: UTF8.self),
                answer: (0..<maxTokens).map(chunks.text).joined()
            )
        )
        if let slots {
            await slots.acquire()
            arrived = .now
        }
        guard stream else {
            defer { slots?.release() }
            var source = await tokenSource(prompt: prompt, output: maxTokens, fault: fault, arrived: arrived)
            var generated = ""
            while let index = try await source.next() { generated += chunks.text(index) }
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: chunks.complete(generated)))
            )
        }
        if fault == nil, isZeroDelay, !configuration.writePerEvent {
            // Nothing to wait for: the whole stream in one write, so that the simulator is never what limits a
            // client under test.
            let whole = chunks.wholeStream(includeUsage: includeUsage)
            slots?.release()
            return Response(
                status: .ok,
                headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init(byteBuffer: whole)
            )
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: .init { [slots, arrived, metrics] writer in
                defer { slots?.release() }
                // Each token is written by this task at its due time: no hand-off between tasks, so the
                // injected timing is what the client sees (plus the network).
                metrics.streamStarted()
                defer { metrics.streamFinished() }
                var source = await tokenSource(prompt: prompt, output: maxTokens, fault: fault, arrived: arrived)
                var sent = 0
                while let index = try await source.next() {
                    if fault == .malformed, sent == 1 {
                        try await writer.write(ByteBuffer(string: "data: {\"choices\": [\n\n"))
                    }
                    if fault == .drop, sent == 2 { throw SimulatorFault.dropped }
                    try await writer.write(chunks.chunkEvent(index))
                    sent += 1
                }
                if includeUsage { try await writer.write(chunks.usageEvent()) }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
                try await writer.finish(nil)
            }
        )
    }

    /// A request body's fields, or why it is refused.
    enum ParsedRequest {
        case fields(RequestFields)
        case invalid(String)
    }

    /// Reads the fields from the bytes (`RequestScanner`), or with `JSONSerialization` when the scanner declines.
    func parse(_ buffer: ByteBuffer, chat: Bool) -> ParsedRequest {
        if let scanned = buffer.withUnsafeReadableBytes({ RequestScanner.fields(of: $0, chat: chat) }) {
            return .fields(scanned)
        }
        guard let body = (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any]
        else {
            return .invalid("the body must be a JSON object")
        }
        return .fields(
            RequestFields(
                promptTokens: Self.promptTokens(body, chat: chat),
                maxTokens: (body["max_tokens"] as? Int) ?? (body["max_completion_tokens"] as? Int),
                stream: (body["stream"] as? Bool) ?? false,
                includeUsage: ((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool) ?? false
            )
        )
    }

    func chunks(number: Int, chat: Bool, prompt: Int, output: Int) -> Chunks {
        Chunks(
            id: "\(chat ? "chatcmpl" : "cmpl")-\(number)",
            created: Int(Date().timeIntervalSince1970),
            model: configuration.servedModel,
            quotedModel: quotedModel,
            chat: chat,
            seed: configuration.seed,
            prompt: prompt,
            output: output
        )
    }

    func modelsBody() -> Data {
        let object: [String: Any] = ["object": "list", "data": [["id": configuration.servedModel, "object": "model"]]]
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }

    static func errorBody(_ message: String, code: Int) -> ByteBuffer {
        let object: [String: Any] = ["error": ["message": message, "type": "invalid_request_error", "code": code]]
        return ByteBuffer(bytes: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// Whether the bare-NIO server serves this configuration: fixed timing without faults (and, at zero delay,
    /// whole-response writes).
    var usesZeroDelayServer: Bool {
        guard case .fixed = configuration.timing, configuration.fault == nil, configuration.maxRunningSequences == nil,
            configuration.requestLog == nil
        else { return false }
        return !(isZeroDelay && configuration.writePerEvent)
    }

    /// Fixed timing with no delay at all (`--zero-delay`, or zero TTFT and TPOT).
    var isZeroDelay: Bool {
        guard case .fixed(let ttft, let tpot) = configuration.timing else { return false }
        return configuration.timeScale == 0 || (ttft == 0 && tpot == 0)
    }

    /// Waits until `due` on the connection's event loop: NIO's timers (epoll with a timer fd) wake within tens of
    /// microseconds, where a task sleep on Linux overshoots by about 0.3 ms — too much for an injected TTFT that
    /// clients are checked against to 1 ms.
    static func sleep(until due: ContinuousClock.Instant, on eventLoop: any EventLoop) async throws {
        let remaining = due - ContinuousClock.now
        guard remaining > .zero else { return }
        let (seconds, attoseconds) = remaining.components
        let nanoseconds = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        try await eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) {}.futureResult.get()
    }

    /// Where one request's tokens come from: its own clock (fixed timing), the batching engine, or a stall.
    func tokenSource(prompt: Int, output: Int, fault: Fault?, arrived: ContinuousClock.Instant) async -> TokenSource {
        if fault == .stall { return TokenSource(timing: .stall, output: output) }
        switch configuration.timing {
        case .fixed(let ttft, let tpot):
            let eventLoop = EventLoopGroupProvider.singleton.eventLoopGroup.next()
            return TokenSource(
                timing: .fixed(
                    ttft: ttft,
                    tpot: tpot,
                    scale: configuration.timeScale,
                    arrived: arrived,
                    eventLoop: eventLoop
                ),
                output: output
            )
        case .model:
            guard let engine else { return TokenSource(timing: .stall, output: 0) }
            let stream = await engine.submit(prompt: prompt, output: output)
            return TokenSource(timing: .engine(stream.makeAsyncIterator()), output: output)
        }
    }

    /// Runs the server on `host:port` (port 0 picks a free one); `onRunning` receives the bound port.
    /// Returns when the task is cancelled, or on SIGINT/SIGTERM when `handleSignals` is set.
    public func run(
        host: String = "127.0.0.1",
        port: Int,
        handleSignals: Bool = false,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        if usesZeroDelayServer {
            try await ZeroDelayServer(simulator: self).run(host: host, port: port, onRunning: onRunning)
            return
        }
        var logger = Logger(label: "parity-simulator")
        // Embedded servers (tests) stop by cancellation, which the HTTP server logs as an error; keep those quiet.
        logger.logLevel = handleSignals ? .warning : .critical
        let app = Application(
            router: router(),
            // A deep accept queue: a client may open thousands of connections at once (10,000 streams).
            configuration: .init(address: .hostname(host, port: port), serverName: "parity-simulator", backlog: 4096),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
        if handleSignals {
            try await app.runService()
        } else {
            try await app.run()
        }
        await engine?.stop()
    }
}

/// Hands out a request's token indices at their due times.
struct TokenSource {
    enum Timing {
        /// Token i at arrival + (ttft + i·tpot) × scale, woken by an event-loop timer.
        case fixed(
            ttft: Double,
            tpot: Double,
            scale: Double,
            arrived: ContinuousClock.Instant,
            eventLoop: any EventLoop
        )
        /// Tokens as the batching engine emits them.
        case engine(AsyncStream<TokenEvent>.Iterator)
        /// One token after 30 s (the `stall` fault).
        case stall
    }

    var timing: Timing
    let output: Int
    private var index = 0

    init(timing: Timing, output: Int) {
        self.timing = timing
        self.output = output
    }

    /// The next token's index once it is due, or nil at the end.
    mutating func next() async throws -> Int? {
        switch timing {
        case .fixed(let ttft, let tpot, let scale, let arrived, let eventLoop):
            guard index < output else { return nil }
            let due = (ttft + Double(index) * tpot) * scale
            if due > 0 {
                try await SimulatorServer.sleep(until: arrived + .nanoseconds(Int64(due * 1e9)), on: eventLoop)
            }
        case .engine(var iterator):
            let event = await iterator.next()
            timing = .engine(iterator)
            guard case .token(let token)? = event else { return nil }
            return token
        case .stall:
            guard index == 0, output > 0 else { return nil }
            try await Task.sleep(for: .seconds(30))
        }
        defer { index += 1 }
        return index
    }
}

/// Builds the JSON of one response's chunks (OpenAI completion and chat formats).
struct Chunks: Sendable {
    var id: String
    var created: Int
    var model: String
    var quotedModel: String
    var chat: Bool
    var seed: UInt64
    var prompt: Int
    var output: Int

    /// The rest of a middle event after its head, per word: `,"choices":[…"text":" the"…null}]}` and two newlines.
    static let completionTails: [[UInt8]] = SimulatorServer.words.map {
        Array(",\"choices\":[{\"index\":0,\"text\":\"\($0)\",\"logprobs\":null,\"finish_reason\":null}]}\n\n".utf8)
    }
    static let chatTails: [[UInt8]] = SimulatorServer.words.map {
        Array(",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\($0)\"},\"finish_reason\":null}]}\n\n".utf8)
    }

    func text(_ index: Int) -> String {
        SimulatorServer.words[wordIndex(index)]
    }

    func wordIndex(_ index: Int) -> Int {
        Int((UInt64(index) &* 2_654_435_761 &+ seed) % UInt64(SimulatorServer.words.count))
    }

    var object: String { chat ? "chat.completion.chunk" : "text_completion" }

    var usage: [String: Any] {
        ["prompt_tokens": prompt, "completion_tokens": output, "total_tokens": prompt + output]
    }

    /// One streamed chunk as an SSE event. Built from a template: the token texts are plain words, so no JSON
    /// escaping is needed, and this runs for every token of every stream.
    func chunkEvent(_ index: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        writeChunkEvent(index, into: &buffer)
        return buffer
    }

    /// The start of every event of this response, rendered once (for `writeChunkEvent(_:into:head:)`).
    func eventHead() -> ByteBuffer {
        var head = ByteBuffer()
        writeEventHead(into: &head)
        return head
    }

    /// The start of every event of this response: `data: {"id":…,"object":…,"created":…,"model":…,`.
    private func writeEventHead(into buffer: inout ByteBuffer) {
        buffer.writeStaticString("data: {\"id\":\"")
        buffer.writeString(id)
        buffer.writeStaticString(
            chat
                ? "\",\"object\":\"chat.completion.chunk\",\"created\":"
                : "\",\"object\":\"text_completion\",\"created\":"
        )
        buffer.writeString(String(created))
        buffer.writeStaticString(",\"model\":")
        buffer.writeString(quotedModel)
    }

    /// Writes one streamed chunk as an SSE event. The token texts are plain words, so no JSON escaping is
    /// needed; this runs for every token of every stream.
    func writeChunkEvent(_ index: Int, into buffer: inout ByteBuffer, head: ByteBuffer? = nil) {
        if let head {
            buffer.writeImmutableBuffer(head)
        } else {
            writeEventHead(into: &buffer)
        }
        let word = wordIndex(index)
        if index + 1 < output, index > 0 || !chat {
            // The common case, one precomputed piece per word.
            buffer.writeBytes(chat ? Self.chatTails[word] : Self.completionTails[word])
            return
        }
        let wordBytes = SimulatorServer.wordBytes[word]
        if chat {
            buffer.writeStaticString(
                index == 0
                    ? ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\""
                    : ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\""
            )
            buffer.writeBytes(wordBytes)
            buffer.writeStaticString("\"},\"finish_reason\":")
        } else {
            buffer.writeStaticString(",\"choices\":[{\"index\":0,\"text\":\"")
            buffer.writeBytes(wordBytes)
            buffer.writeStaticString("\",\"logprobs\":null,\"finish_reason\":")
        }
        buffer.writeStaticString(index + 1 == output ? "\"length\"}]}\n\n" : "null}]}\n\n")
    }

    /// The whole stream: every chunk, the usage when asked, and `[DONE]`, in one buffer.
    func wholeStream(includeUsage: Bool) -> ByteBuffer {
        var whole = ByteBuffer()
        whole.reserveCapacity(64 + output * (140 + quotedModel.utf8.count))
        // The start of each event is the same for the whole response: rendered once.
        let head = eventHead()
        for index in 0..<output { writeChunkEvent(index, into: &whole, head: head) }
        if includeUsage { writeUsageEvent(into: &whole) }
        whole.writeStaticString("data: [DONE]\n\n")
        return whole
    }

    func usageEvent() -> ByteBuffer {
        var buffer = ByteBuffer()
        writeUsageEvent(into: &buffer)
        return buffer
    }

    func writeUsageEvent(into buffer: inout ByteBuffer) {
        writeEventHead(into: &buffer)
        buffer.writeString(
            ",\"choices\":[],\"usage\":{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(output),"
                + "\"total_tokens\":\(prompt + output)}}\n\n"
        )
    }

    func complete(_ generated: String) -> Data {
        let choice: [String: Any] =
            chat
            ? ["index": 0, "message": ["role": "assistant", "content": generated], "finish_reason": "length"]
            : ["index": 0, "text": generated, "finish_reason": "length"]
        let object: [String: Any] = [
            "id": id, "object": chat ? "chat.completion" : "text_completion", "created": created, "model": model,
            "choices": [choice], "usage": usage,
        ]
        return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }
}

enum SimulatorFault: Error {
    case dropped
}

/// Numbers requests from 1 (ids and every-n-th faults) without a hop to an actor per request.
final class RequestCounter: Sendable {
    private let count = Atomic<Int>(0)

    func next() -> Int {
        count.wrappingAdd(1, ordering: .relaxed).newValue
    }
}
