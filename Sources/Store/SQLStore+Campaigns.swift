import Foundation
import Measure

// MARK: - Campaigns

extension SQLStore {
    public func registerCampaign(_ campaign: StoredCampaign) async throws(StoreError) -> StoredCampaign {
        try await database.transaction { sql in
            try await sql.execute(
                "INSERT INTO campaigns (\(Columns.campaign)) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
                campaign.name,
                campaign.plan,
                campaign.overrideReason,
                Timestamp.text(campaign.createdAt)
            )
            guard
                let row = try await sql.query("SELECT \(Columns.campaign) FROM campaigns WHERE name = ?", campaign.name)
                    .first
            else { throw StoreError.notFound("no campaign \(campaign.name)") }
            return try Columns.campaign(row)
        }
    }

    public func campaign(name: String) async throws(StoreError) -> StoredCampaign? {
        try await database.query("SELECT \(Columns.campaign) FROM campaigns WHERE name = ?", name).first.map {
            row throws(StoreError) in try Columns.campaign(row)
        }
    }

    public func completeCampaignTask(
        campaign: String,
        task: String,
        index: Int,
        results: [BenchmarkResult],
        document: Data?,
        at time: Date
    ) async throws(StoreError) -> TaskCompletion {
        let text = document.map { String(decoding: $0, as: UTF8.self) }
        let rows = results.map(ResultDocument.Row.init)
        let stamp = Timestamp.text(time)
        return try await database.transaction { sql in
            let existing = try await sql.query(
                "SELECT state, attempts FROM campaign_tasks WHERE campaign = ? AND task = ?\(sql.dialect.forUpdate)",
                campaign,
                task
            ).first
            if let existing, try existing.text(0) == "done" { return TaskCompletion.alreadyDone }
            do {
                try await StoreSQL.requireFree(rows.map(\.id), table: "results", what: "result", sql)
            } catch {
                // A concurrent completion of the same task may have committed since the read above.
                if try await sql.query(
                    "SELECT state FROM campaign_tasks WHERE campaign = ? AND task = ? AND state = 'done'",
                    campaign,
                    task
                ).first != nil {
                    return TaskCompletion.alreadyDone
                }
                throw error
            }
            try await StoreSQL.insertResults(rows, submission: nil, campaign: campaign, storedAt: stamp, sql)
            if let document {
                try await StoreSQL.insertCampaignServing(
                    campaign: campaign,
                    task: task,
                    document: document,
                    storedAt: stamp,
                    sql
                )
            }
            let attempts = (try existing?.integer(1) ?? 0) + 1
            try await sql.execute(
                """
                INSERT INTO campaign_tasks (\(Columns.campaignTask), document) \
                VALUES (?, ?, ?, 'done', ?, NULL, ?, ?, ?) ON CONFLICT (campaign, task) DO UPDATE SET state = 'done', \
                attempts = excluded.attempts, cause = NULL, result_count = excluded.result_count, \
                updated_at = excluded.updated_at, document = excluded.document
                """,
                campaign,
                task,
                index,
                attempts,
                rows.count,
                stamp,
                text
            )
            return TaskCompletion.stored(rows.count)
        }
    }

    public func recordCampaignTask(
        campaign: String,
        task: String,
        index: Int,
        state: CampaignTaskRecord.State,
        cause: String,
        at time: Date
    ) async throws(StoreError) {
        let stamp = Timestamp.text(time)
        try await database.transaction { sql in
            try await sql.execute(
                """
                INSERT INTO campaign_tasks (\(Columns.campaignTask)) VALUES (?, ?, ?, ?, 1, ?, 0, ?) \
                ON CONFLICT (campaign, task) DO UPDATE SET state = excluded.state, \
                attempts = campaign_tasks.attempts + 1, cause = excluded.cause, updated_at = excluded.updated_at \
                WHERE campaign_tasks.state <> 'done'
                """,
                campaign,
                task,
                index,
                state.rawValue,
                cause,
                stamp
            )
        }
    }

    public func campaignTasks(campaign: String) async throws(StoreError) -> [CampaignTaskRecord] {
        try await database.query(
            "SELECT \(Columns.campaignTask) FROM campaign_tasks WHERE campaign = ? ORDER BY task_index",
            campaign
        ).map { row throws(StoreError) in try Columns.campaignTask(row) }
    }

    public func campaignDocuments(campaign: String) async throws(StoreError) -> [String: Data] {
        var documents: [String: Data] = [:]
        for row in try await database.query(
            "SELECT task, document FROM campaign_tasks WHERE campaign = ? AND document IS NOT NULL",
            campaign
        ) {
            documents[try row.text(0)] = Data(try row.text(1).utf8)
        }
        return documents
    }

    public func campaignResults(campaign: String) async throws(StoreError) -> [BenchmarkResult] {
        try await database.query("SELECT id, document FROM results WHERE campaign = ? ORDER BY id", campaign).map {
            row throws(StoreError) in try ResultDocument.result(try row.text(1), id: try row.text(0))
        }
    }
}
