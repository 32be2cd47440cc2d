import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// Every list query and the summary aggregation, as the operations issue them, planned by each database over a store
/// with enough rows (and fresh statistics) that a full scan would be a real choice: each must read the results or
/// serving table through an index, and a filtered page through the index of its filter.
@Suite struct QueryPlanTests {
    static let chips = [
        "h20", "ascend-910b", "ascend-910c", "mlu590", "h200", "rtx-pro-6000d", "kunlun-p800", "mtt-s5000",
    ]
    static let benchmarks: [BenchmarkResult.Benchmark] = [.gemm, .streamTriad, .deviceToDevice]
    static let base = Date(timeIntervalSince1970: 1_790_000_000)
    static let cursor = ResultCursor(measuredAt: base + 3_000, id: "m-3000")
    /// A chip, model, scenario, engine and vendor in one row of 500 (and `deviceToDevice` among benchmarks, `accepted`
    /// among statuses): a filter on it is where reading the list order's index and skipping non-matching rows would
    /// read most of the table, so only the filter's own index serves it.
    static let rare = "rare"

    /// (what, statement, the index that must serve it).
    static func resultQueries(_ dialect: SQLDialect) -> [(String, (sql: String, values: [any SQLBindable]), String)] {
        [
            ("all, first page", StoreSQL.results(ResultFilter(limit: 50)), "results_measured"),
            (
                "chip", StoreSQL.results(ResultFilter(chip: Self.rare, limit: 50)),
                "results_chip_measured|results_chip_benchmark_measured"
            ),
            (
                "benchmark", StoreSQL.results(ResultFilter(benchmark: .deviceToDevice, limit: 50)),
                "results_benchmark_measured"
            ),
            (
                "chip and benchmark",
                StoreSQL.results(ResultFilter(chip: Self.rare, benchmark: .gemm, limit: 50)),
                "results_chip_benchmark_measured|results_chip_measured|results_summary"
            ),
            (
                "time window",
                StoreSQL.results(ResultFilter(since: base + 1_000, until: base + 2_000, limit: 50)),
                "results_measured"
            ),
            ("visible to a vendor", StoreSQL.results(ResultFilter(visibleTo: "huawei", limit: 50)), "results_measured"),
            ("evidence only", StoreSQL.results(ResultFilter(evidenceOnly: true, limit: 50)), "results_measured"),
            (
                "chip, next page", StoreSQL.results(Self.page(ResultFilter(chip: Self.rare, limit: 50))),
                "results_chip_measured|results_chip_benchmark_measured"
            ),
            // The summaries read the groups kept as results are stored (migration 007), never the results;
            // with a time window they aggregate the window's rows through an index.
            ("summaries", StoreSQL.summaries(ResultFilter(), dialect: dialect), Self.groupsKey),
            (
                "summaries of a chip", StoreSQL.summaries(ResultFilter(chip: Self.rare), dialect: dialect),
                Self.groupsKey
            ),
            (
                "summaries of evidence",
                StoreSQL.summaries(ResultFilter(evidenceOnly: true), dialect: dialect),
                Self.groupsKey
            ),
            (
                "summaries in a time window",
                StoreSQL.summaries(
                    ResultFilter(since: base + 1_000, until: base + 2_000, evidenceOnly: true),
                    dialect: dialect
                ),
                "results_measured|results_summary|results_chip_benchmark_measured"
            ),
        ]
    }

    static func servingQueries() -> [(String, (sql: String, values: [any SQLBindable]), String)] {
        var next = ServingResultFilter(chip: rare, limit: 50)
        next.after = cursor
        return [
            ("all", StoreSQL.servingResults(ServingResultFilter(limit: 50)), "serving_results_measured"),
            (
                "chip", StoreSQL.servingResults(ServingResultFilter(chip: rare, limit: 50)),
                "serving_results_chip_measured"
            ),
            (
                "model",
                StoreSQL.servingResults(ServingResultFilter(model: rare, limit: 50)),
                "serving_results_model_measured"
            ),
            (
                "scenario",
                StoreSQL.servingResults(ServingResultFilter(scenario: rare, limit: 50)),
                "serving_results_scenario_measured"
            ),
            (
                "engine",
                StoreSQL.servingResults(ServingResultFilter(engine: rare, limit: 50)),
                "serving_results_engine_measured"
            ),
            (
                "campaign",
                StoreSQL.servingResults(ServingResultFilter(campaign: "verify", limit: 50)),
                "serving_results_campaign_measured"
            ),
            (
                "time window",
                StoreSQL.servingResults(ServingResultFilter(since: base + 1_000, until: base + 2_000, limit: 50)),
                "serving_results_measured"
            ),
            ("chip, next page", StoreSQL.servingResults(next), "serving_results_chip_measured"),
        ]
    }

