import Foundation
import GRDB
public import Measure

// MARK: - Serving results

extension SQLiteStore {
    public func importServingResults(_ measurements: [ServingMeasurement]) async throws(StoreError) -> ImportSummary {
        let rows = measurements.map(ServingDocument.Row.init)
        let now = Timestamp.text(Date())
        return try await write { db in
            var summary = ImportSummary(inserted: 0, unchanged: 0)
            for row in rows {
                if let stored = try String.fetchOne(
                    db,
                    sql: "SELECT document FROM serving_results WHERE id = ?",
                    arguments: [row.id]
                ) {
                    guard stored == row.document else {
                        throw StoreError.conflict("serving result \(row.id) is already stored with different content")
                    }
                    summary.unchanged += 1
                    continue
                }
                try Self.insertServing(row, submission: nil, storedAt: now, db: db)
                summary.inserted += 1
            }
            return summary
        }
    }

    public func servingResults(_ filter: ServingResultFilter) async throws(StoreError) -> [StoredServingResult] {
        let (query, bound) = Self.filtered(
            "SELECT \(ServingDocument.columns) FROM serving_results r LEFT JOIN submissions s ON s.id = r.submission_id",
            filter.clauses(),
            order: "r.measured_at, r.id",
            limit: filter.limit
        )
        return try await read { db in try Row.fetchAll(db, sql: query, arguments: bound).map(Self.storedServing) }
    }

    public func servingResult(id: String) async throws(StoreError) -> StoredServingResult? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(ServingDocument.columns) FROM serving_results r "
                    + "LEFT JOIN submissions s ON s.id = r.submission_id WHERE r.id = ?",
                arguments: [id]
            ).map(Self.storedServing)
        }
    }

    static func storedServing(_ row: Row) throws -> StoredServingResult {
        try ServingDocument.stored(
            document: row[0],
            submissionID: row[1],
            status: row[2],
            vendor: row[3],
            campaign: row[4],
            storedAt: row[5],
            rowID: row[6]
        )
    }

    static func insertServing(
        _ row: ServingDocument.Row,
        submission: String?,
        campaign: String? = nil,
        storedAt: String,
        db: Database
    ) throws {
        try db.cachedStatement(sql: ServingDocument.insertSQL).execute(
            arguments: [
                row.id, row.chip, row.chips, row.model, row.scenario, row.engine, row.engineVersion,
                row.outputThroughput, row.measuredAt, submission, campaign, row.document, storedAt,
            ]
        )
    }

    /// Throws a conflict when any of `ids` is already a serving result.
    static func checkServingIDsFree(_ ids: [String], db: Database) throws {
        for id in ids {
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM serving_results WHERE id = ?", arguments: [id]) == true {
                throw StoreError.conflict("serving result \(id) is already stored")
            }
        }
    }

    /// A campaign task's serving document as typed rows (nothing when it cannot be converted).
    static func insertCampaignServing(
        campaign: String,
        task: String,
        document: Data,
        storedAt: String,
        db: Database
    ) throws -> Int {
        let rows = (ServingDocument.campaignMeasurements(campaign: campaign, task: task, document: document) ?? [])
            .map(ServingDocument.Row.init)
        try checkServingIDsFree(rows.map(\.id), db: db)
        for row in rows { try insertServing(row, submission: nil, campaign: campaign, storedAt: storedAt, db: db) }
        return rows.count
    }

    /// Migration 005's data step: every campaign task's stored serving document becomes typed rows.
    static func convertCampaignDocuments(_ db: Database) throws {
        for row in try Row.fetchAll(
            db,
            sql: "SELECT campaign, task, document, updated_at FROM campaign_tasks WHERE document IS NOT NULL "
                + "ORDER BY campaign, task"
        ) {
            _ = try insertCampaignServing(
                campaign: row[0],
                task: row[1],
                document: Data((row[2] as String).utf8),
                storedAt: row[3],
                db: db
            )
        }
    }
}
