import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// The simulator's zero-delay mode on a bare NIO pipeline (HTTP request decoder, then one handler that writes
/// each whole response at once) on one event loop: with nothing to wait for, the server's own cost per request is
/// all there is, and it must stay far below any client's under test. Used only for zero-delay fixed timing
/// without faults or per-event writes; every other mode runs on Hummingbird.
struct ZeroDelayServer: Sendable {
    let simulator: SimulatorServer

    func run(host: String, port: Int, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let simulator = simulator
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
                        try channel.pipeline.syncOperations.addHandler(ZeroDelayHandler(simulator: simulator))
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
final class ZeroDelayHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let simulator: SimulatorServer
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?

    init(simulator: SimulatorServer) {
        self.simulator = simulator
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
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

    private func respond(_ head: HTTPRequestHead, body: ByteBuffer) -> (String, String, ByteBuffer) {
        let path = head.uri.contains("?") ? String(head.uri.prefix { $0 != "?" }) : head.uri
        switch (head.method, path) {
        case (.POST, "/v1/completions"), (.POST, "/v1/chat/completions"):
            let chat = path == "/v1/chat/completions"
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
                guard fields.stream else {
                    let generated = (0..<maxTokens).map(chunks.text).joined()
                    return ("200 OK", "application/json", ByteBuffer(bytes: chunks.complete(generated)))
                }
                return ("200 OK", "text/event-stream", chunks.wholeStream(includeUsage: fields.includeUsage))
            }
        case (.GET, "/v1/models"):
            return ("200 OK", "application/json", ByteBuffer(bytes: simulator.modelsBody()))
        case (.GET, "/healthz"):
            return ("200 OK", "text/plain", ByteBuffer(string: "ok"))
        default:
            return ("404 Not Found", "application/json", SimulatorServer.errorBody("not found: \(path)", code: 404))
        }
    }
}
