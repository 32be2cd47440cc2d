import Hummingbird
import Prometheus
import Synchronization

/// Prometheus metrics for `/metrics`: requests by method and status, request durations, and submissions by
/// outcome. A registry of our own, so several servers in one process (tests) do not share counts.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// Counters and histograms by label set, so that a request does not look them up by name in the registry.
    private let counters = Mutex<[String: Counter]>([:])
    private let histograms = Mutex<[String: DurationHistogram]>([:])

    static var requests: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "parity",
            subsystem: "http",
            metricName: "requests",
            unitName: "total",
            helpText: "HTTP requests by method and status."
        )
    }
    static var durations: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "parity",
            subsystem: "http",
            metricName: "request_duration",
            unitName: "seconds",
            helpText: "Time from request head to response, by method."
        )
    }
    static var submissions: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "parity",
            metricName: "submissions",
            unitName: "total",
            helpText: "Submissions by outcome: created, replayed (same idempotency key), refused (bad bundle)."
        )
    }

    func request(method: String, status: Int, duration: Duration) {
        let key = "\(method) \(status)"
        let counter =
            counters.withLock { $0[key] }
            ?? {
                let made = registry.makeCounter(
                    descriptor: Self.requests,
                    labels: [("method", method), ("status", String(status))]
                )
                counters.withLock { $0[key] = made }
                return made
            }()
        counter.increment()
        let histogram = histograms.withLock { $0[method] } ?? makeHistogram(method)
        histogram.record(duration)
    }

    func makeHistogram(_ method: String) -> DurationHistogram {
        let made = registry.makeDurationHistogram(
            descriptor: Self.durations,
            labels: [("method", method)],
            buckets: [
                .microseconds(250), .milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                .milliseconds(500), .seconds(2),
            ]
        )
        histograms.withLock { $0[method] = made }
        return made
    }

    func submission(_ outcome: String) {
        registry.makeCounter(descriptor: Self.submissions, labels: [("outcome", outcome)]).increment()
    }

    func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Records every request's status and duration, and turns any error into a JSON error response so that no
/// request ends without a body that says what went wrong.
struct ObservingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            var response = try await next(request, context)
            SecurityHeaders.apply(to: &response.headers)
            metrics.request(method: method, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch {
            let mapped = ErrorMapping.apiError(error, context: context)
            metrics.request(method: method, status: mapped.status.code, duration: ContinuousClock.now - start)
            throw mapped
        }
    }
}
