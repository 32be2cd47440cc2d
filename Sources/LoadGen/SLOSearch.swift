import Catalogue
import Foundation

/// The highest request rate (or concurrency) at which at least `target` of the requests meet every SLO limit:
/// bracket the edge by doubling (or halving) from `start`, then bisect the bracket, each load run up to `repeats`
/// times with different seeds near the edge. A load passes when most of its runs reach the target (the median
/// run), so one run spoilt by a stall of the client or server machine does not decide it; runs stop as soon as
/// the majority is settled. While bracketing, a passing first run settles the load (a stall can only make a load
/// fail) and a failing one is repeated. The answer comes with its interval: the highest passing and the lowest
/// failing load, and every probe's per-run goodput.
public struct SLOSearch: Sendable {
    public enum Dimension: String, Sendable, Hashable, Codable {
        /// Requests per second (open loop, the configuration's burstiness and concurrency cap kept).
        case rate
        /// Requests in flight (closed loop, all requests due at once).
        case concurrency
    }

    /// One load tried.
    public struct Probe: Sendable, Hashable {
        public var value: Double
        /// `bracket` (doubling or halving) or `bisect` (near the edge).
        public var phase: String
        /// Per run: the share of measured requests that completed and met every limit.
        public var goodput: [Double]
        public var requestThroughput: [Double]
        public var medianTTFTMs: [Double]
        /// Most runs reached the target.
        public var passed: Bool

        public var meanGoodput: Double { goodput.isEmpty ? 0 : goodput.reduce(0, +) / Double(goodput.count) }
    }

    /// What the search found.
    public struct Outcome: Sendable {
        public var dimension: Dimension
        public var limits: Goodput
        public var target: Double
        /// The highest load that passed; nil when even the lowest tried failed.
        public var best: Double?
        /// The lowest load that failed above `best`; nil when even `maximum` passed.
        public var failedAbove: Double?
        public var probes: [Probe]
        /// Stopped early (cancelled).
        public var interrupted: Bool
    }

    public var limits: Goodput
    /// Share of requests that must meet every limit, in (0, 1].
    public var target: Double
    public var dimension: Dimension
    public var start: Double
    public var maximum: Double
    /// The lowest load tried while halving (rates); concurrency stops at 1.
    public var minimum: Double
    public var repeats: Int
    /// Bisection stops when (failing − passing) ÷ passing is at most this (concurrency: or they are adjacent).
    public var tolerance: Double

    public init(
        limits: Goodput,
        target: Double = 0.9,
        dimension: Dimension = .rate,
        start: Double = 1,
        maximum: Double = 100_000,
        minimum: Double = 0.01,
        repeats: Int = 3,
        tolerance: Double = 0.05
    ) {
        self.limits = limits
        self.target = target
        self.dimension = dimension
        self.start = start
        self.maximum = maximum
        self.minimum = minimum
        self.repeats = max(1, repeats)
        self.tolerance = tolerance
    }

    public static let rule =
        "goodput of a run = requests completed within every limit ÷ measured requests; a load passes when most of "
        + "its runs (up to `repeats`, seeds seed, seed+1, …, stopping once the majority is settled) reach the "
        + "target; bracket by doubling/halving from the start value (a passing first run settles a load there), "
        + "then bisect; best = highest passing load, interval = [best, lowest failing load above it]"

