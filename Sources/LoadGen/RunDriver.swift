import Catalogue
import NIOCore

/// What a driven set of requests produced.
struct DriveResult: Sendable {
    var records: [RequestRecord]
    /// Most requests in flight at once, counted as they were started and finished.
    var peakInFlight: Int
    var start: ContinuousClock.Instant
    /// From the start to the last completion (or the stop).
    var duration: Double
    var interrupted: Bool
}

/// Sends a list of requests on their schedule from one event loop: each is started when it is due and a
/// concurrency slot is free; a finished request frees its slot and starts the next at once, in the same callback.
/// Arrival times are timers on the loop; there is no task per request and no sleeping task.
///
/// `@unchecked Sendable`: every stored property is touched only on `loop` (the driver is started, cancelled and
/// told of completions through `loop.execute` or callbacks that run there).
final class RunDriver: @unchecked Sendable {
    let loop: any EventLoop
    let pools: [ConnectionPool]
    let origin: Origin
    let requests: [PreparedRequest]
    /// Seconds from the start at which each request is due; nil: all due at once.
    let arrivals: [Double]?
    let limit: Int
    let timeout: Duration
    let progress: (@Sendable (Progress) -> Void)?

    /// Requests started per turn of the loop before it reads sockets again (a burst of thousands of due requests
    /// must not starve the streams already running).
    static let burst = 256

    private var start = ContinuousClock.now
    private var next = 0
    private var inFlight = 0
    private var peak = 0
    private var done = 0
    private var failed = 0
    private var records: [RequestRecord?]
    private var stopped = false
    private var continuation: CheckedContinuation<DriveResult, Never>?
    private var timer: Scheduled<Void>?
    private var reporter: RepeatedTask?

    init(
        client: LoadClient,
        origin: Origin,
        requests: [PreparedRequest],
        arrivals: [Double]?,
        limit: Int?,
        timeout: Duration,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) {
        pools = client.pools
        loop = client.pools[0].loop
        self.origin = origin
        self.requests = requests
        self.arrivals = arrivals
        self.limit = max(1, limit ?? Int.max)
        self.timeout = timeout
        self.progress = progress
        records = Array(repeating: nil, count: requests.count)
    }

    /// Runs every request; cancelling the calling task stops the run and returns the requests that finished.
    func run() async -> DriveResult {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                loop.execute { self.begin(continuation) }
            }
        } onCancel: {
            loop.execute { self.stop(interrupted: true) }
        }
    }

    private func begin(_ continuation: CheckedContinuation<DriveResult, Never>) {
        self.continuation = continuation
        start = .now
        let cancelledEarly = stopped
        if cancelledEarly || requests.isEmpty {
            stopped = false
            stop(interrupted: cancelledEarly)
            return
        }
        if let progress {
            reporter = loop.scheduleRepeatedTask(initialDelay: .milliseconds(200), delay: .milliseconds(200)) {
                [self] _ in
                progress(snapshot)
            }
        }
        pump(slotFreed: start)
    }

    private var snapshot: Progress {
        Progress(done: done, failed: failed, total: requests.count, elapsed: (ContinuousClock.now - start).inSeconds)
    }

    /// Starts every request that is due while slots are free. A request becomes eligible at the later of its
    /// arrival time and `slotFreed` (the moment its slot became free); its queue time counts from there.
    private func pump(slotFreed: ContinuousClock.Instant) {
        timer = nil
        guard !stopped else { return }
        var started = 0
        let now = ContinuousClock.now
        while next < requests.count, inFlight < limit {
            let due = arrivals.map { start + .nanoseconds(Int64($0[next] * 1e9)) } ?? start
            if due > now {
                let wait = due - now
                let (seconds, attoseconds) = wait.components
                timer = loop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
                    [self] in
                    pump(slotFreed: start)
                }
                return
            }
            if started == Self.burst {
                loop.execute { [self] in pump(slotFreed: slotFreed) }
                return
            }
            send(next, eligible: max(due, slotFreed))
            next += 1
            started += 1
        }
    }

    private func send(_ position: Int, eligible: ContinuousClock.Instant) {
        inFlight += 1
        peak = max(peak, inFlight)
        let pool = pools[position % pools.count]
        let request = requests[position]
        let (origin, runStart, timeout, loop) = (origin, start, timeout, loop)
        let sameLoop = pool.loop === loop
        let completion: @Sendable (ExchangeResult) -> Void = { [self] result in
            if sameLoop {
                finished(position, result.record)
            } else {
                loop.execute { self.finished(position, result.record) }
            }
        }
        if sameLoop {
            pool.send(
                request,
                to: origin,
                runStart: runStart,
                eligible: eligible,
                timeout: timeout,
                completion: completion
            )
        } else {
            pool.loop.execute {
                pool.send(
                    request,
                    to: origin,
                    runStart: runStart,
                    eligible: eligible,
                    timeout: timeout,
                    completion: completion
                )
            }
        }
    }

    private func finished(_ position: Int, _ record: RequestRecord) {
        guard !stopped else { return }
        inFlight -= 1
        done += 1
        if !record.success { failed += 1 }
        records[position] = record
        if done == requests.count {
            stop(interrupted: false)
        } else {
            pump(slotFreed: .now)
        }
    }

    /// Ends the run (all done, or stopped): requests still in flight are abandoned and their connections closed.
    private func stop(interrupted: Bool) {
        guard !stopped else { return }
        stopped = true
        guard let continuation else { return }  // cancelled before it began: `begin` finishes it
        self.continuation = nil
        timer?.cancel()
        reporter?.cancel()
        if let progress { progress(snapshot) }
        if inFlight > 0 {
            for pool in pools {
                if pool.loop === loop { pool.abortBusy() } else { pool.loop.execute { pool.abortBusy() } }
            }
        }
        continuation.resume(
            returning: DriveResult(
                records: records.compactMap { $0 },
                peakInFlight: peak,
                start: start,
                duration: (ContinuousClock.now - start).inSeconds,
                interrupted: interrupted
            )
        )
    }
}
