public import AsyncHTTPClient
import Catalogue
import Foundation
import NIOCore

/// The load shape: open loop (request rate with Poisson/gamma arrivals), closed loop (maximum concurrency),
/// or both at once.
public struct LoadShape: Sendable, Hashable, Codable {
    /// Requests per second; `.infinity` sends them all at once (limited only by `maxConcurrency`).
    public var requestRate: Double
    /// Gamma shape of inter-arrival times: 1 is Poisson, below 1 burstier, above 1 more regular.
    public var burstiness: Double
    public var maxConcurrency: Int?

    public init(requestRate: Double = .infinity, burstiness: Double = 1, maxConcurrency: Int? = nil) {
        self.requestRate = requestRate
        self.burstiness = burstiness
        self.maxConcurrency = maxConcurrency
    }

    /// Arrival offsets in seconds from the start, seeded.
    public func arrivals(count: Int, seed: UInt64) -> [Double] {
        guard requestRate.isFinite, requestRate > 0 else { return Array(repeating: 0, count: count) }
        var generator = SeededGenerator(seed: seed ^ 0x5EED)
        var time = 0.0
        return (0..<count).map { index in
            if index > 0 { time += generator.gamma(shape: burstiness, scale: 1 / (requestRate * burstiness)) }
            return time
        }
    }
}

/// Progress of a run, for a progress bar.
public struct Progress: Sendable {
    public var done: Int
    public var failed: Int
    public var total: Int
    public var elapsed: Double
}

/// What a run produced.
public struct RunOutcome: Sendable {
    public var records: [RequestRecord]
    /// From the first request to the last completion.
    public var duration: Double
    /// Stopped early (Ctrl-C): the records are those that finished.
    public var interrupted: Bool
    /// How prompts were sent after the probe (`tokens` or `text`).
    public var promptFormat: PromptFormat
    public var notes: [String]
}

/// Counts requests in flight and lets a limited number through (closed loop).
actor Slots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

actor Tally {
    var done = 0
    var failed = 0
    func add(_ record: RequestRecord) {
        done += 1
        if !record.success { failed += 1 }
    }
    func snapshot() -> (Int, Int) { (done, failed) }
}

/// Runs a benchmark: warm-up (excluded), then every request on its schedule.
public struct BenchmarkRunner: Sendable {
    public var target: Target
    public var shape: LoadShape
    public var promptFormat: PromptFormat
    public var warmup: Int
    public var seed: UInt64

    public init(target: Target, shape: LoadShape, promptFormat: PromptFormat = .auto, warmup: Int = 0, seed: UInt64 = 0)
    {
        self.target = target
        self.shape = shape
        self.promptFormat = promptFormat
        self.warmup = warmup
        self.seed = seed
    }

    /// A client sized for the load: one connection per concurrent request.
    public static func makeClient(connections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(8, connections)
        configuration.timeout.connect = .seconds(5)
        configuration.httpVersion = .http1Only
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func run(
        _ requests: [RequestSpec],
        client http: HTTPClient,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async -> RunOutcome {
        let client = StreamingClient(http: http, target: target)
        var notes: [String] = []
        var useTokens = promptFormat != .text && target.endpoint == .completions
        let runStart = ContinuousClock.now
        if promptFormat == .auto, useTokens, let first = requests.first {
            // Probe: does the server take token-ID prompts? If not, send text and say so.
            var probe = first
            probe.outputTokens = min(2, first.outputTokens)
            let record = await client.send(probe, index: -1, tokens: true, runStart: runStart)
            if !record.success, record.failure == .httpStatus {
                useTokens = false
                notes.append(
                    "the server refused token-ID prompts (\(record.error ?? "")); text prompts sent, so input "
                        + "lengths are approximate unless the server reports usage"
                )
            }
        }
        if promptFormat == .tokens, target.endpoint == .chat {
            notes.append("chat messages are text: token-ID prompts do not apply to \(Endpoint.chat.rawValue)")
        }
        // Warm-up: as many at once as the run will have in flight, so that connections are open before timing.
        let warm = Array(requests.prefix(min(warmup, max(0, requests.count - 1))))
        let width = max(1, min(warm.count, shape.maxConcurrency ?? warm.count))
        var next = 0
        while next < warm.count, !Task.isCancelled {
            let batch = warm[next..<min(next + width, warm.count)]
            let tokens = useTokens
            await withTaskGroup(of: Void.self) { group in
                for spec in batch {
                    group.addTask { _ = await client.send(spec, index: -1, tokens: tokens, runStart: runStart) }
                }
            }
            next += width
        }
        // The warm-up requests are the first `warmup` of the list; the rest are measured.
        let measured = Array(requests.dropFirst(min(warmup, max(0, requests.count - 1))))
        let arrivals = shape.arrivals(count: measured.count, seed: seed)
        let slots = shape.maxConcurrency.map { Slots($0) }
        let tally = Tally()
        let start = ContinuousClock.now
        let total = measured.count
        let reporter: Task<Void, Never>? = progress.map { report in
            Task {
                while !Task.isCancelled {
                    let (done, failed) = await tally.snapshot()
                    report(
                        Progress(
                            done: done,
                            failed: failed,
                            total: total,
                            elapsed: (ContinuousClock.now - start).inSeconds
                        )
                    )
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        let tokens = useTokens
        let records = await withTaskGroup(of: RequestRecord?.self, returning: [RequestRecord].self) { group in
            for (index, spec) in measured.enumerated() {
                let due = start + .nanoseconds(Int64(arrivals[index] * 1e9))
                if ContinuousClock.now < due {
                    try? await Task.sleep(until: due, clock: .continuous)
                }
                if Task.isCancelled { break }
                await slots?.acquire()
                if Task.isCancelled {
                    await slots?.release()
                    break
                }
                group.addTask {
                    let record = await client.send(spec, index: index, tokens: tokens, runStart: start)
                    await slots?.release()
                    if Task.isCancelled { return nil }
                    await tally.add(record)
                    return record
                }
            }
            var records: [RequestRecord] = []
            for await record in group {
                if let record { records.append(record) }
            }
            return records.sorted { $0.index < $1.index }
        }
        reporter?.cancel()
        let interrupted = Task.isCancelled
        // From the start of the measured requests until all have finished (or the run was stopped), as vLLM.
        let duration = (ContinuousClock.now - start).inSeconds
        if let progress {
            let (done, failed) = await tally.snapshot()
            progress(Progress(done: done, failed: failed, total: total, elapsed: duration))
        }
        return RunOutcome(
            records: records,
            duration: duration,
            interrupted: interrupted,
            promptFormat: useTokens ? .tokens : .text,
            notes: notes
        )
    }
}

extension BenchmarkRunner {
    /// The first model a server lists at `/v1/models`, or an error that says why there is none.
    public static func servedModel(baseURL: String, client: HTTPClient) async throws -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let response = try await client.execute(HTTPClientRequest(url: base + "/v1/models"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let data = object["data"] as? [[String: Any]], let id = data.first?["id"] as? String
        else {
            throw ModelDiscoveryError(message: "\(base)/v1/models lists no model")
        }
        return id
    }
}

public struct ModelDiscoveryError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
