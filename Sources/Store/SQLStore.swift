import Catalogue
import Foundation
import Measure

/// Every `ResultStore` operation, written once over the SQL layer (`SQLDatabase`). `SQLiteStore` and `PostgresStore`
/// only open their database; what differs between the two lives in `SQLDialect` and the two `SQLDatabase`s.
protocol SQLStore: ResultStore {
    var database: any SQLDatabase { get }
}

extension SQLStore {
    public var kind: String { database.dialect.rawValue }

    public func run() async throws {
        try await database.run()
    }

    public func close() async {
        await database.close()
    }

    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await database.query(database.dialect.appliedMigrations).map { row throws(StoreError) in
            try row.text(0)
        }
    }

    public func ping() async throws(StoreError) {
        _ = try await database.query("SELECT 1")
    }

    public func refreshStatistics() async throws(StoreError) {
        try await database.transaction { sql in
            for statement in sql.dialect.statisticsRefresh { try await sql.execute(statement) }
        }
    }

    /// Applies the pending ones of `migrations`, in order, in one transaction under the dialect's migration lock.
    func migrate(_ migrations: [Migrations.Migration], location: String) async throws(StoreError) {
        do {
            try await database.transaction { sql in
                for statement in sql.dialect.migrationLock { try await sql.execute(statement) }
                try await sql.execute(sql.dialect.createMigrationTable)
                let applied = Set(try await sql.query(sql.dialect.appliedMigrations).map { try $0.text(0) })
                for migration in migrations where !applied.contains(migration.id) {
                    for statement in migration.statements { try await sql.execute(statement) }
                    for step in migration.dataSteps {
                        switch step {
                        case .convertCampaignDocuments: try await StoreSQL.convertCampaignDocuments(sql)
                        case .recordFailedChecks: try await StoreSQL.recordFailedChecks(sql)
                        case .summarizeResultGroups: try await StoreSQL.summarizeResultGroups(sql)
                        }
                    }
                    let record = sql.dialect.recordMigration(migration.id, at: Timestamp.text(Date()))
                    try await sql.execute(record.sql, record.values)
                }
            }
        } catch {
            if case .unavailable(let message) = error, message.hasPrefix("cannot connect") { throw error }
            throw .migration("\(location): \(error.description)")
        }
    }

    // MARK: - Results

    public func importResults(_ results: [BenchmarkResult]) async throws(StoreError) -> ImportSummary {
        let rows = results.map(ResultDocument.Row.init)
        let now = Timestamp.text(Date())
        return try await database.transaction { sql in
            let (new, unchanged) = try await StoreSQL.newRows(
                rows.map { ($0.id, $0.document) },
                table: "results",
                what: "result",
                sql
            )
            try await StoreSQL.insertResults(new.map { rows[$0] }, submission: nil, campaign: nil, storedAt: now, sql)
            return ImportSummary(inserted: new.count, unchanged: unchanged)
        }
    }

    public func results(_ filter: ResultFilter) async throws(StoreError) -> [StoredResult] {
        let (sql, values) = StoreSQL.results(filter)
        return try await database.query(sql, values).map { row throws(StoreError) in try Columns.storedResult(row) }
    }

    public func resultTexts(_ filter: ResultFilter) async throws(StoreError) -> [StoredResultText] {
        let (sql, values) = StoreSQL.results(filter)
        return try await database.query(sql, values).map { row throws(StoreError) in
            StoredResultText(
                id: try row.text(5),
                document: try row.text(0),
                submissionID: try row.optionalText(1),
                status: try row.optionalText(2).flatMap(Submission.Status.init(rawValue:)),
                vendor: try row.optionalText(3),
                storedAt: try Columns.date(row, 4),
                measuredAt: try Columns.date(row, 6)
            )
        }
    }

    public func result(id: String) async throws(StoreError) -> StoredResult? {
        try await database.query(
            "SELECT \(Columns.result) FROM results r LEFT JOIN submissions s ON s.id = r.submission_id WHERE r.id = ?",
            id
        ).first.map { row throws(StoreError) in try Columns.storedResult(row) }
    }

    public func measurementSummaries(_ filter: ResultFilter) async throws(StoreError) -> [MeasurementSummary] {
        let (sql, values) = StoreSQL.summaries(filter, dialect: database.dialect)
        return try await database.query(sql, values).map { row throws(StoreError) in
            let benchmark = try row.text(1)
            guard let parsed = BenchmarkResult.Benchmark(rawValue: benchmark) else {
                throw .invalid("stored results have unknown benchmark '\(benchmark)'")
            }
            return MeasurementSummary(
                chip: try row.text(0),
                benchmark: parsed,
                precision: Precision(rawValue: try row.text(2)),
                count: try row.integer(3),
                passing: try row.integer(4),
                best: row.isNull(5) ? nil : try Columns.storedResult(row, from: 5)
            )
        }.sorted {
            ($0.chip, $0.benchmark.rawValue, $0.precision?.rawValue ?? "")
                < ($1.chip, $1.benchmark.rawValue, $1.precision?.rawValue ?? "")
        }
    }

    // MARK: - Serving results

    public func importServingResults(_ measurements: [ServingMeasurement]) async throws(StoreError) -> ImportSummary {
        let rows = measurements.map(ServingDocument.Row.init)
        let now = Timestamp.text(Date())
        return try await database.transaction { sql in
            let (new, unchanged) = try await StoreSQL.newRows(
                rows.map { ($0.id, $0.document) },
                table: "serving_results",
                what: "serving result",
                sql
            )
            try await StoreSQL.insertServing(new.map { rows[$0] }, submission: nil, campaign: nil, storedAt: now, sql)
            return ImportSummary(inserted: new.count, unchanged: unchanged)
        }
    }

    public func servingResults(_ filter: ServingResultFilter) async throws(StoreError) -> [StoredServingResult] {
        let (sql, values) = StoreSQL.servingResults(filter)
        return try await database.query(sql, values).map { row throws(StoreError) in try ServingDocument.stored(row) }
    }

    public func servingResult(id: String) async throws(StoreError) -> StoredServingResult? {
        try await database.query(
            "SELECT \(ServingDocument.columns) FROM serving_results r LEFT JOIN submissions s "
                + "ON s.id = r.submission_id WHERE r.id = ?",
            id
        ).first.map { row throws(StoreError) in try ServingDocument.stored(row) }
    }
}
