import Catalogue
import Foundation
import Measure

/// The JSON text a result row keeps: the measurement exactly as `ResultFile` writes it.
enum ResultDocument {
    static func text(_ result: BenchmarkResult) -> String {
        String(decoding: ResultFile.encode([result]).dropLast(), as: UTF8.self)
    }

    static func result(_ text: String, id: String) throws(StoreError) -> BenchmarkResult {
        do {
            guard let result = try ResultFile.decode(Data(text.utf8), path: "stored result \(id)").first else {
                throw StoreError.invalid("stored result \(id) is empty")
            }
            return result
        } catch let error as StoreError {
            throw error
        } catch {
            throw .invalid("stored result \(id) cannot be read: \(error)")
        }
    }

    /// The fields of one result row, in `INSERT` order.
    struct Row: Sendable {
        var id: String
        var chip: String
        var benchmark: String
        var precision: String?
        var backend: String
        var unit: String
        var median: Double
        var measuredAt: String
        var document: String
        /// 1 unless the result's correctness check failed (migration 006), so that the database can pick a group's
        /// best passing row.
        var passing: Int

        init(_ result: BenchmarkResult) {
            id = result.id
            chip = result.chip
            benchmark = result.benchmark.rawValue
            precision = result.precision?.rawValue
            backend = result.backend
            unit = result.unit
            median = result.median
            measuredAt = Timestamp.text(result.time)
            document = ResultDocument.text(result)
            passing = result.check == .failed ? 0 : 1
        }

        static let columns = [
            "id", "chip", "benchmark", "precision", "backend", "unit", "median", "measured_at", "submission_id",
            "document", "stored_at", "campaign", "passing",
        ]

        /// The values of `columns`.
        func values(submission: String?, campaign: String?, storedAt: String) -> [SQLValue] {
            let values: [any SQLBindable] = [
                id, chip, benchmark, precision, backend, unit, median, measuredAt, submission, document, storedAt,
                campaign, passing,
            ]
            return values.map(\.sqlValue)
        }

        /// The rows of a submission: IDs prefixed (`NAMESPACE:ID`) with the submitting vendor's namespace when there is one; the
        /// documents stay as signed.
        static func rows(_ new: NewSubmission) -> [Row] {
            new.results.map { result in
                var row = Row(result)
                if let namespace = new.namespace { row.id = "\(namespace):\(row.id)" }
                return row
            }
        }
    }
}

extension ResultFilter {
    /// `WHERE` clauses (with `?` placeholders) and their values.
    func clauses() -> (sql: [String], values: [String]) {
        RowClauses.make(
            equal: [("r.chip", chip), ("r.benchmark", benchmark?.rawValue)],
            since: since,
            until: until,
            visibleTo: visibleTo,
            evidenceOnly: evidenceOnly,
            after: after
        )
    }
}

/// The `WHERE` clauses of the lists of measured rows (results, serving results): equal columns, a measured-time
/// window, vendor visibility, evidence only, and the keyset cursor — one place for both stores and both tables.
enum RowClauses {
    static func make(
        equal: [(column: String, value: String?)],
        since: Date?,
        until: Date?,
        visibleTo: String?,
        evidenceOnly: Bool,
        after: ResultCursor?
    ) -> (sql: [String], values: [String]) {
        var sql: [String] = []
        var values: [String] = []
        for (column, value) in equal {
            if let value {
                sql.append("\(column) = ?")
                values.append(value)
            }
        }
        if let since {
            sql.append("r.measured_at >= ?")
            values.append(Timestamp.text(since))
        }
        if let until {
            sql.append("r.measured_at < ?")
            values.append(Timestamp.text(until))
        }
        if let visibleTo {
            sql.append("(r.submission_id IS NULL OR s.status = 'accepted' OR s.vendor = ?)")
            values.append(visibleTo)
        }
        if evidenceOnly { sql.append("(r.submission_id IS NULL OR s.status = 'accepted')") }
        if let after {
            // The range on measured_at is what an index seeks to; the disjunction only sorts out equal times.
            let time = Timestamp.text(after.measuredAt)
            sql.append("r.measured_at >= ?")
            sql.append("(r.measured_at > ? OR r.id > ?)")
            values += [time, time, after.id]
        }
        return (sql, values)
    }
}

extension SubmissionFilter {
    func clauses() -> (sql: [String], values: [String]) {
        var sql: [String] = []
        var values: [String] = []
        if let vendor {
            sql.append("vendor = ?")
            values.append(vendor)
        }
        if let status {
            sql.append("status = ?")
            values.append(status.rawValue)
        }
        if excludingDrafts { sql.append("status <> 'draft'") }
        if let after {
            let time = Timestamp.text(after.createdAt)
            sql.append("created_at <= ?")
            sql.append("(created_at < ? OR id > ?)")
            values += [time, time, after.id]
        }
        return (sql, values)
    }
}

