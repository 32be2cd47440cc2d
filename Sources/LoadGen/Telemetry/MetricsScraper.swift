import Foundation
import Synchronization

/// Scrapes a Prometheus `/metrics` URL every `interval` during a run, on a client of its own (one event loop,
/// one connection), so that the load's event loop is not touched.
final class MetricsScraper: Sendable {
    let url: String
    let interval: Double
    let origin: ContinuousClock.Instant
    private let client: LoadClient
    private let base: String
    private let path: String
    private let state = Mutex(State())

    struct State {
        var snapshots: [ServerSnapshot] = []
        var errors: [String] = []
        var family: String?
        var task: Task<Void, Never>?
    }

    init(url: String, interval: Double, origin: ContinuousClock.Instant) throws {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            let host = components.host
        else {
            throw LoadClientError("--scrape-metrics: \(url) is not an http URL")
        }
        self.url = url
        self.interval = max(0.05, interval)
        self.origin = origin
        base = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        path =
            (components.path.isEmpty ? "/metrics" : components.path)
            + (components.query.map { "?\($0)" } ?? "")
        client = LoadClient(threads: 1, connections: 1)
    }

    private var elapsed: Double {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// One scrape now; a failure is kept as an error line (at most a few of them), not thrown.
    func scrapeOnce() async {
        let time = elapsed
        do {
            let (status, body) = try await client.get(path, baseURL: base, timeout: .seconds(5))
            guard status == 200 else {
                note("\(url) answered HTTP \(status)")
                return
            }
            let text = String(decoding: body, as: UTF8.self)
            let snapshot = try ServerSnapshot.parse(text, time: time)
            let family = ServerMetricNames.family(try PrometheusText.parse(text).samples)
            state.withLock { state in
                state.snapshots.append(snapshot)
                if state.family == nil { state.family = family }
            }
        } catch {
            note("\(url): \(error)")
        }
    }

    private func note(_ message: String) {
        state.withLock { state in
            if state.errors.count < 5, !state.errors.contains(message) { state.errors.append(message) }
        }
    }

    func start() {
        let task = Task { [self] in
            var next = elapsed
            while !Task.isCancelled {
                await scrapeOnce()
                next += interval
                let wait = next - elapsed
                if wait > 0 {
                    try? await Task.sleep(for: .seconds(wait))
                } else {
                    next = elapsed
                }
            }
        }
        state.withLock { $0.task = task }
    }

    /// Stops scraping after one last scrape, so that the run's end is in the series.
    func stop() async -> (snapshots: [ServerSnapshot], errors: [String], family: String?) {
        let task = state.withLock { $0.task }
        task?.cancel()
        await task?.value
        await scrapeOnce()
        try? await client.shutdown()
        return state.withLock { ($0.snapshots, $0.errors, $0.family) }
    }
}
