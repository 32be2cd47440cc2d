import Synchronization

/// A first-come, first-served lock held across suspension points: one SQLite write transaction of this process at a
/// time, because its statements run as separate steps of GRDB's writer while the transaction stays open between
/// them. Other processes are kept out by SQLite's own lock (`BEGIN IMMEDIATE`, waiting up to the busy timeout).
final class WriteLock: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Runs `body` holding the lock; the lock is released however `body` ends.
    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            // The lock passes straight to the next waiter: `held` stays true.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
