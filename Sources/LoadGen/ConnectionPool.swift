import Catalogue
import NIOCore
import NIOPosix
import NIOSSL

/// The keep-alive connections of one event loop. A request takes an idle connection to its origin or opens a new
/// one, so that the number of connections follows the number of requests in flight (the concurrency) and no more.
///
/// `@unchecked Sendable`: all mutable state is touched only on `loop` (requests are started there, and connections
/// report back there); the pool crosses isolation only inside closures that run on that loop.
final class ConnectionPool: @unchecked Sendable {
    let loop: any EventLoop
    let connectTimeout: TimeAmount
    private var idle: [Origin: [StreamConnection]] = [:]
    private var busy: [ObjectIdentifier: StreamConnection] = [:]
    private var tlsContext: NIOSSLContext?
    /// Connections opened over the pool's life.
    private(set) var opened = 0

    init(loop: any EventLoop, connectTimeout: TimeAmount = .seconds(5)) {
        self.loop = loop
        self.connectTimeout = connectTimeout
    }

    /// Sends `request` on a connection to `origin` and calls `completion` on this loop when it ends. A reused
    /// connection that turns out to be closed already is replaced once by a fresh one.
    func send(
        _ request: PreparedRequest,
        to origin: Origin,
        runStart: ContinuousClock.Instant,
        eligible: ContinuousClock.Instant,
        timeout: Duration,
        collect: Bool = false,
        completion: @escaping @Sendable (ExchangeResult) -> Void
    ) {
        if var list = idle[origin], let connection = list.popLast() {
            idle[origin] = list
            busy[ObjectIdentifier(connection)] = connection
            connection.start(
                request,
                runStart: runStart,
                eligible: eligible,
                timeout: timeout,
                collect: collect
            ) { [self] result in
                if result.closedBeforeAnswer {
                    send(
                        request,
                        to: origin,
                        runStart: runStart,
                        eligible: eligible,
                        timeout: timeout,
                        collect: collect,
                        fresh: true,
                        completion: completion
                    )
                } else {
                    completion(result)
                }
            }
            return
        }
        send(
            request,
            to: origin,
            runStart: runStart,
            eligible: eligible,
            timeout: timeout,
            collect: collect,
            fresh: true,
            completion: completion
        )
    }

    private func send(
        _ request: PreparedRequest,
        to origin: Origin,
        runStart: ContinuousClock.Instant,
        eligible: ContinuousClock.Instant,
        timeout: Duration,
        collect: Bool,
        fresh: Bool,
        completion: @escaping @Sendable (ExchangeResult) -> Void
    ) {
        let connection = StreamConnection(origin: origin, pool: self)
        busy[ObjectIdentifier(connection)] = connection
        opened += 1
        let tls: NIOSSLContext?
        do {
            tls = origin.tls ? try tlsContextForClients() : nil
        } catch {
            failConnect(connection, request, runStart: runStart, eligible: eligible, error: error, completion)
            return
        }
        let host = origin.host
        ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: host.contains(":") ? nil : host)
                        )
                    }
                    try channel.pipeline.syncOperations.addHandler(connection)
                }
            }
            .connect(host: origin.host, port: origin.port)
            .whenComplete { [self] result in
                switch result {
                case .success:
                    connection.start(
                        request,
                        runStart: runStart,
                        eligible: eligible,
                        timeout: timeout,
                        collect: collect,
                        completion: completion
                    )
                case .failure(let error):
                    failConnect(connection, request, runStart: runStart, eligible: eligible, error: error, completion)
                }
            }
    }

    private func failConnect(
        _ connection: StreamConnection,
        _ request: PreparedRequest,
        runStart: ContinuousClock.Instant,
        eligible: ContinuousClock.Instant,
        error: any Error,
        _ completion: @Sendable (ExchangeResult) -> Void
    ) {
        busy[ObjectIdentifier(connection)] = nil
        var record = RequestRecord.empty(index: request.index, prompt: request.promptTokens)
        record.start = (eligible - runStart).inSeconds
        record.queueTime = (ContinuousClock.now - eligible).inSeconds
        let cause = StreamConnection.cause(of: error)
        record.failure = cause == .other ? .connectionRefused : cause
        record.error = "cannot connect to \(connection.origin): \(error)"
        completion(ExchangeResult(record: record, status: 0, body: [], closedBeforeAnswer: false))
    }

    private func tlsContextForClients() throws -> NIOSSLContext {
        if let tlsContext { return tlsContext }
        let context = try NIOSSLContext(configuration: .makeClientConfiguration())
        tlsContext = context
        return context
    }

    /// A connection's exchange ended: keep it for the next request to its origin, or forget it.
    func release(_ connection: StreamConnection, reusable: Bool) {
        busy[ObjectIdentifier(connection)] = nil
        if reusable { idle[connection.origin, default: []].append(connection) }
    }

    /// A connection closed (by either side).
    func closed(_ connection: StreamConnection) {
        guard var list = idle[connection.origin], let position = list.firstIndex(where: { $0 === connection })
        else { return }
        list.remove(at: position)
        idle[connection.origin] = list
    }

    /// Closes the connections with a request on them (a stopped run); their requests end as dropped.
    func abortBusy() {
        for connection in busy.values { connection.abort() }
    }

    /// Closes every connection.
    func closeAll() {
        abortBusy()
        for list in idle.values { for connection in list { connection.abort() } }
        idle.removeAll()
    }
}
