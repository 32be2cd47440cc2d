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
    /// Most requests in flight at once, counted by the client as it started and finished them.
    public var peakInFlight: Int
    /// Event loops (network threads) the client ran.
    public var threads: Int

    public init(
        records: [RequestRecord],
        duration: Double,
        interrupted: Bool,
        promptFormat: PromptFormat,
        notes: [String],
        peakInFlight: Int = 0,
        threads: Int = 1
    ) {
        self.records = records
        self.duration = duration
        self.interrupted = interrupted
        self.promptFormat = promptFormat
        self.notes = notes
        self.peakInFlight = peakInFlight
        self.threads = threads
    }
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

    /// A client sized for the load: `threads` event loops, keep-alive connections opened as the concurrency needs
    /// them, the open-file limit raised for `connections` sockets.
    public static func makeClient(connections: Int, threads: Int = 1) -> LoadClient {
        LoadClient(threads: threads, connections: connections)
    }

    /// Runs `requests`: the first `warmup` unmeasured, the rest on the load shape's schedule, or at `arrivals`
    /// (seconds from the start of the measured requests, one per measured request: a trace replay).
    public func run(
        _ requests: [RequestSpec],
        client: LoadClient,
        arrivals scheduled: [Double]? = nil,
        progress: (@Sendable (Progress) -> Void)? = nil
    ) async -> RunOutcome {
        var notes: [String] = []
        let template: RequestTemplate
        do {
            template = try RequestTemplate(target: target)
        } catch {
            let records = requests.enumerated().map { index, spec in
                var record = RequestRecord.empty(index: index, prompt: spec.inputTokens)
                record.failure = .other
                record.error = error.description
                return record
            }
            return RunOutcome(records: records, duration: 0, interrupted: false, promptFormat: promptFormat, notes: [])
        }
        var useTokens = promptFormat != .text && target.endpoint == .completions
        func prepare(_ specs: ArraySlice<RequestSpec>, indexed: Bool, tokens: Bool) -> [PreparedRequest] {
            specs.enumerated().map { offset, spec in
                PreparedRequest(
                    index: indexed ? offset : -1,
                    bytes: template.render(spec, tokens: tokens),
                    promptTokens: spec.inputTokens
                )
            }
        }
        func drive(
            _ prepared: [PreparedRequest],
            arrivals: [Double]?,
            limit: Int?,
            progress: (@Sendable (Progress) -> Void)?
        )
            async -> DriveResult
        {
            await RunDriver(
                client: client,
                origin: template.origin,
                requests: prepared,
                arrivals: arrivals,
                limit: limit,
                timeout: target.timeout,
                progress: progress
            ).run()
        }
        if promptFormat == .auto, useTokens, var probe = requests.first {
            // Probe: does the server take token-ID prompts? If not, send text and say so.
            probe.outputTokens = min(2, probe.outputTokens)
            let result = await drive(
                prepare([probe][...], indexed: false, tokens: true),
                arrivals: nil,
                limit: 1,
                progress: nil
            )
            if let record = result.records.first, !record.success, record.failure == .httpStatus {
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
        // Warm-up: the first `warmup` requests, at the run's concurrency, so that connections are open before timing.
        let warmCount = min(warmup, max(0, requests.count - 1))
        if warmCount > 0, !Task.isCancelled {
            _ = await drive(
                prepare(requests.prefix(warmCount), indexed: false, tokens: useTokens),
                arrivals: nil,
                limit: shape.maxConcurrency ?? warmCount,
                progress: nil
            )
        }
        // The rest are measured; every body is rendered before the clock starts.
        let measured = prepare(requests.dropFirst(warmCount), indexed: true, tokens: useTokens)
        let cpuBefore = ClientCPU.now()
        let result = await drive(
            measured,
            arrivals: scheduled.map {
                Array($0.prefix(measured.count))
                    + Array(repeating: $0.last ?? 0, count: max(0, measured.count - $0.count))
            }
                ?? (shape.requestRate.isFinite ? shape.arrivals(count: measured.count, seed: seed) : nil),
            limit: shape.maxConcurrency,
            progress: progress
        )
        if let note = Self.busyNote(
            cpu: (ClientCPU.now() - cpuBefore).total,
            duration: result.duration,
            threads: client.threads
        ) {
            notes.append(note)
        }
        if client.fileLimit > 0, let concurrency = shape.maxConcurrency ?? Optional(measured.count),
            concurrency + 64 > client.fileLimit
        {
            notes.append(
                "the open-file limit is \(client.fileLimit): at most about that many streams can be in flight"
            )
        }
        return RunOutcome(
            records: result.records,
            duration: result.duration,
            interrupted: result.interrupted || Task.isCancelled,
            promptFormat: useTokens ? .tokens : .text,
            notes: notes,
            peakInFlight: result.peakInFlight,
            threads: client.threads
        )
    }
}

extension BenchmarkRunner {
    /// The first model a server lists at `/v1/models`, or an error that says why there is none.
    public static func servedModel(baseURL: String, client: LoadClient) async throws -> String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        let (status, body) = try await client.get("/v1/models", baseURL: base, timeout: .seconds(10))
        guard status == 200 else {
            throw ModelDiscoveryError(message: "\(base)/v1/models answered HTTP \(status)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
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

extension BenchmarkRunner {
    /// The share of the run the client's event loops were busy (its process CPU over `threads` × the run's
    /// duration) and, past 75 %, a note: a loop that busy reads each socket late, so TTFT and ITL stamps lag what
    /// the server sent (docs/serving.md: at 1,000 streams one loop reads about 47,000 events a second, and its
    /// median TTFT drifts above the simulator's while two loops on the same load stay within 1 ms).
    static func busyNote(cpu: Double, duration: Double, threads: Int) -> String? {
        guard duration > 0, threads > 0 else { return nil }
        let busy = cpu / (duration * Double(threads))
        guard busy > 0.75 else { return nil }
        let share = Int((busy * 100).rounded())
        return "the client's \(threads) event loop\(threads == 1 ? " was" : "s were") busy about \(share) % of the "
            + "run (its CPU time over the run's duration): stamps lag when a loop is that busy; give --threads "
            + "(one per free core)"
    }
}
