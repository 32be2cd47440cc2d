import Synchronization

/// What a simulator received and answered, request by request (for tests that check a client's requests).
public final class SimulatorRequestLog: Sendable {
    public struct Exchange: Sendable, Hashable {
        public var path: String
        /// The request body as sent.
        public var body: String
        /// The generated text of the answer (every token's text, in order).
        public var answer: String
    }

    private let exchanges = Mutex<[Exchange]>([])

    public init() {}

    func append(_ exchange: Exchange) {
        exchanges.withLock { $0.append(exchange) }
    }

    /// Every exchange so far, in arrival order.
    public var all: [Exchange] { exchanges.withLock { $0 } }
}
