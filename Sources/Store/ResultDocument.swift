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
    /// `WHERE` clauses (with `?` placeholders) and their values, shared by both stores.
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
            let time = Timestamp.text(after.measuredAt)
            sql.append("(r.measured_at > ? OR (r.measured_at = ? AND r.id > ?))")
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
            sql.append("(created_at < ? OR (created_at = ? AND id > ?))")
            values += [time, time, after.id]
        }
        return (sql, values)
    }
}

/// Column lists shared by both stores' `SELECT`s, so rows decode the same way.
enum Columns {
    static let result = "r.document, r.submission_id, s.status, s.vendor, r.stored_at, r.id"
    static let submission =
        "id, submitter, vendor, idempotency_key, status, reason, reviewer, key_id, payload_type, result_count, created_at, reviewed_at"
    static let token = "id, name, role, hash, created_at, revoked_at"
    static let vendorKey = "id, vendor, name, public_key, registered_by, created_at, revoked_at"

    static func vendorKey(
        id: String,
        vendor: String,
        name: String,
        publicKey: String,
        registeredBy: String,
        createdAt: String,
        revokedAt: String?
    ) throws(StoreError) -> VendorKey {
        VendorKey(
            id: id,
            vendor: vendor,
            name: name,
            publicKey: publicKey,
            registeredBy: registeredBy,
            createdAt: try Timestamp.date(createdAt),
            revokedAt: try revokedAt.map { text throws(StoreError) in try Timestamp.date(text) }
        )
    }

    static func submission(
        id: String,
        submitter: String,
        vendor: String?,
        idempotencyKey: String,
        status: String,
        reason: String?,
        reviewer: String?,
        keyID: String,
        payloadType: String,
        resultCount: Int,
        createdAt: String,
        reviewedAt: String?
    ) throws(StoreError) -> Submission {
        guard let status = Submission.Status(rawValue: status) else {
            throw .invalid("stored submission \(id) has unknown status '\(status)'")
        }
        return Submission(
            id: id,
            submitter: submitter,
            vendor: vendor,
            idempotencyKey: idempotencyKey,
            status: status,
            reason: reason,
            reviewer: reviewer,
            keyID: keyID,
            payloadType: payloadType,
            resultCount: resultCount,
            createdAt: try Timestamp.date(createdAt),
            reviewedAt: try reviewedAt.map { text throws(StoreError) in try Timestamp.date(text) }
        )
    }

    static func token(
        id: String,
        name: String,
        role: String,
        hash: String,
        createdAt: String,
        revokedAt: String?
    ) throws(StoreError) -> AccessToken {
        guard let parsed = Role(role) else { throw .invalid("stored token \(id) has unknown role '\(role)'") }
        return AccessToken(
            id: id,
            name: name,
            role: parsed,
            hash: hash,
            createdAt: try Timestamp.date(createdAt),
            revokedAt: try revokedAt.map { text throws(StoreError) in try Timestamp.date(text) }
        )
    }

    static func campaignTask(
        campaign: String,
        task: String,
        index: Int,
        state: String,
        attempts: Int,
        cause: String?,
        resultCount: Int,
        updatedAt: String
    ) throws(StoreError) -> CampaignTaskRecord {
        guard let parsed = CampaignTaskRecord.State(rawValue: state) else {
            throw .invalid("campaign task \(task) has unknown state '\(state)'")
        }
        return CampaignTaskRecord(
            campaign: campaign,
            task: task,
            index: index,
            state: parsed,
            attempts: attempts,
            cause: cause,
            resultCount: resultCount,
            updatedAt: try Timestamp.date(updatedAt)
        )
    }

    static func storedResult(
        document: String,
        submissionID: String?,
        status: String?,
        vendor: String?,
        storedAt: String,
        rowID: String
    ) throws(StoreError) -> StoredResult {
        StoredResult(
            id: rowID,
            result: try ResultDocument.result(document, id: submissionID ?? "import"),
            submissionID: submissionID,
            status: status.flatMap(Submission.Status.init(rawValue:)),
            vendor: vendor,
            storedAt: try Timestamp.date(storedAt)
        )
    }
}
