/// How a candidate stands against a reference on a ratio's confidence interval.
public enum Verdict: String, Sendable, Hashable, Codable, CaseIterable {
    /// The whole interval lies above the tolerance band.
    case exceeds
    /// The whole interval lies inside the tolerance band.
    case comparable
    /// The whole interval lies below the tolerance band.
    case below
    /// The interval crosses a band edge: the evidence does not decide.
    case inconclusive

    /// Decides a verdict from a ratio interval and a tolerance (0.10 means the band 0.90…1.10).
    /// A verdict is given only when the interval lies clearly on one side of each band edge.
    public static func decide(interval: Interval, tolerance: Double) -> Verdict {
        let low = 1 - tolerance
        let high = 1 + tolerance
        if interval.lower > high { return .exceeds }
        if interval.upper < low { return .below }
        if interval.lower >= low, interval.upper <= high { return .comparable }
        return .inconclusive
    }
}

/// A confidence interval around an estimate.
public struct Interval: Sendable, Hashable, Codable {
    public var lower: Double
    public var upper: Double
    /// Coverage, e.g. 0.95.
    public var level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// The percentile interval of bootstrap replicates (sorted in place).
    public static func percentile(_ replicates: inout [Double], level: Double) -> Interval {
        precondition(!replicates.isEmpty, "an interval needs at least one replicate")
        replicates.sort()
        let alpha = (1 - level) / 2
        return Interval(
            lower: quantile(replicates, alpha),
            upper: quantile(replicates, 1 - alpha),
            level: level
        )
    }

    /// Linear-interpolation quantile of sorted values (type 7, as NumPy's default).
    public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        guard sorted.count > 1 else { return sorted[0] }
        let position = q * Double(sorted.count - 1)
        let index = Int(position)
        let fraction = position - Double(index)
        guard index + 1 < sorted.count else { return sorted[sorted.count - 1] }
        return sorted[index] + fraction * (sorted[index + 1] - sorted[index])
    }
}

/// How much a ratio can be trusted, from where its inputs came from.
public enum Confidence: String, Sendable, Hashable, Codable, Comparable {
    case low, medium, high

    public static func < (a: Confidence, b: Confidence) -> Bool {
        let order: [Confidence] = [.low, .medium, .high]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}
