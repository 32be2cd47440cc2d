import Histogram

/// How late the simulator wrote tokens against their due times (fixed timing): an HdrHistogram of nanoseconds at
/// three significant digits (the library the load generator's percentiles use), with the exact sum beside it for
/// the `/metrics` summary.
struct LatenessHistogram: Sendable {
    private var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    private(set) var sum = 0.0

    var count: Int { Int(histogram.totalCount) }
    var maximum: Double { count == 0 ? 0 : Double(histogram.maxRecorded) / 1e9 }

    /// Records one lateness; an early write (negative) counts as 0.
    mutating func record(_ seconds: Double) {
        let value = max(0, seconds)
        _ = histogram.record(UInt64((value * 1e9).rounded()))
        sum += value
    }

    /// The `q` quantile (0...1) in seconds, within the histogram's 0.1 % resolution; 0 when empty.
    func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        // The bucket's highest equivalent value can pass the largest value recorded; never report beyond it.
        return Double(min(histogram.valueAtPercentile(q * 100), histogram.maxRecorded)) / 1e9
    }
}