/// Column lists of the stores' `SELECT`s and the decoding of their rows.
enum Columns {
    static let result = "r.document, r.submission_id, s.status, s.vendor, r.stored_at, r.id, r.measured_at"
    static let submission =
        "id, submitter, vendor, idempotency_key, status, reason, reviewer, key_id, payload_type, result_count, created_at, reviewed_at"
    static let token = "id, name, role, hash, created_at, revoked_at"
    static let vendorKey = "id, vendor, name, public_key, registered_by, created_at, revoked_at"
    static let chip = "id, vendor, document, added_by, created_at"
    static let assessment = "id, title, document, created_at"
    static let campaign = "name, plan, override_reason, created_at"
    static let campaignTask = "campaign, task, task_index, state, attempts, cause, result_count, updated_at"

    static func date(_ row: SQLRow, _ index: Int) throws(StoreError) -> Date {
        try Timestamp.date(try row.text(index))
    }

    static func optionalDate(_ row: SQLRow, _ index: Int) throws(StoreError) -> Date? {
        guard let text = try row.optionalText(index) else { return nil }
        return try Timestamp.date(text)
    }

    /// A row of `result` (from `offset`). The result is its document as stored; `resultTexts` reads the row's
    /// `measured_at` (the last column) for its keyset cursor.
    static func storedResult(_ row: SQLRow, from offset: Int = 0) throws(StoreError) -> StoredResult {
        let submissionID = try row.optionalText(offset + 1)
        return StoredResult(
            id: try row.text(offset + 5),
            result: try ResultDocument.result(try row.text(offset), id: submissionID ?? "import"),
            submissionID: submissionID,
            status: try row.optionalText(offset + 2).flatMap(Submission.Status.init(rawValue:)),
            vendor: try row.optionalText(offset + 3),
            storedAt: try date(row, offset + 4)
        )
    }

    static func submission(_ row: SQLRow) throws(StoreError) -> Submission {
        let id = try row.text(0)
        let status = try row.text(4)
        guard let parsed = Submission.Status(rawValue: status) else {
            throw .invalid("stored submission \(id) has unknown status '\(status)'")
        }
        return Submission(
            id: id,
            submitter: try row.text(1),
            vendor: try row.optionalText(2),
            idempotencyKey: try row.text(3),
            status: parsed,
            reason: try row.optionalText(5),
            reviewer: try row.optionalText(6),
            keyID: try row.text(7),
            payloadType: try row.text(8),
            resultCount: try row.integer(9),
            createdAt: try date(row, 10),
            reviewedAt: try optionalDate(row, 11)
        )
    }

    static func token(_ row: SQLRow) throws(StoreError) -> AccessToken {
        let id = try row.text(0)
        let role = try row.text(2)
        guard let parsed = Role(role) else { throw .invalid("stored token \(id) has unknown role '\(role)'") }
        return AccessToken(
            id: id,
            name: try row.text(1),
            role: parsed,
            hash: try row.text(3),
            createdAt: try date(row, 4),
            revokedAt: try optionalDate(row, 5)
        )
    }

    static func vendorKey(_ row: SQLRow) throws(StoreError) -> VendorKey {
        VendorKey(
            id: try row.text(0),
            vendor: try row.text(1),
            name: try row.text(2),
            publicKey: try row.text(3),
            registeredBy: try row.text(4),
            createdAt: try date(row, 5),
            revokedAt: try optionalDate(row, 6)
        )
    }

    static func chip(_ row: SQLRow) throws(StoreError) -> StoredChip {
        StoredChip(
            id: try row.text(0),
            vendor: try row.text(1),
            document: try row.text(2),
            addedBy: try row.text(3),
            createdAt: try date(row, 4)
        )
    }

    static func assessment(_ row: SQLRow) throws(StoreError) -> StoredAssessment {
        StoredAssessment(
            id: try row.text(0),
            title: try row.text(1),
            document: Data(try row.text(2).utf8),
            createdAt: try date(row, 3)
        )
    }

    static func campaign(_ row: SQLRow) throws(StoreError) -> StoredCampaign {
        StoredCampaign(
            name: try row.text(0),
            plan: try row.text(1),
            overrideReason: try row.optionalText(2),
            createdAt: try date(row, 3)
        )
    }

    static func campaignTask(_ row: SQLRow) throws(StoreError) -> CampaignTaskRecord {
        let task = try row.text(1)
        let state = try row.text(3)
        guard let parsed = CampaignTaskRecord.State(rawValue: state) else {
            throw .invalid("campaign task \(task) has unknown state '\(state)'")
        }
        return CampaignTaskRecord(
            campaign: try row.text(0),
            task: task,
            index: try row.integer(2),
            state: parsed,
            attempts: try row.integer(4),
            cause: try row.optionalText(5),
            resultCount: try row.integer(6),
            updatedAt: try date(row, 7)
        )
    }
}
