import Foundation
import Logging
public import Measure
import PostgresNIO

// MARK: - Serving results

extension PostgresStore {
    public func importServingResults(_ measurements: [ServingMeasurement]) async throws(StoreError) -> ImportSummary {
        let rows = measurements.map(ServingDocument.Row.init)
        let now = Timestamp.text(Date())
        return try await write { connection, logger in
            var summary = ImportSummary(inserted: 0, unchanged: 0)
            for row in rows {
                var stored: String?
                for try await document in try await connection.query(
                    "SELECT document FROM serving_results WHERE id = \(row.id)",
                    logger: logger
                ).decode(String.self) {
                    stored = document
                }
                if let stored {
                    guard stored == row.document else {
                        throw StoreError.conflict("serving result \(row.id) is already stored with different content")
                    }
                    summary.unchanged += 1
                    continue
                }
                try await Self.insertServing(row, submission: nil, storedAt: now, on: connection, logger: logger)
                summary.inserted += 1
            }
            return summary
        }
    }

    public func servingResults(_ filter: ServingResultFilter) async throws(StoreError) -> [StoredServingResult] {
        let (clauses, values) = filter.clauses()
        var sql =
            "SELECT \(ServingDocument.columns) FROM serving_results r LEFT JOIN submissions s ON s.id = r.submission_id"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY r.measured_at, r.id"
        return try await rows(Self.query(sql, values: values, limit: filter.limit), Self.storedServing)
    }

    public func servingResult(id: String) async throws(StoreError) -> StoredServingResult? {
        let sql =
            "SELECT \(ServingDocument.columns) FROM serving_results r LEFT JOIN submissions s "
            + "ON s.id = r.submission_id WHERE r.id = ?"
        return try await rows(Self.query(sql, values: [id]), Self.storedServing).first
    }

    static func storedServing(_ row: PostgresRow) throws -> StoredServingResult {
        let (document, submission, status, vendor, campaign, storedAt, rowID) = try row.decode(
            (String, String?, String?, String?, String?, String, String).self
        )
        return try ServingDocument.stored(
            document: document,
            submissionID: submission,
            status: status,
            vendor: vendor,
            campaign: campaign,
            storedAt: storedAt,
            rowID: rowID
        )
    }

    static func insertServing(
        _ row: ServingDocument.Row,
        submission: String?,
        campaign: String? = nil,
        storedAt: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO serving_results (id, chip, chips, model, scenario, engine, engine_version, output_throughput, \
            measured_at, submission_id, campaign, document, stored_at) VALUES (\(row.id), \(row.chip), \(row.chips), \
            \(row.model), \(row.scenario), \(row.engine), \(row.engineVersion), \(row.outputThroughput), \
            \(row.measuredAt), \(submission), \(campaign), \(row.document), \(storedAt))
            """,
            logger: logger
        )
    }

    /// Throws a conflict when any of `ids` is already a serving result.
    static func checkServingIDsFree(
        _ ids: [String],
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        guard !ids.isEmpty else { return }
        for try await taken in try await connection.query(
            "SELECT id FROM serving_results WHERE id = ANY(\(ids)) LIMIT 1",
            logger: logger
        ).decode(String.self) {
            throw StoreError.conflict("serving result \(taken) is already stored")
        }
    }

    /// A campaign task's serving document as typed rows (nothing when it cannot be converted).
    static func insertCampaignServing(
        campaign: String,
        task: String,
        document: Data,
        storedAt: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        let rows = (ServingDocument.campaignMeasurements(campaign: campaign, task: task, document: document) ?? [])
            .map(ServingDocument.Row.init)
        try await checkServingIDsFree(rows.map(\.id), on: connection, logger: logger)
        for row in rows {
            try await insertServing(
                row,
                submission: nil,
                campaign: campaign,
                storedAt: storedAt,
                on: connection,
                logger: logger
            )
        }
    }

    /// Migration 005's data step: every campaign task's stored serving document becomes typed rows.
    static func convertCampaignDocuments(on connection: PostgresConnection, logger: Logger) async throws {
        var documents: [(String, String, String, String)] = []
        for try await row in try await connection.query(
            """
            SELECT campaign, task, document, updated_at FROM campaign_tasks WHERE document IS NOT NULL \
            ORDER BY campaign, task
            """,
            logger: logger
        ).decode((String, String, String, String).self) {
            documents.append(row)
        }
        for (campaign, task, document, updated) in documents {
            try await insertCampaignServing(
                campaign: campaign,
                task: task,
                document: Data(document.utf8),
                storedAt: updated,
                on: connection,
                logger: logger
            )
        }
    }
}
