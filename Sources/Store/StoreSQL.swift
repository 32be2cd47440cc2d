import Foundation
import Measure

/// Statements several operations share, written once over the SQL layer.
enum StoreSQL {
    /// IDs per `IN (…)` list: far below both databases' bind limits, and few enough that a batch of 5,000 needs 5.
    static let idsPerLookup = 1_000

    // MARK: - Lists

    /// The statement of `results(_:)`.
    static func results(_ filter: ResultFilter) -> (sql: String, values: [any SQLBindable]) {
        list(
            "SELECT \(Columns.result) FROM results r LEFT JOIN submissions s ON s.id = r.submission_id",
            filter.clauses(),
            order: "r.measured_at, r.id",
            limit: filter.limit
        )
    }

    /// The statement of `servingResults(_:)`.
    static func servingResults(_ filter: ServingResultFilter) -> (sql: String, values: [any SQLBindable]) {
        list(
            "SELECT \(ServingDocument.columns) FROM serving_results r LEFT JOIN submissions s ON s.id = r.submission_id",
            filter.clauses(),
            order: "r.measured_at, r.id",
            limit: filter.limit
        )
    }

    /// The statement of `submissions(_:)`: newest first.
    static func submissions(_ filter: SubmissionFilter) -> (sql: String, values: [any SQLBindable]) {
        list(
            "SELECT \(Columns.submission) FROM submissions",
            filter.clauses(),
            order: "created_at DESC, id",
            limit: filter.limit
        )
    }

    /// A page of a list ordered by `created_at`, then ID (newest or oldest first): equality conditions, the keyset
    /// cursor as a range on the time plus a tie-break, and an optional limit.
    static func page(
        _ select: String,
        _ equal: [(clause: String, value: String)],
        newestFirst: Bool,
        limit: Int?,
        after: CreationCursor?
    ) -> (sql: String, values: [any SQLBindable]) {
        var clauses = equal.map(\.clause)
        var values = equal.map(\.value)
        if let after {
            let time = Timestamp.text(after.createdAt)
            clauses.append(newestFirst ? "created_at <= ?" : "created_at >= ?")
            clauses.append(newestFirst ? "(created_at < ? OR id > ?)" : "(created_at > ? OR id > ?)")
            values += [time, time, after.id]
        }
        return list(
            select,
            (clauses, values),
            order: newestFirst ? "created_at DESC, id" : "created_at, id",
            limit: limit
        )
    }

    /// A list `SELECT` with the filter's `WHERE` clauses, the list order (the one its keyset cursor follows) and an
    /// optional limit, every value bound.
    static func list(
        _ select: String,
        _ clauses: (sql: [String], values: [String]),
        order: String,
        limit: Int?
    ) -> (sql: String, values: [any SQLBindable]) {
        var sql = select
        if !clauses.sql.isEmpty { sql += " WHERE " + clauses.sql.joined(separator: " AND ") }
        sql += " ORDER BY " + order
        var values: [any SQLBindable] = clauses.values
        if let limit {
            sql += " LIMIT ?"
            values.append(limit)
        }
        return (sql, values)
    }

    /// Which of `rows` (by index) are new. A row whose ID is stored, or earlier in `rows`, with the same document is
    /// unchanged; with another document it is a conflict, and the caller's transaction writes nothing. Stored IDs
    /// are read in a few `IN (…)` lookups, not one statement per row.
    static func newRows(
        _ rows: [(id: String, document: String)],
        table: String,
        what: String,
        _ sql: any SQLExecutor
    ) async throws -> (new: [Int], unchanged: Int) {
        var known: [String: String] = [:]
        let ids = rows.map(\.id)
        for start in stride(from: 0, to: ids.count, by: idsPerLookup) {
            let part = Array(ids[start..<min(ids.count, start + idsPerLookup)])
            for row in try await sql.query(
                "SELECT id, document FROM \(table) WHERE id IN (\(SQLDialect.placeholders(part.count)))",
                part
            ) {
                known[try row.text(0)] = try row.text(1)
            }
        }
        var new: [Int] = []
        var unchanged = 0
        for (index, row) in rows.enumerated() {
            if let stored = known[row.id] {
                guard stored == row.document else {
                    throw StoreError.conflict("\(what) \(row.id) is already stored with different content")
                }
                unchanged += 1
                continue
            }
            known[row.id] = row.document
            new.append(index)
        }
        return (new, unchanged)
    }

