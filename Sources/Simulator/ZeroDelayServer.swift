import Catalogue
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The simulator's fixed-timing modes on a bare NIO pipeline (HTTP request decoder, then one handler) on one event
/// loop. Zero delay: each whole response in one write, so that the server's own cost per request (all there is)
/// stays far below any client's under test. With delays: each token written at arrival + TTFT + i·TPOT, the
/// arrival stamped when the request head is decoded; the loop's `TokenClock` writes every token due at each of its
/// wake-ups, and `/metrics` reports how late they went out. Faults, per-event zero-delay writes and modelled timing
/// run on Hummingbird.
struct ZeroDelayServer: Sendable {
    let simulator: SimulatorServer

    func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        // One loop: every connection shares it and its token clock.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let simulator = simulator
        let clock = TokenClock(eventLoop: group.next())
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 4096)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes))
                        )
                        try channel.pipeline.syncOperations.addHandler(
                            ZeroDelayHandler(simulator: simulator, clock: clock)
                        )
                    }
                }
                .bind(host: host, port: port)
                .get()
            await onRunning(channel.localAddress?.port ?? port)
            try await withTaskCancellationHandler {
                try await channel.closeFuture.get()
            } onCancel: {
                channel.close(promise: nil)
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}

/// Answers each request on its connection as soon as its body has arrived, in one write.
final class ZeroDelayHandler: ChannelInboundHandler, RemovableChannelHandler, TokenClockClient {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let simulator: SimulatorServer
    let clock: TokenClock
    private var context: ChannelHandlerContext?
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var arrived = ContinuousClock.now
    private var stream: TimedStream?

    /// A response being written token by token.
    struct TimedStream {
        var chunks: Chunks
        var index = 0
        var arrived: ContinuousClock.Instant
        var ttftSeconds: Double
        var tpotSeconds: Double
        var includeUsage: Bool
        var keepAlive: Bool
        /// Names this stream in the clock's entries; 0 until the stream starts.
        var ticket: UInt64 = 0
        /// The start of every event (id, object, created, model), rendered once per stream.
        var head = ByteBuffer()
    }

