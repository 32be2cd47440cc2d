import Foundation
import Histogram

/// Service-level objectives for goodput, in milliseconds (`--goodput ttft:500 tpot:50 e2el:3000`).
public struct Goodput: Sendable, Hashable, Codable {
    public var ttftMs: Double?
    public var tpotMs: Double?
    public var e2elMs: Double?

    public init(ttftMs: Double? = nil, tpotMs: Double? = nil, e2elMs: Double? = nil) {
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
        self.e2elMs = e2elMs
    }

    /// Parses `ttft:500 tpot:50 e2el:3000` (any subset, milliseconds).
    public init?(_ items: [String]) {
        for item in items {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let value = Double(parts[1]), value > 0 else { return nil }
            switch parts[0] {
            case "ttft": ttftMs = value
            case "tpot": tpotMs = value
            case "e2el": e2elMs = value
            default: return nil
            }
        }
        if ttftMs == nil, tpotMs == nil, e2elMs == nil { return nil }
    }

    /// A request is good when it meets every given limit (vLLM's definition; TPOT of a one-token output is 0).
    public func admits(_ record: RequestRecord) -> Bool {
        guard record.success, let ttft = record.ttft, let latency = record.latency else { return false }
        if let ttftMs, ttft * 1000 > ttftMs { return false }
        if let tpotMs, (record.tpot ?? 0) * 1000 > tpotMs { return false }
        if let e2elMs, latency * 1000 > e2elMs { return false }
        return true
    }
}

/// Mean, median, population standard deviation and percentiles (linear interpolation, as NumPy's default).
public struct Summary: Sendable, Hashable, Codable {
    public var count: Int
    public var mean: Double
    public var median: Double
    public var std: Double
    public var min: Double
    public var max: Double
    public var percentiles: [Double: Double]

    public init(_ values: [Double], percentiles wanted: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        guard !sorted.isEmpty else {
            mean = 0
            median = 0
            std = 0
            min = 0
            max = 0
            percentiles = Dictionary(uniqueKeysWithValues: wanted.map { ($0, 0) })
            return
        }
        let total = sorted.reduce(0, +)
        mean = total / Double(sorted.count)
        let m = mean
        std = (sorted.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(sorted.count)).squareRoot()
        median = Self.percentile(sorted, 50)
        min = sorted[0]
        max = sorted[sorted.count - 1]
        percentiles = Dictionary(uniqueKeysWithValues: wanted.map { ($0, Self.percentile(sorted, $0)) })
    }

    public static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let position = p / 100 * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (position - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}

/// Everything a run measured, computed from its records.
public struct ServingMetrics: Sendable, Hashable {
    public var duration: Double
    public var completed: Int
    public var failed: Int
    public var totalInputTokens: Int
    public var totalOutputTokens: Int
    public var requestThroughput: Double
    public var requestGoodput: Double?
    public var outputThroughput: Double
    public var totalTokenThroughput: Double
    public var maxOutputTokensPerSecond: Double
    public var maxConcurrentRequests: Int
    /// Milliseconds.
    public var ttft: Summary
    public var tpot: Summary
    public var itl: Summary
    public var e2el: Summary
    public var failures: [FailureCause: Int]
    public var tokenCountSource: TokenCountSource
    /// HdrHistogram percentile distributions (percentile → ms) of each latency metric.
    public var histograms: [String: [[Double]]]

    public init(records: [RequestRecord], duration: Double, percentiles: [Double], goodput: Goodput?) {
        let ok = records.filter(\.success)
        self.duration = duration
        completed = ok.count
        failed = records.count - ok.count
        totalInputTokens = ok.reduce(0) { $0 + $1.promptTokens }
        totalOutputTokens = ok.reduce(0) { $0 + $1.outputTokens }
        let seconds = Swift.max(duration, 1e-9)
        requestThroughput = Double(completed) / seconds
        outputThroughput = Double(totalOutputTokens) / seconds
        totalTokenThroughput = Double(totalInputTokens + totalOutputTokens) / seconds
        requestGoodput = goodput.map { slo in Double(ok.filter { slo.admits($0) }.count) / seconds }
        let ttfts = ok.compactMap(\.ttft).map { $0 * 1000 }
        let tpots = ok.compactMap(\.tpot).map { $0 * 1000 }
        let itls = ok.flatMap(\.itl).map { $0 * 1000 }
        let e2els = ok.compactMap(\.latency).map { $0 * 1000 }
        ttft = Summary(ttfts, percentiles: percentiles)
        tpot = Summary(tpots, percentiles: percentiles)
        itl = Summary(itls, percentiles: percentiles)
        e2el = Summary(e2els, percentiles: percentiles)
        failures = Dictionary(grouping: records.compactMap(\.failure)) { $0 }.mapValues(\.count)
        tokenCountSource = ok.allSatisfy { $0.tokenCountSource == .serverUsage } ? .serverUsage : .client
        // Peak output tokens per 1-second bin, tokens stamped at start + TTFT + cumulative ITL (vLLM's method).
        var bins: [Int: Double] = [:]
        for record in ok {
            guard let ttft = record.ttft else { continue }
            var time = record.start + record.queueTime + ttft
            let perChunk = Double(record.outputTokens) / Double(Swift.max(1, record.chunks))
            bins[Int(time), default: 0] += perChunk
            for gap in record.itl {
                time += gap
                bins[Int(time), default: 0] += perChunk
            }
        }
        maxOutputTokensPerSecond = bins.values.max() ?? 0
        // Largest number of requests in flight at once.
        var edges: [(Double, Int)] = []
        for record in records {
            // On the wire from the write (after the client's queue time) to the last token.
            let sent = record.start + record.queueTime
            edges.append((sent, 1))
            edges.append((sent + (record.latency ?? 0), -1))
        }
        edges.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var current = 0
        var peak = 0
        for edge in edges {
            current += edge.1
            peak = Swift.max(peak, current)
        }
        maxConcurrentRequests = peak
        var histograms: [String: [[Double]]] = [:]
        for (name, values) in [("ttft", ttfts), ("tpot", tpots), ("itl", itls), ("e2el", e2els)] where !values.isEmpty {
            var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
            histogram.autoResize = true
            for value in values { _ = histogram.record(UInt64(Swift.max(1, (value * 1000).rounded()))) }
            histograms[name] = [50, 75, 90, 95, 99, 99.9, 100].map { p in
                [p, Double(histogram.valueAtPercentile(p)) / 1000]
            }
        }
        self.histograms = histograms
    }
}