    /// Throws a conflict naming one of `ids` that `table` already holds.
    static func requireFree(_ ids: [String], table: String, what: String, _ sql: any SQLExecutor) async throws {
        for start in stride(from: 0, to: ids.count, by: idsPerLookup) {
            let part = Array(ids[start..<min(ids.count, start + idsPerLookup)])
            if let taken = try await sql.query(
                "SELECT id FROM \(table) WHERE id IN (\(SQLDialect.placeholders(part.count))) LIMIT 1",
                part
            ).first {
                throw StoreError.conflict("\(what) \(try taken.text(0)) is already stored")
            }
        }
    }

    // MARK: - Summaries

    /// The statement of `measurementSummaries`: over the rows `filter` admits (its `limit` and `after` do not apply),
    /// per chip × benchmark × precision (`''` for none), the group's size, its passing rows, and its best passing row
    /// — the highest median, ties to the smallest ID by code point, as `MeasurementSummary.summarize` picks — with
    /// the columns of `Columns.result`, NULL when none passed. Without a time window it reads the groups kept in
    /// `result_groups`; with one, it aggregates the window's rows. The filter's values are bound twice, once per use.
    static func summaries(_ filter: ResultFilter, dialect: SQLDialect) -> (sql: String, values: [any SQLBindable]) {
        filter.since == nil && filter.until == nil
            ? groupSummaries(filter, dialect: dialect) : rowSummaries(filter, dialect: dialect)
    }

    /// The summaries from `result_groups` (migration 007): a few rows per chip × benchmark × precision, one per
    /// origin, whatever the number of results. Serves every filter without a time window.
    static func groupSummaries(
        _ filter: ResultFilter,
        dialect: SQLDialect
    ) -> (
        sql: String, values: [any SQLBindable]
    ) {
        var clauses: [String] = []
        var values: [String] = []
        if let chip = filter.chip {
            clauses.append("rg.chip = ?")
            values.append(chip)
        }
        if let benchmark = filter.benchmark {
            clauses.append("rg.benchmark = ?")
            values.append(benchmark.rawValue)
        }
        if let vendor = filter.visibleTo {
            clauses.append("(rg.origin = '' OR s.status = 'accepted' OR s.vendor = ?)")
            values.append(vendor)
        }
        if filter.evidenceOnly { clauses.append("(rg.origin = '' OR s.status = 'accepted')") }
        let from = "FROM result_groups rg LEFT JOIN submissions s ON s.id = rg.origin"
        let sql = summaryStatement(
            groups: """
                SELECT rg.chip, rg.benchmark, rg.precision, CAST(SUM(rg.total) AS BIGINT) AS total, \
                CAST(SUM(rg.passed) AS BIGINT) AS passed, MAX(rg.best) AS best \
                \(from)\(clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")) \
                GROUP BY rg.chip, rg.benchmark, rg.precision
                """,
            from: from,
            bestID: "rg.best_id",
            best: clauses + [
                "rg.chip = a.chip", "rg.benchmark = a.benchmark", "rg.precision = a.precision", "rg.best = a.best",
            ],
            dialect: dialect
        )
        return (sql, values + values)
    }

