import Foundation

// MARK: - Submissions

extension SQLStore {
    public func submit(_ new: NewSubmission) async throws(StoreError) -> SubmitOutcome {
        let submission = new.submission
        let bundle = String(decoding: new.bundle, as: UTF8.self)
        let digest = TokenSecret.sha256(new.bundle)
        let rows = ResultDocument.Row.rows(new)
        let servingRows = ServingDocument.Row.rows(new)
        return try await database.transaction { sql in
            /// The outcome when the submitter already used the key: a replay of the same bundle, else a conflict.
            @Sendable func stored() async throws -> SubmitOutcome? {
                guard
                    let existing = try await sql.query(
                        "SELECT \(Columns.submission), bundle_sha256 FROM submissions "
                            + "WHERE submitter = ? AND idempotency_key = ?",
                        submission.submitter,
                        submission.idempotencyKey
                    ).first
                else { return nil }
                guard try existing.text(12) == digest else {
                    throw StoreError.conflict(
                        "idempotency key '\(submission.idempotencyKey)' was already used for a different bundle"
                    )
                }
                return .replayed(try Columns.submission(existing))
            }
            if let outcome = try await stored() { return outcome }
            do {
                try await StoreSQL.requireFree(rows.map(\.id), table: "results", what: "result", sql)
                try await StoreSQL.requireFree(
                    servingRows.map(\.id),
                    table: "serving_results",
                    what: "serving result",
                    sql
                )
            } catch {
                // A concurrent call may have stored this very submission since the check above (on PostgreSQL each
                // statement reads what is committed when it starts): then it is a replay, not a conflict.
                if let outcome = try await stored() { return outcome }
                throw error
            }
            let created = Timestamp.text(submission.createdAt)
            try await sql.execute(
                """
                INSERT INTO submissions (id, submitter, vendor, idempotency_key, status, reason, reviewer, key_id, \
                payload_type, result_count, bundle, bundle_sha256, created_at, reviewed_at) \
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)
                """,
                submission.id,
                submission.submitter,
                submission.vendor,
                submission.idempotencyKey,
                submission.status.rawValue,
                submission.reason,
                submission.reviewer,
                submission.keyID,
                submission.payloadType,
                rows.count + servingRows.count,
                bundle,
                digest,
                created
            )
            try await StoreSQL.insertResults(rows, submission: submission.id, campaign: nil, storedAt: created, sql)
            try await StoreSQL.insertServing(
                servingRows,
                submission: submission.id,
                campaign: nil,
                storedAt: created,
                sql
            )
            var stored = submission
            stored.resultCount = rows.count + servingRows.count
            return .created(stored)
        }
    }

    public func submissions(_ filter: SubmissionFilter) async throws(StoreError) -> [Submission] {
        let (sql, values) = StoreSQL.submissions(filter)
        return try await database.query(sql, values).map { row throws(StoreError) in try Columns.submission(row) }
    }

    public func submission(id: String) async throws(StoreError) -> Submission? {
        try await database.query("SELECT \(Columns.submission) FROM submissions WHERE id = ?", id).first.map {
            row throws(StoreError) in try Columns.submission(row)
        }
    }

    public func updateSubmission(
        id: String,
        to status: Submission.Status,
        reason: String?,
        reviewer: String?,
        at time: Date
    ) async throws(StoreError) -> Submission {
        let stamp = Timestamp.text(time)
        return try await database.transaction { sql in
            guard
                let row = try await sql.query(
                    "SELECT \(Columns.submission) FROM submissions WHERE id = ?\(sql.dialect.forUpdate)",
                    id
                ).first
            else { throw StoreError.notFound("no submission \(id)") }
            var submission = try Columns.submission(row)
            guard submission.status.canMove(to: status) else {
                throw StoreError.invalid(
                    "submission \(id) is \(submission.status.rawValue); it cannot become \(status.rawValue)"
                )
            }
            submission.status = status
            if reviewer != nil {
                submission.reason = reason
                submission.reviewer = reviewer
                submission.reviewedAt = try Timestamp.date(stamp)
            }
            try await sql.execute(
                "UPDATE submissions SET status = ?, reason = ?, reviewer = ?, reviewed_at = ? WHERE id = ?",
                status.rawValue,
                submission.reason,
                submission.reviewer,
                submission.reviewedAt.map(Timestamp.text),
                id
            )
            return submission
        }
    }
}
