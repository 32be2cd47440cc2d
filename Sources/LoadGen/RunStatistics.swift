/// One metric over repeated runs (`--num-runs N`): mean, sample standard deviation, coefficient of variation and
/// a two-sided Student-t confidence interval of the mean.
public struct RepeatedMetric: Sendable, Hashable, Codable {
    public var runs: Int
    public var mean: Double
    /// Sample standard deviation (n − 1); 0 for one run.
    public var std: Double
    /// std ÷ mean; 0 when the mean is 0.
    public var coefficientOfVariation: Double
    public var confidence: Double
    /// mean ± t(confidence, n − 1) · std ÷ √n; both ends equal the mean for one run.
    public var low: Double
    public var high: Double

    public init(_ values: [Double], confidence: Double = 0.95) {
        runs = values.count
        self.confidence = confidence
        guard !values.isEmpty else {
            mean = 0
            std = 0
            coefficientOfVariation = 0
            low = 0
            high = 0
            return
        }
        let n = Double(values.count)
        mean = values.reduce(0, +) / n
        let m = mean
        std = values.count > 1 ? (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot() : 0
        coefficientOfVariation = mean == 0 ? 0 : std / abs(mean)
        let half =
            values.count > 1
            ? StudentT.quantile(confidence, degreesOfFreedom: values.count - 1) * std / n.squareRoot() : 0
        low = mean - half
        high = mean + half
    }
}

/// Quantiles of Student's t distribution for confidence intervals.
public enum StudentT {
    /// Two-sided critical values t(1 − α/2, ν) for 95 % and 99 % confidence, ν = 1…30, from the standard
    /// table (NIST/SEMATECH e-Handbook of Statistical Methods, 1.3.6.7.2, "Critical values of the Student's t
    /// distribution", upper-tail probabilities 0.025 and 0.005).
    static let t975: [Double] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ]
    static let t995: [Double] = [
        63.657, 9.925, 5.841, 4.604, 4.032, 3.707, 3.499, 3.355, 3.250, 3.169, 3.106, 3.055, 3.012, 2.977, 2.947,
        2.921, 2.898, 2.878, 2.861, 2.845, 2.831, 2.819, 2.807, 2.797, 2.787, 2.779, 2.771, 2.763, 2.756, 2.750,
    ]

    /// The two-sided critical value for `confidence` (0.95 or 0.99; others fall back to 0.95) with ν degrees of
    /// freedom. Beyond 30 the normal value plus the first term of its expansion in 1/ν (Cornish–Fisher):
    /// z + (z³ + z)/(4ν), within 0.002 of the table at ν = 40, 60, 120.
    public static func quantile(_ confidence: Double, degreesOfFreedom ν: Int) -> Double {
        let table = abs(confidence - 0.99) < 1e-9 ? t995 : t975
        let z = abs(confidence - 0.99) < 1e-9 ? 2.5758 : 1.95996
        guard ν >= 1 else { return .infinity }
        if ν <= table.count { return table[ν - 1] }
        return z + (z * z * z + z) / (4 * Double(ν))
    }
}

/// The metrics of repeated runs of one load, each summarised over the runs.
public struct RepeatedRuns: Sendable, Hashable, Codable {
    public var runs: Int
    public var metrics: [String: RepeatedMetric]

    /// The names follow the result file's keys (`request_throughput`, `median_ttft_ms`, …).
    public init(_ runs: [ServingMetrics], confidence: Double = 0.95) {
        self.runs = runs.count
        var values: [String: [Double]] = [:]
        for m in runs {
            values["request_throughput", default: []].append(m.requestThroughput)
            values["output_throughput", default: []].append(m.outputThroughput)
            values["total_token_throughput", default: []].append(m.totalTokenThroughput)
            if let goodput = m.requestGoodput { values["request_goodput", default: []].append(goodput) }
            for (name, summary) in [("ttft", m.ttft), ("tpot", m.tpot), ("itl", m.itl), ("e2el", m.e2el)] {
                values["mean_\(name)_ms", default: []].append(summary.mean)
                values["median_\(name)_ms", default: []].append(summary.median)
                for p in summary.percentiles.keys.sorted() {
                    values["p\(ServingResult.percentileKey(p))_\(name)_ms", default: []].append(
                        summary.percentiles[p] ?? 0
                    )
                }
            }
        }
        metrics = values.mapValues { RepeatedMetric($0, confidence: confidence) }
    }

    /// As JSON for the result file.
    public var json: JSONValue {
        .object([
            "runs": .number(Double(runs)),
            "metrics": .object(
                metrics.mapValues { metric in
                    .object([
                        "mean": .number(metric.mean),
                        "std": .number(metric.std),
                        "cv": .number(metric.coefficientOfVariation),
                        "confidence": .number(metric.confidence),
                        "ci_low": .number(metric.low),
                        "ci_high": .number(metric.high),
                    ])
                }
            ),
            "method": .string(
                "per metric over runs: mean, sample std (n-1), cv = std/mean, Student-t interval mean ± t·std/√n"
            ),
        ])
    }
}