    /// The summaries aggregated from the rows themselves, through the `results_summary` index: for filters with a
    /// time window, which `result_groups` cannot answer.
    static func rowSummaries(_ filter: ResultFilter, dialect: SQLDialect) -> (sql: String, values: [any SQLBindable]) {
        var all = filter
        all.limit = nil
        all.after = nil
        let clauses = all.clauses()
        let from = "FROM results r LEFT JOIN submissions s ON s.id = r.submission_id"
        let precision = "COALESCE(r.precision, '')"
        let sql = summaryStatement(
            groups: """
                SELECT r.chip, r.benchmark, \(precision) AS precision, COUNT(*) AS total, SUM(r.passing) AS passed, \
                MAX(CASE WHEN r.passing = 1 THEN r.median END) AS best \
                \(from)\(clauses.sql.isEmpty ? "" : " WHERE " + clauses.sql.joined(separator: " AND ")) \
                GROUP BY r.chip, r.benchmark, \(precision)
                """,
            from: from,
            bestID: "r.id",
            best: clauses.sql + [
                "r.chip = a.chip", "r.benchmark = a.benchmark", "\(precision) = a.precision", "r.passing = 1",
                "r.median = a.best",
            ],
            dialect: dialect
        )
        let values: [any SQLBindable] = clauses.values + clauses.values
        return (sql, values)
    }

    /// What both summary statements share: the groups (`groups`: chip, benchmark, precision, total, passed, best)
    /// are materialized first; each group's best row ID is the smallest `bestID` by code point among the rows of
    /// `from` that meet `best`; then each best row is fetched by that ID (one index lookup per group, not a join of
    /// the groups against the whole table) with the columns of `Columns.result`.
    static func summaryStatement(
        groups: String,
        from: String,
        bestID: String,
        best: [String],
        dialect: SQLDialect
    ) -> String {
        """
        WITH g AS MATERIALIZED (SELECT a.chip, a.benchmark, a.precision, a.total, a.passed, \
        (SELECT MIN(\(bestID) \(dialect.codePointCollation)) \(from) WHERE \(best.joined(separator: " AND "))) \
        \(dialect.columnCollation) AS best_id FROM (\(groups)) a) \
        SELECT g.chip, g.benchmark, g.precision, g.total, g.passed, \(Columns.result) \
        FROM g LEFT JOIN results r ON r.id = g.best_id LEFT JOIN submissions s ON s.id = r.submission_id
        """
    }

    // MARK: - Inserts shared by operations

    static func insertResults(
        _ rows: [ResultDocument.Row],
        submission: String?,
        campaign: String?,
        storedAt: String,
        _ sql: any SQLExecutor
    ) async throws {
        try await sql.insert(
            into: "results",
            columns: ResultDocument.Row.columns,
            rows: rows.map { $0.values(submission: submission, campaign: campaign, storedAt: storedAt) }
        )
        try await addToResultGroups(rows, origin: submission ?? "", sql)
    }

    /// Adds stored rows to their `result_groups` (migration 007) in the same transaction: one upsert per group the
    /// rows touch, merging counts and keeping the higher best median (on a tie, the smaller ID in code-point order,
    /// as the aggregation over rows picks it).
    static func addToResultGroups(_ rows: [ResultDocument.Row], origin: String, _ sql: any SQLExecutor) async throws {
        let upsert = """
            INSERT INTO result_groups (chip, benchmark, precision, origin, total, passed, best, best_id) \
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (chip, benchmark, precision, origin) DO UPDATE SET \
            total = result_groups.total + excluded.total, passed = result_groups.passed + excluded.passed, \
            best = CASE WHEN result_groups.best IS NULL OR excluded.best > result_groups.best THEN excluded.best \
            ELSE result_groups.best END, \
            best_id = CASE WHEN result_groups.best IS NULL OR excluded.best > result_groups.best \
            THEN excluded.best_id WHEN excluded.best = result_groups.best \
            AND excluded.best_id \(sql.dialect.codePointCollation) < result_groups.best_id THEN excluded.best_id \
            ELSE result_groups.best_id END
            """
        for group in ResultGroup.of(rows) {
            try await sql.execute(
                upsert,
                [
                    group.chip, group.benchmark, group.precision, origin, group.total, group.passed, group.best,
                    group.bestID,
                ]
            )
        }
    }