    /// Runs the search with `base` as the workload (its load replaced by each probe's; no result file, no typed
    /// record). `probed` hears of each probe as it finishes.
    public func run(
        _ base: ServeConfiguration,
        probed: @escaping @Sendable (Probe) -> Void = { _ in }
    ) async throws -> Outcome {
        var configuration = base
        configuration.sweep = nil
        configuration.numRuns = 1
        configuration.output = .none
        configuration.typedRecord = nil
        configuration.goodput = limits
        var probes: [Probe] = []
        var low: Double?
        var high: Double?
        var interrupted = false

        func probe(_ value: Double, phase: String) async throws -> Probe {
            var result = Probe(
                value: value,
                phase: phase,
                goodput: [],
                requestThroughput: [],
                medianTTFTMs: [],
                passed: false
            )
            let majority = repeats / 2 + 1
            var met = 0
            for run in 0..<repeats {
                var trial = configuration
                trial.seed = base.seed &+ UInt64(run)
                switch dimension {
                case .rate: trial.load.requestRate = value
                case .concurrency:
                    trial.load.requestRate = .infinity
                    trial.load.maxConcurrency = Int(value)
                }
                let report = try await ServeBenchmark.run(trial)
                configuration.model = report.model
                guard let measured = report.points.first?.runs.first else { break }
                let records = measured.outcome.records
                let good = records.filter { $0.success && limits.admits($0) }.count
                let share = records.isEmpty ? 0 : Double(good) / Double(records.count)
                result.goodput.append(share)
                result.requestThroughput.append(measured.metrics.requestThroughput)
                result.medianTTFTMs.append(measured.metrics.ttft.median)
                if share >= target { met += 1 }
                if report.interrupted {
                    interrupted = true
                    break
                }
                let missed = result.goodput.count - met
                if met >= majority || missed >= majority || (phase == "bracket" && run == 0 && met == 1) { break }
            }
            result.passed = met * 2 > result.goodput.count
            probes.append(result)
            probed(result)
            return result
        }

        // Bracket.
        var value = dimension == .concurrency ? max(1, start.rounded(.down)) : start
        let floor = dimension == .concurrency ? 1 : minimum
        while !interrupted {
            if try await probe(value, phase: "bracket").passed {
                low = value
                if high != nil || value >= maximum { break }
                value = min(value * 2, maximum)
            } else {
                high = value
                if low != nil || value <= floor { break }
                value = max(dimension == .concurrency ? (value / 2).rounded(.down) : value / 2, floor)
            }
        }
        // Bisect near the edge, with repeated runs.
        while !interrupted, let l = low, let h = high, (h - l) / l > tolerance {
            let middle = dimension == .concurrency ? ((l + h) / 2).rounded(.down) : (l + h) / 2
            if middle <= l || middle >= h { break }
            if try await probe(middle, phase: "bisect").passed { low = middle } else { high = middle }
        }
        return Outcome(
            dimension: dimension,
            limits: limits,
            target: target,
            best: low,
            failedAbove: high,
            probes: probes,
            interrupted: interrupted
        )
    }
}

extension SLOSearch.Outcome {
    public static let schema = "parity.slo-search/1"

    /// As JSON for `--json` and result files.
    public var json: JSONValue {
        var limitsObject: [String: JSONValue] = [:]
        if let v = limits.ttftMs { limitsObject["ttft"] = .number(v) }
        if let v = limits.tpotMs { limitsObject["tpot"] = .number(v) }
        if let v = limits.e2elMs { limitsObject["e2el"] = .number(v) }
        return .object([
            "schema": .string(Self.schema),
            "dimension": .string(dimension.rawValue),
            "limits_ms": .object(limitsObject),
            "goodput_target": .number(target),
            "best": best.map(JSONValue.number) ?? .null,
            "interval": .object([
                "passed": best.map(JSONValue.number) ?? .null,
                "failed": failedAbove.map(JSONValue.number) ?? .null,
            ]),
            "interrupted": .bool(interrupted),
            "rule": .string(SLOSearch.rule),
            "probes": .array(
                probes.map { probe in
                    .object([
                        "value": .number(probe.value),
                        "phase": .string(probe.phase),
                        "goodput": .array(probe.goodput.map(JSONValue.number)),
                        "mean_goodput": .number(probe.meanGoodput),
                        "request_throughput": .array(probe.requestThroughput.map(JSONValue.number)),
                        "median_ttft_ms": .array(probe.medianTTFTMs.map(JSONValue.number)),
                        "passed": .bool(probe.passed),
                    ])
                }
            ),
        ])
    }
}