    init(simulator: SimulatorServer, clock: TokenClock) {
        self.simulator = simulator
        self.clock = clock
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            // Fixed timings count from here: the request's arrival.
            arrived = .now
            self.head = head
            body = nil
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body?.writeBuffer(&part)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            let keepAlive = head.isKeepAlive
            let (status, contentType, payload) = respond(head, body: body ?? ByteBuffer())
            body = nil
            if let stream, stream.ticket == 0 {
                startTimedStream(context: context)
                return
            }
            var response = ByteBuffer()
            response.reserveCapacity(160)
            response.writeStaticString("HTTP/1.1 ")
            response.writeString(status)
            response.writeStaticString("\r\nContent-Type: ")
            response.writeString(contentType)
            response.writeStaticString("\r\nCache-Control: no-cache\r\nServer: parity-simulator\r\nContent-Length: ")
            response.writeString(String(payload.readableBytes))
            response.writeStaticString(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
            context.write(wrapOutboundOut(response), promise: nil)
            if keepAlive {
                context.writeAndFlush(wrapOutboundOut(payload), promise: nil)
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(payload)).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A token of this stream still in the clock is dropped when it comes due (its ticket no longer matches).
        if stream != nil { simulator.metrics.streamFinished() }
        stream = nil
        context.fireChannelInactive()
    }

    private func startTimedStream(context: ChannelHandlerContext) {
        simulator.metrics.streamStarted()
        var response = ByteBuffer()
        response.writeStaticString("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n")
        response.writeStaticString("Server: parity-simulator\r\nTransfer-Encoding: chunked\r\n")
        response.writeStaticString(stream?.keepAlive == true ? "\r\n" : "Connection: close\r\n\r\n")
        context.write(wrapOutboundOut(response), promise: nil)
        scheduleNext(context: context)
    }

    /// Hands the next token to the loop's clock at its due time; writes it at once when that has passed already.
    private func scheduleNext(context: ChannelHandlerContext) {
        guard var stream else { return }
        if stream.ticket == 0 {
            stream.ticket = clock.ticket()
            stream.head = stream.chunks.eventHead()
            self.stream = stream
        }
        let offset = stream.ttftSeconds + Double(stream.index) * stream.tpotSeconds
        let due = stream.arrived + .nanoseconds(Int64(offset * 1e9))
        guard due > ContinuousClock.now else {
            writeToken(context: context, due: due)
            return
        }
        clock.schedule(self, ticket: stream.ticket, at: due)
    }

    /// The clock's call: this stream's next token is due (ignored when the stream has ended since).
    func tokenDue(ticket: UInt64, due: ContinuousClock.Instant) {
        guard let context, let stream, stream.ticket == ticket else { return }
        writeToken(context: context, due: due)
    }

    private func writeToken(context: ChannelHandlerContext, due: ContinuousClock.Instant) {
        guard var stream else { return }
        simulator.metrics.tokenWritten(index: stream.index, lateness: (ContinuousClock.now - due).inSeconds)
        var event = ByteBuffer()
        event.reserveCapacity(stream.head.readableBytes + 128)
        stream.chunks.writeChunkEvent(stream.index, into: &event, head: stream.head)
        stream.index += 1
        let finished = stream.index >= stream.chunks.output
        if finished {
            if stream.includeUsage { stream.chunks.writeUsageEvent(into: &event) }
            event.writeStaticString("data: [DONE]\n\n")
        }
        var chunk = ByteBuffer()
        chunk.writeString(String(event.readableBytes, radix: 16))
        chunk.writeStaticString("\r\n")
        chunk.writeBuffer(&event)
        chunk.writeStaticString(finished ? "\r\n0\r\n\r\n" : "\r\n")
        if finished {
            self.stream = nil
            simulator.metrics.streamFinished()
            if stream.keepAlive {
                context.writeAndFlush(wrapOutboundOut(chunk), promise: nil)
            } else {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(chunk)).whenComplete { _ in channel.close(promise: nil) }
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(chunk), promise: nil)
        self.stream = stream
        scheduleNext(context: context)
    }

    private func respond(_ head: HTTPRequestHead, body: ByteBuffer) -> (String, String, ByteBuffer) {
        let path = head.uri.contains("?") ? String(head.uri.prefix { $0 != "?" }) : head.uri
        switch (head.method, path) {
        case (.POST, "/v1/completions"), (.POST, "/v1/chat/completions"):
            let chat = path == "/v1/chat/completions"
            simulator.metrics.requestStarted()
            switch simulator.parse(body, chat: chat) {
            case .invalid(let message):
                return ("400 Bad Request", "application/json", SimulatorServer.errorBody(message, code: 400))
            case .fields(let fields):
                guard let prompt = fields.promptTokens else {
                    let message = chat ? "'messages' is required" : "'prompt' is required"
                    return ("400 Bad Request", "application/json", SimulatorServer.errorBody(message, code: 400))
                }
                let maxTokens = fields.maxTokens ?? 16
                guard maxTokens >= 1 else {
                    return (
                        "400 Bad Request", "application/json",
                        SimulatorServer.errorBody("'max_tokens' must be at least 1", code: 400)
                    )
                }
                let chunks = simulator.chunks(
                    number: simulator.counter.next(),
                    chat: chat,
                    prompt: prompt,
                    output: maxTokens
                )
                if fields.stream, case .fixed(let ttft, let tpot) = simulator.configuration.timing,
                    !simulator.isZeroDelay
                {
                    // Written token by token from timers; `channelRead` starts it.
                    let scale = simulator.configuration.timeScale
                    stream = TimedStream(
                        chunks: chunks,
                        arrived: arrived,
                        ttftSeconds: ttft * scale,
                        tpotSeconds: tpot * scale,
                        includeUsage: fields.includeUsage,
                        keepAlive: head.isKeepAlive
                    )
                    return ("200 OK", "text/event-stream", ByteBuffer())
                }
                guard fields.stream else {
                    let generated = (0..<maxTokens).map(chunks.text).joined()
                    return ("200 OK", "application/json", ByteBuffer(bytes: chunks.complete(generated)))
                }
                return ("200 OK", "text/event-stream", chunks.wholeStream(includeUsage: fields.includeUsage))
            }
        case (.GET, "/v1/models"):
            return ("200 OK", "application/json", ByteBuffer(bytes: simulator.modelsBody()))
        case (.GET, "/metrics"):
            let text = simulator.metrics.text(model: simulator.configuration.servedModel)
            return ("200 OK", SimulatorMetrics.contentType, ByteBuffer(string: text))
        case (.GET, "/healthz"):
            return ("200 OK", "text/plain", ByteBuffer(string: "ok"))
        default:
            return ("404 Not Found", "application/json", SimulatorServer.errorBody("not found: \(path)", code: 404))
        }
    }
}
