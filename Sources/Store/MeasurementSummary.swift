public import Catalogue
public import Measure

/// The strongest evidence of one chip for one benchmark and precision, chosen by the store so that an assessment
/// over millions of rows reads one row per group instead of every row.
///
/// Rule: among the group's rows whose correctness check did not fail, the one with the highest median (ties: the
/// smallest stored ID) is `best`. This is exactly the row the assessment and the calibration pick from full rows
/// (`Evaluator.measured`, `FleetPlanner.calibration`), so a verdict from summaries equals a verdict from rows.
public struct MeasurementSummary: Sendable, Equatable {
    public var chip: String
    public var benchmark: BenchmarkResult.Benchmark
    public var precision: Precision?
    /// Rows in the group that the filter admits, failed checks included.
    public var count: Int
    /// Rows in the group whose check did not fail.
    public var passing: Int
    /// The passing row with the highest median; `nil` when every row failed its check.
    public var best: StoredResult?

    public init(
        chip: String,
        benchmark: BenchmarkResult.Benchmark,
        precision: Precision?,
        count: Int,
        passing: Int,
        best: StoredResult?
    ) {
        self.chip = chip
        self.benchmark = benchmark
        self.precision = precision
        self.count = count
        self.passing = passing
        self.best = best
    }
}

extension MeasurementSummary {
    /// Summaries computed from full rows: the reference the database-side aggregation must equal, and the fallback
    /// for a store without one. Ordered by chip, benchmark, precision.
    public static func summarize(_ rows: [StoredResult]) -> [MeasurementSummary] {
        struct Key: Hashable {
            var chip: String
            var benchmark: BenchmarkResult.Benchmark
            var precision: Precision?
        }
        var groups: [Key: MeasurementSummary] = [:]
        for row in rows {
            let key = Key(chip: row.result.chip, benchmark: row.result.benchmark, precision: row.result.precision)
            var summary =
                groups[key]
                ?? MeasurementSummary(
                    chip: key.chip,
                    benchmark: key.benchmark,
                    precision: key.precision,
                    count: 0,
                    passing: 0,
                    best: nil
                )
            summary.count += 1
            if row.result.check != .failed {
                summary.passing += 1
                if let best = summary.best {
                    let median = row.result.median
                    if median > best.result.median || (median == best.result.median && row.id < best.id) {
                        summary.best = row
                    }
                } else {
                    summary.best = row
                }
            }
            groups[key] = summary
        }
        return groups.values.sorted {
            ($0.chip, $0.benchmark.rawValue, $0.precision?.rawValue ?? "")
                < ($1.chip, $1.benchmark.rawValue, $1.precision?.rawValue ?? "")
        }
    }
}

extension ResultStore {
    /// Per chip × benchmark × precision, the group's size and its best passing row (see `MeasurementSummary`), over
    /// the rows `filter` admits (`limit` and `after` are ignored). This default reads every row; a store overrides
    /// it with an aggregation in the database.
    public func measurementSummaries(_ filter: ResultFilter) async throws(StoreError) -> [MeasurementSummary] {
        var all = filter
        all.limit = nil
        all.after = nil
        return MeasurementSummary.summarize(try await results(all))
    }
}
