/// Metrics of one stretch of a run (`--slice 10s`): what finished, and the tokens that arrived, inside it.
public struct TimeSlice: Sendable, Hashable, Codable {
    /// Seconds from the start of the run.
    public var start: Double
    public var end: Double
    /// Requests that finished (last token) in the slice.
    public var completed: Int
    /// Output tokens whose chunk arrived in the slice (tokens per chunk spread as the run's counts give).
    public var outputTokens: Double
    public var requestThroughput: Double
    public var outputThroughput: Double
    /// Median TTFT (ms) of the requests sent in the slice; nil when none was.
    public var medianTTFTMs: Double?
    /// Median gap between chunks (ms) that arrived in the slice; nil when none did.
    public var medianITLMs: Double?
    /// Requests on the wire at the slice's start.
    public var inFlightAtStart: Int
}

/// The part of a run where the load is established: warm-up and drain excluded by a stated rule.
public struct SteadyState: Sendable {
    public static let rule =
        "from the moment requests in flight first reach 90 % of their peak to the moment the last request is sent; "
        + "throughputs count the requests finished and the tokens arrived inside that window, latencies the "
        + "requests sent and finished inside it"
    public var start: Double
    public var end: Double
    public var metrics: ServingMetrics
}

/// Time-sliced and steady-state views of a run's records (times from the records: sent at start + queue time,
/// first token after TTFT, each further chunk after its ITL).
public enum TimeWindows {
    static func sent(_ record: RequestRecord) -> Double { record.start + record.queueTime }

    /// Consecutive slices of `width` seconds from 0 to the last completion.
    public static func slices(_ records: [RequestRecord], width: Double) -> [TimeSlice] {
        let ok = records.filter(\.success)
        guard width > 0, let last = ok.map({ sent($0) + ($0.latency ?? 0) }).max() else { return [] }
        let count = max(1, Int((last / width).rounded(.up)))
        var completed = Array(repeating: 0, count: count)
        var tokens = Array(repeating: 0.0, count: count)
        var ttfts = Array(repeating: [Double](), count: count)
        var itls = Array(repeating: [Double](), count: count)
        func bin(_ time: Double) -> Int { min(count - 1, max(0, Int(time / width))) }
        for record in ok {
            let begin = sent(record)
            completed[bin(begin + (record.latency ?? 0))] += 1
            guard let ttft = record.ttft else { continue }
            ttfts[bin(begin)].append(ttft * 1000)
            let perChunk = Double(record.outputTokens) / Double(max(1, record.chunks))
            var time = begin + ttft
            tokens[bin(time)] += perChunk
            for gap in record.itl {
                time += gap
                tokens[bin(time)] += perChunk
                itls[bin(time)].append(gap * 1000)
            }
        }
        return (0..<count).map { index in
            let start = Double(index) * width
            let end = index == count - 1 ? max(last, start + width) : start + width
            let seconds = end - start
            return TimeSlice(
                start: start,
                end: end,
                completed: completed[index],
                outputTokens: tokens[index],
                requestThroughput: Double(completed[index]) / seconds,
                outputThroughput: tokens[index] / seconds,
                medianTTFTMs: ttfts[index].isEmpty ? nil : Summary.percentile(ttfts[index].sorted(), 50),
                medianITLMs: itls[index].isEmpty ? nil : Summary.percentile(itls[index].sorted(), 50),
                inFlightAtStart: records.filter { sent($0) <= start && sent($0) + ($0.latency ?? 0) > start }.count
            )
        }
    }

    /// The steady-state window by `SteadyState.rule`, or nil when it holds no complete request.
    public static func steadyState(
        _ records: [RequestRecord],
        percentiles: [Double],
        goodput: Goodput?
    ) -> SteadyState? {
        let ok = records.filter(\.success)
        guard !ok.isEmpty else { return nil }
        var edges: [(Double, Int)] = []
        for record in ok {
            edges.append((sent(record), 1))
            edges.append((sent(record) + (record.latency ?? 0), -1))
        }
        edges.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var current = 0
        var peak = 0
        for edge in edges {
            current += edge.1
            peak = max(peak, current)
        }
        let threshold = max(1, Int((0.9 * Double(peak)).rounded(.up)))
        current = 0
        var start = 0.0
        for edge in edges {
            current += edge.1
            if current >= threshold {
                start = edge.0
                break
            }
        }
        let end = ok.map(sent).max() ?? start
        let inside = ok.filter { sent($0) >= start && sent($0) + ($0.latency ?? 0) <= end }
        guard end > start, !inside.isEmpty else { return nil }
        let seconds = end - start
        var metrics = ServingMetrics(records: inside, duration: seconds, percentiles: percentiles, goodput: goodput)
        let finished = ok.filter {
            let done = sent($0) + ($0.latency ?? 0)
            return done >= start && done <= end
        }
        var tokens = 0.0
        for record in ok {
            guard let ttft = record.ttft else { continue }
            let perChunk = Double(record.outputTokens) / Double(max(1, record.chunks))
            var time = sent(record) + ttft
            if time >= start, time <= end { tokens += perChunk }
            for gap in record.itl {
                time += gap
                if time >= start, time <= end { tokens += perChunk }
            }
        }
        metrics.completed = finished.count
        metrics.requestThroughput = Double(finished.count) / seconds
        metrics.outputThroughput = tokens / seconds
        metrics.totalTokenThroughput = (tokens + Double(finished.reduce(0) { $0 + $1.promptTokens })) / seconds
        return SteadyState(start: start, end: end, metrics: metrics)
    }
}
