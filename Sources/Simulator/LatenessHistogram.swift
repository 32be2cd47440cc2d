/// How late the simulator wrote tokens against their due times (fixed timing): counts in 10 µs bins up to 20 ms
/// (later ones in the last bin, their true values in the sum and maximum), enough for the quantiles that
/// `/metrics` reports.
struct LatenessHistogram: Sendable {
    static let binSeconds = 10e-6
    static let bins = 2000

    private(set) var counts = [Int](repeating: 0, count: LatenessHistogram.bins + 1)
    private(set) var count = 0
    private(set) var sum = 0.0
    private(set) var maximum = 0.0

    mutating func record(_ seconds: Double) {
        let value = max(0, seconds)
        counts[min(Self.bins, Int(value / Self.binSeconds))] += 1
        count += 1
        sum += value
        maximum = max(maximum, value)
    }

    /// The `q` quantile (0...1) in seconds, at the middle of its bin (the maximum when it falls in the overflow
    /// bin); 0 when empty.
    func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (bin, n) in counts.enumerated() {
            seen += n
            if seen >= rank {
                return bin == Self.bins ? maximum : min(maximum, (Double(bin) + 0.5) * Self.binSeconds)
            }
        }
        return maximum
    }
}