    /// Migration 007: `result_groups` from every stored result.
    static func summarizeResultGroups(_ sql: any SQLExecutor) async throws {
        let precision = "COALESCE(r.precision, '')"
        let origin = "COALESCE(r.submission_id, '')"
        try await sql.execute(
            """
            INSERT INTO result_groups (chip, benchmark, precision, origin, total, passed, best, best_id) \
            SELECT a.chip, a.benchmark, a.precision, a.origin, a.total, a.passed, a.best, \
            (SELECT MIN(r.id \(sql.dialect.codePointCollation)) FROM results r WHERE r.chip = a.chip \
            AND r.benchmark = a.benchmark AND \(precision) = a.precision AND \(origin) = a.origin AND r.passing = 1 \
            AND r.median = a.best) \(sql.dialect.columnCollation) \
            FROM (SELECT r.chip, r.benchmark, \(precision) AS precision, \(origin) AS origin, COUNT(*) AS total, \
            SUM(r.passing) AS passed, MAX(CASE WHEN r.passing = 1 THEN r.median END) AS best FROM results r \
            GROUP BY r.chip, r.benchmark, \(precision), \(origin)) a
            """
        )
    }

    static func insertServing(
        _ rows: [ServingDocument.Row],
        submission: String?,
        campaign: String?,
        storedAt: String,
        _ sql: any SQLExecutor
    ) async throws {
        try await sql.insert(
            into: "serving_results",
            columns: ServingDocument.insertColumns,
            rows: rows.map { $0.values(submission: submission, campaign: campaign, storedAt: storedAt) }
        )
    }

    /// A campaign task's serving document as typed rows (nothing when it cannot be converted).
    static func insertCampaignServing(
        campaign: String,
        task: String,
        document: Data,
        storedAt: String,
        _ sql: any SQLExecutor
    ) async throws {
        let rows = (ServingDocument.campaignMeasurements(campaign: campaign, task: task, document: document) ?? [])
            .map(ServingDocument.Row.init)
        try await requireFree(rows.map(\.id), table: "serving_results", what: "serving result", sql)
        try await insertServing(rows, submission: nil, campaign: campaign, storedAt: storedAt, sql)
    }

    // MARK: - Migration data steps

    /// Migration 005: every campaign task's stored serving document becomes typed rows.
    static func convertCampaignDocuments(_ sql: any SQLExecutor) async throws {
        for row in try await sql.query(
            "SELECT campaign, task, document, updated_at FROM campaign_tasks WHERE document IS NOT NULL "
                + "ORDER BY campaign, task"
        ) {
            try await insertCampaignServing(
                campaign: try row.text(0),
                task: try row.text(1),
                document: Data(try row.text(2).utf8),
                storedAt: try row.text(3),
                sql
            )
        }
    }

    /// Migration 006: `passing = 0` for every result whose document says its check failed. Only documents that
    /// contain the word can (the check is written as `"check":"failed"`), so the rest are not decoded.
    static func recordFailedChecks(_ sql: any SQLExecutor) async throws {
        var failed: [String] = []
        for row in try await sql.query("SELECT id, document FROM results WHERE document LIKE '%failed%'") {
            let id = try row.text(0)
            if try ResultDocument.result(try row.text(1), id: id).check == .failed { failed.append(id) }
        }
        for start in stride(from: 0, to: failed.count, by: idsPerLookup) {
            let part = Array(failed[start..<min(failed.count, start + idsPerLookup)])
            try await sql.execute(
                "UPDATE results SET passing = 0 WHERE id IN (\(SQLDialect.placeholders(part.count)))",
                part
            )
        }
    }
}
