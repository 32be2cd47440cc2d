import Foundation
import NIOCore
import NIOPosix

/// Why the load client could not do what was asked.
public struct LoadClientError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The benchmark's HTTP client: `threads` event loops (one by default: a load generator pinned to one core should
/// not start threads that fight over it), each with its own keep-alive connection pool. Requests are driven by
/// state machines on those loops; no task is started per request.
public final class LoadClient: Sendable {
    let group: MultiThreadedEventLoopGroup
    let pools: [ConnectionPool]
    /// The open-file limit after raising it: each stream in flight holds a socket.
    public let fileLimit: Int

    /// - Parameters:
    ///   - threads: event loops (network threads); each serves a share of the connections.
    ///   - connections: the most connections the run will hold at once (its concurrency); the process's open-file
    ///     limit is raised towards it when lower.
    public init(threads: Int = 1, connections: Int = 0) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, threads))
        var loops: [any EventLoop] = []
        var iterator = group.makeIterator()
        while let loop = iterator.next() { loops.append(loop) }
        pools = loops.map { ConnectionPool(loop: $0) }
        fileLimit = Self.raiseFileLimit(wanted: connections + 256)
    }

    public var threads: Int { pools.count }

    /// Raises the soft open-file limit to at least `wanted` (up to the hard limit) and returns the soft limit now.
    static func raiseFileLimit(wanted: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < rlim_t(wanted) {
            var raised = limit
            raised.rlim_cur = min(limit.rlim_max, rlim_t(max(wanted, 65536)))
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return Int(raised.rlim_cur) }
        }
        return Int(limit.rlim_cur)
    }

    /// Closes every connection and stops the event loops.
    public func shutdown() async throws {
        for pool in pools {
            try await pool.loop.submit { pool.closeAll() }.get()
        }
        try await group.shutdownGracefully()
    }

    /// Sends one prepared request on the pool of `lane` (lanes spread over the event loops) and returns when it
    /// ends. Cancelling the calling task closes the pool's busy connections, so that the request ends at once.
    func exchange(
        _ request: PreparedRequest,
        origin: Origin,
        runStart: ContinuousClock.Instant,
        eligible: ContinuousClock.Instant,
        timeout: Duration,
        lane: Int
    ) async -> ExchangeResult {
        let pool = pools[lane % pools.count]
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<ExchangeResult, Never>) in
                pool.loop.execute {
                    pool.send(request, to: origin, runStart: runStart, eligible: eligible, timeout: timeout) {
                        continuation.resume(returning: $0)
                    }
                }
            }
        } onCancel: {
            pool.loop.execute { pool.abortBusy() }
        }
    }

    /// A GET whose body is collected (up to 1 MiB): status and body.
    func get(_ path: String, baseURL: String, timeout: Duration) async throws -> (status: Int, body: [UInt8]) {
        let origin = try Origin(baseURL: baseURL)
        let request = PreparedRequest(index: -1, bytes: RequestTemplate.get(path, origin: origin), promptTokens: 0)
        let pool = pools[0]
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<ExchangeResult, Never>) in
            pool.loop.execute {
                let now = ContinuousClock.now
                pool.send(request, to: origin, runStart: now, eligible: now, timeout: timeout, collect: true) {
                    continuation.resume(returning: $0)
                }
            }
        }
        if result.status == 0, let error = result.record.error { throw LoadClientError(error) }
        return (result.status, result.body)
    }
}