    static func submissionQueries() -> [(String, (sql: String, values: [any SQLBindable]), String)] {
        var next = SubmissionFilter(vendor: rare, limit: 50)
        next.after = SubmissionCursor(createdAt: base + 10_000, id: "sub-10000")
        return [
            ("all", StoreSQL.submissions(SubmissionFilter(limit: 50)), "submissions_created"),
            (
                "vendor", StoreSQL.submissions(SubmissionFilter(vendor: rare, limit: 50)),
                "submissions_vendor_created|submissions_vendor"
            ),
            (
                "status", StoreSQL.submissions(SubmissionFilter(status: .accepted, limit: 50)),
                "submissions_status_created"
            ),
            ("vendor, next page", StoreSQL.submissions(next), "submissions_vendor_created|submissions_vendor"),
        ]
    }

    /// The primary key of `result_groups` as each database names it.
    static let groupsKey = "result_groups_pkey|sqlite_autoindex_result_groups_1"

    static func page(_ filter: ResultFilter) -> ResultFilter {
        var next = filter
        next.after = cursor
        return next
    }

    @Test(arguments: StoreKind.available)
    func everyListAndTheAggregationReadThroughAnIndex(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            try await Self.fill(store)
            let dialect: SQLDialect = kind == .sqlite ? .sqlite : .postgres
            let queries =
                Self.resultQueries(dialect).map { ("results: \($0.0)", $0.1, $0.2, "results") }
                + Self.servingQueries().map { ("serving: \($0.0)", $0.1, $0.2, "serving_results") }
                + Self.submissionQueries().map { ("submissions: \($0.0)", $0.1, $0.2, "submissions") }
            for (what, statement, index, table) in queries {
                let plan = try await Self.plan(store, statement)
                let text = plan.joined(separator: "\n")
                if ProcessInfo.processInfo.environment["PARITY_PRINT_PLANS"] == "1" {
                    print("PLAN \(kind) \(what):\n\(text)")
                }
                #expect(Self.uses(index, plan, kind: kind), "\(kind) \(what) does not use \(index):\n\(text)")
                #expect(!Self.scansWhole(table, plan, kind: kind), "\(kind) \(what) scans \(table):\n\(text)")
            }
        }
    }

    /// On the same store, the aggregation equals the summaries computed from full rows for each filter the assessment
    /// and the API use. Every median is equal here, so each best row is decided by the tie rule (smallest ID by code
    /// point: `m-10007` before `m-9007`).
    @Test(arguments: StoreKind.available)
    func summariesEqualRowSummariesOnALargerStore(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            try await Self.fill(store)
            let filters = [
                ResultFilter(), ResultFilter(chip: Self.rare), ResultFilter(evidenceOnly: true),
                ResultFilter(visibleTo: "huawei"),
                ResultFilter(benchmark: .gemm, since: Self.base + 5_000, until: Self.base + 9_000),
            ]
            for filter in filters {
                let rows = try await store.results(filter)
                let summaries = try await store.measurementSummaries(filter)
                #expect(summaries == MeasurementSummary.summarize(rows), "\(kind) \(filter)")
                #expect(summaries.reduce(0) { $0 + $1.count } == rows.count)
            }
        }
    }

    /// 24,000 results (8 common chips and a rare one, one a second, 2,400 of them in vendors' submissions), 8,000
    /// serving results and 20,400 submissions, then fresh statistics.
    static func fill(_ store: any ResultStore) async throws {
        var results: [BenchmarkResult] = []
        var serving: [ServingMeasurement] = []
        for index in 0..<24_000 {
            let time = base + Double(index)
            let isRare = index % 500 == 7
            let chip = isRare ? rare : chips[index % chips.count]
            let benchmark: BenchmarkResult.Benchmark =
                isRare ? .gemm : index % 500 == 11 ? .deviceToDevice : index % 2 == 0 ? .gemm : .streamTriad
            var result = StoreFixture.result("m-\(index)", chip: chip, benchmark: benchmark, time: time)
            if index % 97 == 0 { result.check = .failed }
            results.append(result)
            if index % 3 == 0 {
                let isRareServing = index % 1_500 == 0
                serving.append(
                    StoreFixture.serving(
                        "s-\(index)",
                        chip: isRareServing ? rare : chip,
                        model: isRareServing ? rare : index % 2 == 0 ? "deepseek-v3" : "llama-3.1-70b",
                        scenario: isRareServing
                            ? rare : ["ds-decode", "chat-70b", "long-context", "ds-prefill"][index % 4],
                        engine: isRareServing ? rare : ["vllm", "sglang", "trt-llm", "mindie", "lmdeploy"][index % 5],
                        time: time
                    )
                )
            }
        }
        _ = try await store.importResults(Array(results[2_400...]))
        _ = try await store.importServingResults(serving)
        let vendors = ["huawei", "cambricon", "kunlunxin", "moore-threads"]
        for index in 0..<400 {
            var new = StoreFixture.submission(
                "sub-\(index)",
                key: "k-\(index)",
                vendor: vendors[index % vendors.count],
                status: [.draft, .submitted, .rejected][index % 3],
                results: Array(results[(index * 6)..<(index * 6 + 6)])
            )
            new.submission.createdAt = base + Double(index)
            _ = try await store.submit(new)
        }
        // 20,000 more submissions without results, written in one statement batch.
        let sqlStore = try #require(store as? any SQLStore)
        let rows: [[SQLValue]] = (400..<20_400).map { index in
            let isRare = index % 500 == 3
            let values: [any SQLBindable] = [
                "sub-\(index)", "tok-\(index % 7)", isRare ? rare : vendors[index % vendors.count], "k-\(index)",
                isRare ? "accepted" : ["draft", "submitted", "rejected"][index % 3], "0123456789abcdef",
                "parity.results/1", 0, "bundle \(index)", "sha-\(index)", Timestamp.text(base + Double(index)),
            ]
            return values.map(\.sqlValue)
        }
        try await sqlStore.database.transaction { sql in
            try await sql.insert(
                into: "submissions",
                columns: [
                    "id", "submitter", "vendor", "idempotency_key", "status", "key_id", "payload_type", "result_count",
                    "bundle", "bundle_sha256", "created_at",
                ],
                rows: rows
            )
        }
        if let store = store as? SQLiteStore { try await store.execute(unsafeSQL: "ANALYZE") }
        if let store = store as? PostgresStore { try await store.execute(unsafeSQL: "VACUUM ANALYZE") }
    }

    static func plan(
        _ store: any ResultStore,
        _ statement: (sql: String, values: [any SQLBindable])
    ) async throws
        -> [String]
    {
        if let store = store as? SQLiteStore { return try await store.plan(statement.sql, statement.values) }
        if let store = store as? PostgresStore { return try await store.plan(statement.sql, statement.values) }
        throw StoreError.invalid("no plan for \(store.kind)")
    }

    /// SQLite: `SEARCH r USING INDEX name (…)` or `SCAN r USING [COVERING] INDEX name`; PostgreSQL: `Index [Only]
    /// Scan [Backward] using name on …` or `Bitmap Index Scan on name` (the rows of a rare value, then sorted).
    /// `indexes`: one name, or several separated by `|` where either serves the query equally.
    static func uses(_ indexes: String, _ plan: [String], kind: StoreKind) -> Bool {
        indexes.split(separator: "|").contains { index in
            plan.contains { line in
                switch kind {
                case .sqlite: line.contains("INDEX \(index) ") || line.hasSuffix("INDEX \(index)")
                case .postgres: line.contains("using \(index) on") || line.contains("Bitmap Index Scan on \(index) ")
                }
            }
        }
    }

    /// SQLite: `SCAN r` (the listed table's alias, `SCAN submissions` for that list) with no index; PostgreSQL:
    /// `Seq Scan on table`.
    static func scansWhole(_ table: String, _ plan: [String], kind: StoreKind) -> Bool {
        plan.contains { line in
            switch kind {
            case .sqlite:
                let step = line.trimmingCharacters(in: .whitespaces)
                return step == "SCAN r" || step == "SCAN \(table)"
            case .postgres: return line.contains("Seq Scan on \(table) ")
            }
        }
    }
}
