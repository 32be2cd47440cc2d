public import Foundation
import GRDB
public import Measure

/// The embedded store: one SQLite file through GRDB, in WAL mode (readers never block the writer), with
/// `synchronous = NORMAL` — a committed write survives a crash of Parity, though not a power cut in the last
/// instant — and writes serialised by GRDB's single writer connection.
public final class SQLiteStore: ResultStore {
    public var kind: String { "sqlite" }
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public convenience init(path: String) throws(StoreError) {
        try self.init(path: path, migrations: Migrations.all)
    }

    /// Opens the database applying only `migrations` (tests build a previous release's schema with a prefix).
    package init(path: String, migrations: [Migrations.Migration]) throws(StoreError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .unavailable("cannot open SQLite database \(path): \(Self.message(error))")
        }
        var migrator = DatabaseMigrator()
        for migration in migrations {
            let statements = migration.statements
            let converts = migration.convertsCampaignDocuments
            migrator.registerMigration(migration.id) { db in
                for statement in statements { try db.execute(sql: statement) }
                if converts { try Self.convertCampaignDocuments(db) }
            }
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw .migration("\(path): \(Self.message(error))")
        }
    }

    static func message(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "SQLite error \(error.resultCode)" }
        return "\(error)"
    }

    /// Runs a write transaction, keeping `StoreError`s and wrapping database failures.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable(Self.message(error))
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable(Self.message(error))
        }
    }

    public func run() async throws {
        // Nothing runs in the background; wait for cancellation.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid")
        }
    }

    public func ping() async throws(StoreError) {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    // MARK: Results

    public func importResults(_ results: [BenchmarkResult]) async throws(StoreError) -> ImportSummary {
        let rows = results.map(ResultDocument.Row.init)
        let now = Timestamp.text(Date())
        return try await write { db in
            var summary = ImportSummary(inserted: 0, unchanged: 0)
            for row in rows {
                if let stored = try String.fetchOne(
                    db,
                    sql: "SELECT document FROM results WHERE id = ?",
                    arguments: [row.id]
                ) {
                    guard stored == row.document else {
                        throw StoreError.conflict("result \(row.id) is already stored with different content")
                    }
                    summary.unchanged += 1
                    continue
                }
                try Self.insert(row, submission: nil, storedAt: now, db: db)
                summary.inserted += 1
            }
            return summary
        }
    }

    static func insert(
        _ row: ResultDocument.Row,
        submission: String?,
        campaign: String? = nil,
        storedAt: String,
        db: Database
    ) throws {
        // Cached statements: compiling SQL (with GRDB's authorizer) was a tenth of a submission's time.
        try db.cachedStatement(
            sql: """
                INSERT INTO results (id, chip, benchmark, precision, backend, unit, median, measured_at, submission_id, \
                document, stored_at, campaign) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                row.id, row.chip, row.benchmark, row.precision, row.backend, row.unit, row.median, row.measuredAt,
                submission, row.document, storedAt, campaign,
            ]
        )
    }

    /// A `SELECT` with the filter's `WHERE` clauses, an order and an optional limit, all values bound.
    static func filtered(
        _ select: String,
        _ clauses: (sql: [String], values: [String]),
        order: String,
        limit: Int?
    ) -> (String, StatementArguments) {
        var sql = select
        if !clauses.sql.isEmpty { sql += " WHERE " + clauses.sql.joined(separator: " AND ") }
        sql += " ORDER BY \(order)"
        var arguments = StatementArguments(clauses.values)
        if let limit {
            sql += " LIMIT ?"
            arguments += [limit]
        }
        return (sql, arguments)
    }

    static func storedResult(_ row: Row) throws -> StoredResult {
        try Columns.storedResult(
            document: row[0],
            submissionID: row[1],
            status: row[2],
            vendor: row[3],
            storedAt: row[4],
            rowID: row[5]
        )
    }

    public func results(_ filter: ResultFilter) async throws(StoreError) -> [StoredResult] {
        let (query, bound) = Self.filtered(
            "SELECT \(Columns.result) FROM results r LEFT JOIN submissions s ON s.id = r.submission_id",
            filter.clauses(),
            order: "r.measured_at, r.id",
            limit: filter.limit
        )
        return try await read { db in try Row.fetchAll(db, sql: query, arguments: bound).map(Self.storedResult) }
    }

    public func result(id: String) async throws(StoreError) -> StoredResult? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT \(Columns.result) FROM results r LEFT JOIN submissions s ON s.id = r.submission_id "
                    + "WHERE r.id = ?",
                arguments: [id]
            ).map(Self.storedResult)
        }
    }

    // MARK: Submissions

    public func submit(_ new: NewSubmission) async throws(StoreError) -> SubmitOutcome {
        let submission = new.submission
        let bundle = String(decoding: new.bundle, as: UTF8.self)
        let digest = TokenSecret.sha256(new.bundle)
        let rows = ResultDocument.Row.rows(new)
        let servingRows = ServingDocument.Row.rows(new)
        return try await write { db in
            if let existing = try Row.fetchOne(
                db,
                sql:
                    "SELECT \(Columns.submission), bundle_sha256 FROM submissions WHERE submitter = ? AND idempotency_key = ?",
                arguments: [submission.submitter, submission.idempotencyKey]
            ) {
                guard existing[12] as String == digest else {
                    throw StoreError.conflict(
                        "idempotency key '\(submission.idempotencyKey)' was already used for a different bundle"
                    )
                }
                return .replayed(try Self.submission(existing))
            }
            let ids = rows.map(\.id)
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(ids.count, chunk + 500)])
                let marks = Array(repeating: "?", count: part.count).joined(separator: ", ")
                if let taken = try String.fetchOne(
                    try db.cachedStatement(sql: "SELECT id FROM results WHERE id IN (\(marks)) LIMIT 1"),
                    arguments: StatementArguments(part)
                ) {
                    throw StoreError.conflict("result \(taken) is already stored")
                }
            }
            try Self.checkServingIDsFree(servingRows.map(\.id), db: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO submissions (id, submitter, vendor, idempotency_key, status, reason, reviewer, key_id, \
                    payload_type, result_count, bundle, bundle_sha256, created_at, reviewed_at) \
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(
                arguments: [
                    submission.id, submission.submitter, submission.vendor, submission.idempotencyKey,
                    submission.status.rawValue, submission.reason, submission.reviewer, submission.keyID,
                    submission.payloadType, rows.count + servingRows.count, bundle, digest,
                    Timestamp.text(submission.createdAt), nil,
                ]
            )
            let now = Timestamp.text(submission.createdAt)
            for row in rows { try Self.insert(row, submission: submission.id, storedAt: now, db: db) }
            for row in servingRows { try Self.insertServing(row, submission: submission.id, storedAt: now, db: db) }
            var stored = submission
            stored.resultCount = rows.count + servingRows.count
            return .created(stored)
        }
    }

    static func submission(_ row: Row) throws -> Submission {
        try Columns.submission(
            id: row[0],
            submitter: row[1],
            vendor: row[2],
            idempotencyKey: row[3],
            status: row[4],
            reason: row[5],
            reviewer: row[6],
            keyID: row[7],
            payloadType: row[8],
            resultCount: row[9],
            createdAt: row[10],
            reviewedAt: row[11]
        )
    }

    public func submissions(_ filter: SubmissionFilter) async throws(StoreError) -> [Submission] {
        let (query, bound) = Self.filtered(
            "SELECT \(Columns.submission) FROM submissions",
            filter.clauses(),
            order: "created_at DESC, id",
            limit: filter.limit
        )
        return try await read { db in try Row.fetchAll(db, sql: query, arguments: bound).map(Self.submission) }
    }

    public func submission(id: String) async throws(StoreError) -> Submission? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Columns.submission) FROM submissions WHERE id = ?", arguments: [id])
                .map(Self.submission)
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
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT \(Columns.submission) FROM submissions WHERE id = ?",
                    arguments: [id]
                )
            else { throw StoreError.notFound("no submission \(id)") }
            var submission = try Self.submission(row)
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
            try db.execute(
                sql: "UPDATE submissions SET status = ?, reason = ?, reviewer = ?, reviewed_at = ? WHERE id = ?",
                arguments: [
                    status.rawValue, submission.reason, submission.reviewer,
                    submission.reviewedAt.map(Timestamp.text), id,
                ]
            )
            return submission
        }
    }

    // MARK: Chips, assessments, tokens

    public func addChip(_ chip: StoredChip) async throws(StoreError) {
        try await write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM chips WHERE id = ?", arguments: [chip.id]) == true {
                throw StoreError.conflict("chip \(chip.id) is already in the store")
            }
            try db.execute(
                sql: "INSERT INTO chips (id, vendor, document, added_by, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [chip.id, chip.vendor, chip.document, chip.addedBy, Timestamp.text(chip.createdAt)]
            )
        }
    }

    public func chips() async throws(StoreError) -> [StoredChip] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT id, vendor, document, added_by, created_at FROM chips ORDER BY id").map {
                row throws in
                StoredChip(
                    id: row[0],
                    vendor: row[1],
                    document: row[2],
                    addedBy: row[3],
                    createdAt: try Timestamp.date(row[4])
                )
            }
        }
    }

    public func saveAssessment(_ assessment: StoredAssessment) async throws(StoreError) {
        let document = String(decoding: assessment.document, as: UTF8.self)
        try await write { db in
            try db.execute(
                sql: "INSERT INTO assessments (id, title, document, created_at) VALUES (?, ?, ?, ?)",
                arguments: [assessment.id, assessment.title, document, Timestamp.text(assessment.createdAt)]
            )
        }
    }

    public func assessments(limit: Int?) async throws(StoreError) -> [StoredAssessment] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, title, document, created_at FROM assessments ORDER BY created_at DESC, id LIMIT ?",
                arguments: [limit ?? -1]
            ).map(Self.assessment)
        }
    }

    public func assessment(id: String) async throws(StoreError) -> StoredAssessment? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT id, title, document, created_at FROM assessments WHERE id = ?",
                arguments: [id]
            ).map(Self.assessment)
        }
    }

    static func assessment(_ row: Row) throws -> StoredAssessment {
        StoredAssessment(
            id: row[0],
            title: row[1],
            document: Data((row[2] as String).utf8),
            createdAt: try Timestamp.date(row[3])
        )
    }

    public func createToken(_ token: AccessToken) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO tokens (id, name, role, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    token.id, token.name, token.role.description, token.hash, Timestamp.text(token.createdAt),
                    token.revokedAt.map(Timestamp.text),
                ]
            )
        }
    }

    public func token(hash: String) async throws(StoreError) -> AccessToken? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Columns.token) FROM tokens WHERE hash = ?", arguments: [hash])
                .map(Self.token)
        }
    }

    public func tokens() async throws(StoreError) -> [AccessToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT \(Columns.token) FROM tokens ORDER BY created_at, id").map(Self.token)
        }
    }

    public func revokeToken(id: String, at time: Date) async throws(StoreError) -> AccessToken {
        let stamp = Timestamp.text(time)
        return try await write { db in
            guard
                let row = try Row.fetchOne(db, sql: "SELECT \(Columns.token) FROM tokens WHERE id = ?", arguments: [id])
            else { throw StoreError.notFound("no token \(id)") }
            var token = try Self.token(row)
            if token.revokedAt == nil {
                try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE id = ?", arguments: [stamp, id])
                token.revokedAt = try Timestamp.date(stamp)
            }
            return token
        }
    }

    public func registerVendorKey(_ key: VendorKey) async throws(StoreError) {
        try await write { db in
            if try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM vendor_keys WHERE id = ? OR public_key = ?)",
                arguments: [key.id, key.publicKey]
            ) == true {
                throw StoreError.conflict("key \(key.id) is already registered")
            }
            try db.execute(
                sql: "INSERT INTO vendor_keys (\(Columns.vendorKey)) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    key.id, key.vendor, key.name, key.publicKey, key.registeredBy, Timestamp.text(key.createdAt),
                    key.revokedAt.map(Timestamp.text),
                ]
            )
        }
    }

    public func vendorKeys(vendor: String?) async throws(StoreError) -> [VendorKey] {
        try await read { db in
            let rows =
                if let vendor {
                    try Row.fetchAll(
                        db,
                        sql: "SELECT \(Columns.vendorKey) FROM vendor_keys WHERE vendor = ? ORDER BY created_at, id",
                        arguments: [vendor]
                    )
                } else {
                    try Row.fetchAll(db, sql: "SELECT \(Columns.vendorKey) FROM vendor_keys ORDER BY created_at, id")
                }
            return try rows.map(Self.vendorKey)
        }
    }

    public func vendorKey(id: String) async throws(StoreError) -> VendorKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT \(Columns.vendorKey) FROM vendor_keys WHERE id = ?", arguments: [id])
                .map(Self.vendorKey)
        }
    }

    public func revokeVendorKey(id: String, at time: Date) async throws(StoreError) -> VendorKey {
        let stamp = Timestamp.text(time)
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT \(Columns.vendorKey) FROM vendor_keys WHERE id = ?",
                    arguments: [id]
                )
            else { throw StoreError.notFound("no key \(id)") }
            var key = try Self.vendorKey(row)
            if key.revokedAt == nil {
                try db.execute(sql: "UPDATE vendor_keys SET revoked_at = ? WHERE id = ?", arguments: [stamp, id])
                key.revokedAt = try Timestamp.date(stamp)
            }
            return key
        }
    }

    static func vendorKey(_ row: Row) throws -> VendorKey {
        try Columns.vendorKey(
            id: row[0],
            vendor: row[1],
            name: row[2],
            publicKey: row[3],
            registeredBy: row[4],
            createdAt: row[5],
            revokedAt: row[6]
        )
    }

    static func token(_ row: Row) throws -> AccessToken {
        try Columns.token(
            id: row[0],
            name: row[1],
            role: row[2],
            hash: row[3],
            createdAt: row[4],
            revokedAt: row[5]
        )
    }

    // MARK: Campaigns

    public func registerCampaign(_ campaign: StoredCampaign) async throws(StoreError) -> StoredCampaign {
        try await write { db in
            if let row = try Row.fetchOne(
                db,
                sql: "SELECT name, plan, override_reason, created_at FROM campaigns WHERE name = ?",
                arguments: [campaign.name]
            ) {
                return try Self.campaign(row)
            }
            try db.execute(
                sql: "INSERT INTO campaigns (name, plan, override_reason, created_at) VALUES (?, ?, ?, ?)",
                arguments: [campaign.name, campaign.plan, campaign.overrideReason, Timestamp.text(campaign.createdAt)]
            )
            return campaign
        }
    }

    static func campaign(_ row: Row) throws -> StoredCampaign {
        StoredCampaign(name: row[0], plan: row[1], overrideReason: row[2], createdAt: try Timestamp.date(row[3]))
    }

    public func campaign(name: String) async throws(StoreError) -> StoredCampaign? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT name, plan, override_reason, created_at FROM campaigns WHERE name = ?",
                arguments: [name]
            ).map(Self.campaign)
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
        return try await write { db in
            let existing = try Row.fetchOne(
                db,
                sql: "SELECT state, attempts FROM campaign_tasks WHERE campaign = ? AND task = ?",
                arguments: [campaign, task]
            )
            if let existing, existing[0] as String == "done" { return .alreadyDone }
            for row in rows {
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM results WHERE id = ?", arguments: [row.id]) == true {
                    throw StoreError.conflict("result \(row.id) is already stored")
                }
                try Self.insert(row, submission: nil, campaign: campaign, storedAt: stamp, db: db)
            }
            if let document {
                _ = try Self.insertCampaignServing(
                    campaign: campaign,
                    task: task,
                    document: document,
                    storedAt: stamp,
                    db: db
                )
            }
            let attempts = (existing?[1] as Int? ?? 0) + 1
            try db.execute(
                sql: """
                    INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                    updated_at, document) VALUES (?, ?, ?, 'done', ?, NULL, ?, ?, ?) ON CONFLICT (campaign, task) DO \
                    UPDATE SET state = 'done', attempts = excluded.attempts, cause = NULL, \
                    result_count = excluded.result_count, updated_at = excluded.updated_at, document = excluded.document
                    """,
                arguments: [campaign, task, index, attempts, rows.count, stamp, text]
            )
            return .stored(rows.count)
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
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                    updated_at) VALUES (?, ?, ?, ?, 1, ?, 0, ?) ON CONFLICT (campaign, task) DO UPDATE SET \
                    state = excluded.state, attempts = campaign_tasks.attempts + 1, cause = excluded.cause, \
                    updated_at = excluded.updated_at WHERE campaign_tasks.state <> 'done'
                    """,
                arguments: [campaign, task, index, state.rawValue, cause, stamp]
            )
        }
    }

    public func campaignTasks(campaign: String) async throws(StoreError) -> [CampaignTaskRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT campaign, task, task_index, state, attempts, cause, result_count, updated_at \
                    FROM campaign_tasks WHERE campaign = ? ORDER BY task_index
                    """,
                arguments: [campaign]
            ).map { row throws in
                try Columns.campaignTask(
                    campaign: row[0],
                    task: row[1],
                    index: row[2],
                    state: row[3],
                    attempts: row[4],
                    cause: row[5],
                    resultCount: row[6],
                    updatedAt: row[7]
                )
            }
        }
    }

    public func campaignDocuments(campaign: String) async throws(StoreError) -> [String: Data] {
        try await read { db in
            var documents: [String: Data] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT task, document FROM campaign_tasks WHERE campaign = ? AND document IS NOT NULL",
                arguments: [campaign]
            ) {
                documents[row[0]] = Data((row[1] as String).utf8)
            }
            return documents
        }
    }

    public func campaignResults(campaign: String) async throws(StoreError) -> [BenchmarkResult] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT id, document FROM results WHERE campaign = ? ORDER BY id",
                arguments: [campaign]
            ).map { row throws in try ResultDocument.result(row[1], id: row[0]) }
        }
    }

    public func close() async {
        try? pool.close()
    }

    /// Runs one statement in its own transaction (tests write rows as a previous release did).
    package func execute(unsafeSQL sql: String) async throws(StoreError) {
        try await write { db in try db.execute(sql: sql) }
    }
}
