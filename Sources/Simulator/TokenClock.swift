import NIOCore

/// The due tokens of every timed stream on one event loop, written from one timer, as a serving engine's decode
/// step emits a token for every running sequence at once. Each wake-up writes every token that is due by then
/// (re-reading the clock as it goes, so that tokens falling due while earlier ones are written go out in the same
/// pass), then arms the timer once for the earliest token still waiting. Before this, every token of every stream
/// was its own NIO timer (a scheduled task, its promise and closure, a heap entry, often a wake-up of its own):
/// about 42,000 of them a second at 1,000 streams.
///
/// `@unchecked Sendable`: all state is read and written on `eventLoop` only (the handlers that schedule run there,
/// and the timer fires there); the type crosses isolation only to be captured by the timer's closure.
final class TokenClock: @unchecked Sendable {
    /// A stream's next token: `ticket` names the stream, so that an entry left by a stream that has ended (its
    /// connection closed) is dropped when it comes due.
    struct Entry {
        var due: ContinuousClock.Instant
        var order: UInt64
        var ticket: UInt64
        var handler: any TokenClockClient
    }

    let eventLoop: any EventLoop
    private var heap: [Entry] = []
    private var timer: Scheduled<Void>?
    private var armedFor: ContinuousClock.Instant?
    private var firing = false
    private var nextOrder: UInt64 = 0
    private var nextTicket: UInt64 = 0
    /// Wake-ups and tokens written from them, for tests (how many tokens each wake-up carried).
    private(set) var wakeUps = 0
    private(set) var tokensWritten = 0

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// A new stream's ticket.
    func ticket() -> UInt64 {
        nextTicket &+= 1
        return nextTicket
    }

    /// Tokens waiting.
    var pending: Int { heap.count }

    /// Calls `handler.tokenDue(ticket:due:)` on this loop once `due` has passed (tokens due at the same instant in
    /// the order they were scheduled).
    func schedule(_ handler: any TokenClockClient, ticket: UInt64, at due: ContinuousClock.Instant) {
        push(Entry(due: due, order: nextOrder, ticket: ticket, handler: handler))
        nextOrder &+= 1
        // While firing, the timer is armed once at the end of the pass.
        guard !firing else { return }
        if let armedFor, armedFor <= due { return }
        arm(for: due)
    }

    private func arm(for due: ContinuousClock.Instant) {
        timer?.cancel()
        let remaining = max(.zero, due - ContinuousClock.now)
        let (seconds, attoseconds) = remaining.components
        armedFor = due
        timer = eventLoop.scheduleTask(in: .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)) {
            [self] in
            fire()
        }
    }

    private func fire() {
        timer = nil
        armedFor = nil
        firing = true
        wakeUps += 1
        var now = ContinuousClock.now
        while let first = heap.first {
            if first.due > now {
                now = .now
                if first.due > now { break }
            }
            let entry = pop()
            tokensWritten += 1
            entry.handler.tokenDue(ticket: entry.ticket, due: entry.due)
        }
        firing = false
        if let first = heap.first { arm(for: first.due) }
    }

    // MARK: - Binary min-heap on (due, order)

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.due < b.due || (a.due == b.due && a.order < b.order)
    }

    private func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private func pop() -> Entry {
        let top = heap[0]
        let last = heap.removeLast()
        guard !heap.isEmpty else { return top }
        heap[0] = last
        var parent = 0
        let count = heap.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let child = right < count && Self.before(heap[right], heap[left]) ? right : left
            guard Self.before(heap[child], heap[parent]) else { break }
            heap.swapAt(child, parent)
            parent = child
        }
        return top
    }
}

/// What the clock calls when a token is due: a timed stream's handler, on the clock's loop.
protocol TokenClockClient: AnyObject {
    func tokenDue(ticket: UInt64, due: ContinuousClock.Instant)
}
