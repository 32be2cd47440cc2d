public import Catalogue
public import Measure
public import Store

/// One chip × benchmark × precision group of stored measurements as an assessment cites it: how many rows the store
/// held and which one it offered (the best passing row, `MeasurementSummary`). A report over a store of millions of
/// rows lists these groups instead of every row's ID.
public struct MeasurementGroup: Sendable, Hashable, Codable {
    public var chip: String
    public var benchmark: BenchmarkResult.Benchmark
    public var precision: Precision?
    /// Rows in the group, failed checks included.
    public var rows: Int
    /// Rows whose correctness check did not fail.
    public var passing: Int
    /// The ID of the row offered to the assessment; `nil` when every row failed its check.
    public var offered: String?

    public init(
        chip: String,
        benchmark: BenchmarkResult.Benchmark,
        precision: Precision?,
        rows: Int,
        passing: Int,
        offered: String?
    ) {
        self.chip = chip
        self.benchmark = benchmark
        self.precision = precision
        self.rows = rows
        self.passing = passing
        self.offered = offered
    }

    public init(_ summary: MeasurementSummary) {
        self.init(
            chip: summary.chip,
            benchmark: summary.benchmark,
            precision: summary.precision,
            rows: summary.count,
            passing: summary.passing,
            offered: summary.best?.id
        )
    }
}
