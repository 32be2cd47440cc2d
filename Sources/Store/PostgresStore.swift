public import Foundation
import Logging
public import Measure
import NIOSSL
import PostgresNIO

/// The shared store: PostgreSQL through postgres-nio's connection pool. Same schema and migrations as SQLite;
/// migrations run under an advisory lock so that several servers may start at once. Concurrent writes that
/// collide on a unique key are retried, so a retried idempotency key is answered as a replay.
public final class PostgresStore: ResultStore {
    public var kind: String { "postgres" }
    let client: PostgresClient
    let logger: Logger
    /// Where it connects, without the password.
    public let location: String

    /// Parses `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require|verify-full]`.
    /// Without `sslmode`, a loopback host is reached in plain text and any other host with TLS preferred
    /// (libpq's default); `require` and `verify-full` demand TLS with the certificate and host name verified.
    /// Error messages never contain the password.
    static func configuration(url: String) throws(StoreError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url),
            components.scheme == "postgres" || components.scheme == "postgresql",
            let host = components.host, !host.isEmpty
        else {
            throw .invalid(
                "'\(StoreLocation.redacted(url))' is not a PostgreSQL URL; write "
                    + "postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
            )
        }
        let database = String(components.path.dropFirst())
        let tls: PostgresClient.Configuration.TLS
        switch try tlsMode(url: url) {
        case "disable": tls = .disable
        case "prefer": tls = .prefer(.makeClientConfiguration())
        default: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// `disable`, `prefer` or `require` (which `verify-full` means too: NIOSSL verifies the certificate and the
    /// host name) for a URL's `sslmode`, or the default for its host.
    package static func tlsMode(url: String) throws(StoreError) -> String {
        let components = URLComponents(string: url)
        let host = components?.host ?? ""
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        let mode = components?.queryItems?.first { $0.name == "sslmode" }?.value ?? (loopback ? "disable" : "prefer")
        switch mode {
        case "disable", "prefer", "require": return mode
        case "verify-full": return "require"
        default:
            throw .invalid("sslmode '\(mode.prefix(32))' is not one of disable, prefer, require, verify-full")
        }
    }

    public init(url: String) throws(StoreError) {
        let configuration = try Self.configuration(url: url)
        logger = Logger(label: "parity.store.postgres") { _ in SwiftLogNoOpLogHandler() }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        location = "\(configuration.host ?? "?"):\(configuration.port ?? 5432)/\(configuration.database ?? "")"
    }

    /// Runs the connection pool until cancelled (or shut down gracefully by a `ServiceGroup`).
    public func run() async throws {
        await client.run()
    }

    /// Applies pending migrations; call once after `run` has started.
    public func migrate() async throws(StoreError) {
        try await migrate(Migrations.all)
    }

    /// Applies the pending ones of `migrations` (tests build a previous release's schema with a prefix).
    package func migrate(_ migrations: [Migrations.Migration]) async throws(StoreError) {
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT pg_advisory_xact_lock(7420135)", logger: logger)
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS parity_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
                    logger: logger
                )
                var applied = Set<String>()
                for try await identifier in try await connection.query(
                    "SELECT identifier FROM parity_migrations",
                    logger: logger
                ).decode(String.self) {
                    applied.insert(identifier)
                }
                for migration in migrations where !applied.contains(migration.id) {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    if migration.convertsCampaignDocuments {
                        try await Self.convertCampaignDocuments(on: connection, logger: logger)
                    }
                    let now = Timestamp.text(Date())
                    try await connection.query(
                        "INSERT INTO parity_migrations (identifier, applied_at) VALUES (\(migration.id), \(now))",
                        logger: logger
                    )
                }
            }
        } catch {
            if Self.isConnectionFailure(error) {
                throw .unavailable(
                    "cannot connect to PostgreSQL at \(location) (is the server running, and does the database exist?)"
                )
            }
            throw .migration("\(location): \(Self.message(error))")
        }
    }

    /// The pool could not open a connection (refused, unreachable, authentication), as opposed to a query error.
    static func isConnectionFailure(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError, let inner = error.beginError ?? error.closureError {
            return isConnectionFailure(inner)
        }
        if let error = error as? PSQLError { return error.serverInfo == nil && error.code != .server }
        return String(reflecting: error).contains("ConnectionPoolError")
    }

    /// A driver error's server message (for logs and the CLI; the API shows `publicMessage` only).
    static func message(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            if let inner = error.closureError { return message(inner) }
            if let inner = error.beginError ?? error.commitError { return message(inner) }
        }
        if let error = error as? PSQLError {
            if let text = error.serverInfo?[.message] { return text }
            return "\(error.code)"
        }
        return "\(error)"
    }

    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError, let inner = error.closureError {
            return isUniqueViolation(inner)
        }
        return (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if isConnectionFailure(error) { return .unavailable("cannot reach PostgreSQL: \(message(error))") }
        if let error = error as? PostgresTransactionError, let inner = error.closureError as? StoreError {
            return inner
        }
        return .unavailable(message(error))
    }

    /// A write transaction; retried (up to 5 times) when it collides with a concurrent one on a unique key.
    @discardableResult
    func write<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T
    ) async throws(StoreError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let logger = self.logger
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(connection, logger)
                }
            } catch {
                if attempt < 5, Self.isUniqueViolation(error) { continue }
                throw Self.storeError(error)
            }
        }
    }

    func rows<T: Sendable>(
        _ query: PostgresQuery,
        _ transform: @escaping @Sendable (PostgresRow) throws -> T
    ) async throws(StoreError) -> [T] {
        do {
            var out: [T] = []
            for try await row in try await client.query(query, logger: logger) { out.append(try transform(row)) }
            return out
        } catch {
            throw Self.storeError(error)
        }
    }

    /// A query from `?`-placeholder clauses: the placeholders become `$1…$n` and every value is bound.
    static func query(_ sql: String, values: [String], limit: Int? = nil) -> PostgresQuery {
        var bindings = PostgresBindings()
        var text = ""
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                text += "$\(index)"
            } else {
                text.append(character)
            }
        }
        for value in values { bindings.append(value) }
        if let limit {
            text += " LIMIT $\(index + 1)"
            bindings.append(limit)
        }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await rows("SELECT identifier FROM parity_migrations ORDER BY identifier") { try $0.decode(String.self) }
    }

    public func ping() async throws(StoreError) {
        _ = try await rows("SELECT 1") { try $0.decode(Int.self) }
    }

    // MARK: Results

    static func insert(
        _ row: ResultDocument.Row,
        submission: String?,
        campaign: String? = nil,
        storedAt: String,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws {
        try await connection.query(
            """
            INSERT INTO results (id, chip, benchmark, precision, backend, unit, median, measured_at, submission_id, \
            document, stored_at, campaign) VALUES (\(row.id), \(row.chip), \(row.benchmark), \(row.precision), \
            \(row.backend), \(row.unit), \(row.median), \(row.measuredAt), \(submission), \(row.document), \
            \(storedAt), \(campaign))
            """,
            logger: logger
        )
    }

    public func importResults(_ results: [BenchmarkResult]) async throws(StoreError) -> ImportSummary {
        let rows = results.map(ResultDocument.Row.init)
        let now = Timestamp.text(Date())
        return try await write { connection, logger in
            var summary = ImportSummary(inserted: 0, unchanged: 0)
            for row in rows {
                var stored: String?
                for try await document in try await connection.query(
                    "SELECT document FROM results WHERE id = \(row.id)",
                    logger: logger
                ).decode(String.self) {
                    stored = document
                }
                if let stored {
                    guard stored == row.document else {
                        throw StoreError.conflict("result \(row.id) is already stored with different content")
                    }
                    summary.unchanged += 1
                    continue
                }
                try await Self.insert(row, submission: nil, storedAt: now, on: connection, logger: logger)
                summary.inserted += 1
            }
            return summary
        }
    }

    static func storedResult(_ row: PostgresRow) throws -> StoredResult {
        let (document, submission, status, vendor, storedAt, rowID) = try row.decode(
            (String, String?, String?, String?, String, String).self
        )
        return try Columns.storedResult(
            document: document,
            submissionID: submission,
            status: status,
            vendor: vendor,
            storedAt: storedAt,
            rowID: rowID
        )
    }

    public func results(_ filter: ResultFilter) async throws(StoreError) -> [StoredResult] {
        let (clauses, values) = filter.clauses()
        var sql = "SELECT \(Columns.result) FROM results r LEFT JOIN submissions s ON s.id = r.submission_id"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY r.measured_at, r.id"
        return try await rows(Self.query(sql, values: values, limit: filter.limit), Self.storedResult)
    }

    public func result(id: String) async throws(StoreError) -> StoredResult? {
        let sql =
            "SELECT \(Columns.result) FROM results r LEFT JOIN submissions s ON s.id = r.submission_id WHERE r.id = ?"
        return try await rows(Self.query(sql, values: [id]), Self.storedResult).first
    }

    // MARK: Submissions

    static func submission(_ row: PostgresRow) throws -> Submission {
        let columns = try row.decode(
            (String, String, String?, String, String, String?, String?, String, String, Int, String, String?).self
        )
        return try Columns.submission(
            id: columns.0,
            submitter: columns.1,
            vendor: columns.2,
            idempotencyKey: columns.3,
            status: columns.4,
            reason: columns.5,
            reviewer: columns.6,
            keyID: columns.7,
            payloadType: columns.8,
            resultCount: columns.9,
            createdAt: columns.10,
            reviewedAt: columns.11
        )
    }

    static func submission(
        id: String,
        on connection: PostgresConnection,
        logger: Logger,
        lock: Bool = false
    ) async throws -> Submission? {
        let query = PostgresStore.query(
            "SELECT \(Columns.submission) FROM submissions WHERE id = ?\(lock ? " FOR UPDATE" : "")",
            values: [id]
        )
        for try await row in try await connection.query(query, logger: logger) { return try submission(row) }
        return nil
    }

    public func submit(_ new: NewSubmission) async throws(StoreError) -> SubmitOutcome {
        let submission = new.submission
        let bundle = String(decoding: new.bundle, as: UTF8.self)
        let digest = TokenSecret.sha256(new.bundle)
        let rows = ResultDocument.Row.rows(new)
        let servingRows = ServingDocument.Row.rows(new)
        return try await write { connection, logger in
            var replay: (id: String, digest: String)?
            for try await row in try await connection.query(
                """
                SELECT id, bundle_sha256 FROM submissions \
                WHERE submitter = \(submission.submitter) AND idempotency_key = \(submission.idempotencyKey)
                """,
                logger: logger
            ).decode((String, String).self) {
                replay = (row.0, row.1)
            }
            if let replay {
                guard replay.digest == digest else {
                    throw StoreError.conflict(
                        "idempotency key '\(submission.idempotencyKey)' was already used for a different bundle"
                    )
                }
                guard let stored = try await Self.submission(id: replay.id, on: connection, logger: logger) else {
                    throw StoreError.notFound("no submission \(replay.id)")
                }
                return SubmitOutcome.replayed(stored)
            }
            let ids = rows.map(\.id)
            if !ids.isEmpty {
                for try await taken in try await connection.query(
                    "SELECT id FROM results WHERE id = ANY(\(ids)) LIMIT 1",
                    logger: logger
                ).decode(String.self) {
                    throw StoreError.conflict("result \(taken) is already stored")
                }
            }
            try await Self.checkServingIDsFree(servingRows.map(\.id), on: connection, logger: logger)
            let created = Timestamp.text(submission.createdAt)
            try await connection.query(
                """
                INSERT INTO submissions (id, submitter, vendor, idempotency_key, status, reason, reviewer, key_id, \
                payload_type, result_count, bundle, bundle_sha256, created_at, reviewed_at) VALUES (\(submission.id), \
                \(submission.submitter), \(submission.vendor), \(submission.idempotencyKey), \
                \(submission.status.rawValue), \(submission.reason), \(submission.reviewer), \(submission.keyID), \
                \(submission.payloadType), \(rows.count + servingRows.count), \(bundle), \(digest), \(created), NULL)
                """,
                logger: logger
            )
            for row in rows {
                try await Self.insert(row, submission: submission.id, storedAt: created, on: connection, logger: logger)
            }
            for row in servingRows {
                try await Self.insertServing(
                    row,
                    submission: submission.id,
                    storedAt: created,
                    on: connection,
                    logger: logger
                )
            }
            var stored = submission
            stored.resultCount = rows.count + servingRows.count
            return SubmitOutcome.created(stored)
        }
    }

    public func submissions(_ filter: SubmissionFilter) async throws(StoreError) -> [Submission] {
        let (clauses, values) = filter.clauses()
        var sql = "SELECT \(Columns.submission) FROM submissions"
        if !clauses.isEmpty { sql += " WHERE " + clauses.joined(separator: " AND ") }
        sql += " ORDER BY created_at DESC, id"
        return try await rows(Self.query(sql, values: values, limit: filter.limit), Self.submission)
    }

    public func submission(id: String) async throws(StoreError) -> Submission? {
        try await rows(Self.query("SELECT \(Columns.submission) FROM submissions WHERE id = ?", values: [id])) {
            try Self.submission($0)
        }.first
    }

    public func updateSubmission(
        id: String,
        to status: Submission.Status,
        reason: String?,
        reviewer: String?,
        at time: Date
    ) async throws(StoreError) -> Submission {
        let stamp = Timestamp.text(time)
        return try await write { connection, logger in
            guard var submission = try await Self.submission(id: id, on: connection, logger: logger, lock: true) else {
                throw StoreError.notFound("no submission \(id)")
            }
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
            let reviewed = submission.reviewedAt.map(Timestamp.text)
            try await connection.query(
                """
                UPDATE submissions SET status = \(status.rawValue), reason = \(submission.reason), \
                reviewer = \(submission.reviewer), reviewed_at = \(reviewed) WHERE id = \(id)
                """,
                logger: logger
            )
            return submission
        }
    }

    // MARK: Chips, assessments, tokens

    public func addChip(_ chip: StoredChip) async throws(StoreError) {
        let created = Timestamp.text(chip.createdAt)
        try await write { connection, logger in
            for try await _ in try await connection.query("SELECT id FROM chips WHERE id = \(chip.id)", logger: logger)
                .decode(String.self)
            {
                throw StoreError.conflict("chip \(chip.id) is already in the store")
            }
            try await connection.query(
                """
                INSERT INTO chips (id, vendor, document, added_by, created_at) VALUES (\(chip.id), \(chip.vendor), \
                \(chip.document), \(chip.addedBy), \(created))
                """,
                logger: logger
            )
        }
    }

    public func chips() async throws(StoreError) -> [StoredChip] {
        try await rows("SELECT id, vendor, document, added_by, created_at FROM chips ORDER BY id") { row in
            let (id, vendor, document, addedBy, created) = try row.decode((String, String, String, String, String).self)
            return StoredChip(
                id: id,
                vendor: vendor,
                document: document,
                addedBy: addedBy,
                createdAt: try Timestamp.date(created)
            )
        }
    }

    public func saveAssessment(_ assessment: StoredAssessment) async throws(StoreError) {
        let document = String(decoding: assessment.document, as: UTF8.self)
        let created = Timestamp.text(assessment.createdAt)
        try await write { connection, logger in
            try await connection.query(
                """
                INSERT INTO assessments (id, title, document, created_at) VALUES (\(assessment.id), \
                \(assessment.title), \(document), \(created))
                """,
                logger: logger
            )
        }
    }

    static func assessment(_ row: PostgresRow) throws -> StoredAssessment {
        let (id, title, document, created) = try row.decode((String, String, String, String).self)
        return StoredAssessment(
            id: id,
            title: title,
            document: Data(document.utf8),
            createdAt: try Timestamp.date(created)
        )
    }

    public func assessments(limit: Int?) async throws(StoreError) -> [StoredAssessment] {
        try await rows(
            Self.query(
                "SELECT id, title, document, created_at FROM assessments ORDER BY created_at DESC, id",
                values: [],
                limit: limit
            ),
            Self.assessment
        )
    }

    public func assessment(id: String) async throws(StoreError) -> StoredAssessment? {
        try await rows(
            Self.query("SELECT id, title, document, created_at FROM assessments WHERE id = ?", values: [id]),
            Self.assessment
        ).first
    }

    static func token(_ row: PostgresRow) throws -> AccessToken {
        let (id, name, role, hash, created, revoked) = try row.decode(
            (String, String, String, String, String, String?).self
        )
        return try Columns.token(id: id, name: name, role: role, hash: hash, createdAt: created, revokedAt: revoked)
    }

    public func createToken(_ token: AccessToken) async throws(StoreError) {
        let created = Timestamp.text(token.createdAt)
        let revoked = token.revokedAt.map(Timestamp.text)
        try await write { connection, logger in
            try await connection.query(
                """
                INSERT INTO tokens (id, name, role, hash, created_at, revoked_at) VALUES (\(token.id), \(token.name), \
                \(token.role.description), \(token.hash), \(created), \(revoked))
                """,
                logger: logger
            )
        }
    }

    public func token(hash: String) async throws(StoreError) -> AccessToken? {
        try await rows(Self.query("SELECT \(Columns.token) FROM tokens WHERE hash = ?", values: [hash]), Self.token)
            .first
    }

    public func tokens() async throws(StoreError) -> [AccessToken] {
        try await rows(
            PostgresQuery(unsafeSQL: "SELECT \(Columns.token) FROM tokens ORDER BY created_at, id"),
            Self.token
        )
    }

    public func revokeToken(id: String, at time: Date) async throws(StoreError) -> AccessToken {
        let stamp = Timestamp.text(time)
        return try await write { connection, logger in
            var found: AccessToken?
            for try await row in try await connection.query(
                Self.query("SELECT \(Columns.token) FROM tokens WHERE id = ? FOR UPDATE", values: [id]),
                logger: logger
            ) {
                found = try Self.token(row)
            }
            guard var token = found else { throw StoreError.notFound("no token \(id)") }
            if token.revokedAt == nil {
                try await connection.query("UPDATE tokens SET revoked_at = \(stamp) WHERE id = \(id)", logger: logger)
                token.revokedAt = try Timestamp.date(stamp)
            }
            return token
        }
    }

    // MARK: Vendor keys

    static func vendorKey(_ row: PostgresRow) throws -> VendorKey {
        let (id, vendor, name, publicKey, registeredBy, created, revoked) = try row.decode(
            (String, String, String, String, String, String, String?).self
        )
        return try Columns.vendorKey(
            id: id,
            vendor: vendor,
            name: name,
            publicKey: publicKey,
            registeredBy: registeredBy,
            createdAt: created,
            revokedAt: revoked
        )
    }

    public func registerVendorKey(_ key: VendorKey) async throws(StoreError) {
        let created = Timestamp.text(key.createdAt)
        let revoked = key.revokedAt.map(Timestamp.text)
        try await write { connection, logger in
            for try await _ in try await connection.query(
                Self.query(
                    "SELECT id FROM vendor_keys WHERE id = ? OR public_key = ?",
                    values: [key.id, key.publicKey]
                ),
                logger: logger
            ) {
                throw StoreError.conflict("key \(key.id) is already registered")
            }
            try await connection.query(
                """
                INSERT INTO vendor_keys (id, vendor, name, public_key, registered_by, created_at, revoked_at) VALUES \
                (\(key.id), \(key.vendor), \(key.name), \(key.publicKey), \(key.registeredBy), \(created), \(revoked))
                """,
                logger: logger
            )
        }
    }

    public func vendorKeys(vendor: String?) async throws(StoreError) -> [VendorKey] {
        if let vendor {
            return try await rows(
                Self.query(
                    "SELECT \(Columns.vendorKey) FROM vendor_keys WHERE vendor = ? ORDER BY created_at, id",
                    values: [vendor]
                ),
                Self.vendorKey
            )
        }
        return try await rows(
            PostgresQuery(unsafeSQL: "SELECT \(Columns.vendorKey) FROM vendor_keys ORDER BY created_at, id"),
            Self.vendorKey
        )
    }

    public func vendorKey(id: String) async throws(StoreError) -> VendorKey? {
        try await rows(
            Self.query("SELECT \(Columns.vendorKey) FROM vendor_keys WHERE id = ?", values: [id]),
            Self.vendorKey
        ).first
    }

    public func revokeVendorKey(id: String, at time: Date) async throws(StoreError) -> VendorKey {
        let stamp = Timestamp.text(time)
        return try await write { connection, logger in
            var found: VendorKey?
            for try await row in try await connection.query(
                Self.query("SELECT \(Columns.vendorKey) FROM vendor_keys WHERE id = ? FOR UPDATE", values: [id]),
                logger: logger
            ) {
                found = try Self.vendorKey(row)
            }
            guard var key = found else { throw StoreError.notFound("no key \(id)") }
            if key.revokedAt == nil {
                try await connection.query(
                    "UPDATE vendor_keys SET revoked_at = \(stamp) WHERE id = \(id)",
                    logger: logger
                )
                key.revokedAt = try Timestamp.date(stamp)
            }
            return key
        }
    }

    // MARK: Campaigns

    static func campaign(_ row: PostgresRow) throws -> StoredCampaign {
        let (name, plan, reason, created) = try row.decode((String, String, String?, String).self)
        return StoredCampaign(name: name, plan: plan, overrideReason: reason, createdAt: try Timestamp.date(created))
    }

    public func registerCampaign(_ campaign: StoredCampaign) async throws(StoreError) -> StoredCampaign {
        let created = Timestamp.text(campaign.createdAt)
        return try await write { connection, logger in
            try await connection.query(
                """
                INSERT INTO campaigns (name, plan, override_reason, created_at) VALUES (\(campaign.name), \
                \(campaign.plan), \(campaign.overrideReason), \(created)) ON CONFLICT (name) DO NOTHING
                """,
                logger: logger
            )
            for try await row in try await connection.query(
                "SELECT name, plan, override_reason, created_at FROM campaigns WHERE name = \(campaign.name)",
                logger: logger
            ) {
                return try Self.campaign(row)
            }
            throw StoreError.notFound("no campaign \(campaign.name)")
        }
    }

    public func campaign(name: String) async throws(StoreError) -> StoredCampaign? {
        try await rows(
            Self.query("SELECT name, plan, override_reason, created_at FROM campaigns WHERE name = ?", values: [name]),
            Self.campaign
        ).first
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
        return try await write { connection, logger in
            var existing: (state: String, attempts: Int)?
            for try await row in try await connection.query(
                "SELECT state, attempts FROM campaign_tasks WHERE campaign = \(campaign) AND task = \(task) FOR UPDATE",
                logger: logger
            ).decode((String, Int).self) {
                existing = (row.0, row.1)
            }
            if existing?.state == "done" { return TaskCompletion.alreadyDone }
            let ids = rows.map(\.id)
            if !ids.isEmpty {
                for try await taken in try await connection.query(
                    "SELECT id FROM results WHERE id = ANY(\(ids)) LIMIT 1",
                    logger: logger
                ).decode(String.self) {
                    throw StoreError.conflict("result \(taken) is already stored")
                }
            }
            for row in rows {
                try await Self.insert(
                    row,
                    submission: nil,
                    campaign: campaign,
                    storedAt: stamp,
                    on: connection,
                    logger: logger
                )
            }
            if let document {
                try await Self.insertCampaignServing(
                    campaign: campaign,
                    task: task,
                    document: document,
                    storedAt: stamp,
                    on: connection,
                    logger: logger
                )
            }
            let attempts = (existing?.attempts ?? 0) + 1
            try await connection.query(
                """
                INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                updated_at, document) VALUES (\(campaign), \(task), \(index), 'done', \(attempts), NULL, \(rows.count), \
                \(stamp), \(text)) ON CONFLICT (campaign, task) DO UPDATE SET state = 'done', \
                attempts = excluded.attempts, cause = NULL, result_count = excluded.result_count, \
                updated_at = excluded.updated_at, document = excluded.document
                """,
                logger: logger
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
        try await write { connection, logger in
            try await connection.query(
                """
                INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                updated_at) VALUES (\(campaign), \(task), \(index), \(state.rawValue), 1, \(cause), 0, \(stamp)) \
                ON CONFLICT (campaign, task) DO UPDATE SET state = excluded.state, \
                attempts = campaign_tasks.attempts + 1, cause = excluded.cause, updated_at = excluded.updated_at \
                WHERE campaign_tasks.state <> 'done'
                """,
                logger: logger
            )
        }
    }

    public func campaignTasks(campaign: String) async throws(StoreError) -> [CampaignTaskRecord] {
        try await rows(
            Self.query(
                """
                SELECT campaign, task, task_index, state, attempts, cause, result_count, updated_at \
                FROM campaign_tasks WHERE campaign = ? ORDER BY task_index
                """,
                values: [campaign]
            )
        ) { row in
            let columns = try row.decode((String, String, Int, String, Int, String?, Int, String).self)
            return try Columns.campaignTask(
                campaign: columns.0,
                task: columns.1,
                index: columns.2,
                state: columns.3,
                attempts: columns.4,
                cause: columns.5,
                resultCount: columns.6,
                updatedAt: columns.7
            )
        }
    }

    public func campaignDocuments(campaign: String) async throws(StoreError) -> [String: Data] {
        let pairs = try await rows(
            Self.query(
                "SELECT task, document FROM campaign_tasks WHERE campaign = ? AND document IS NOT NULL",
                values: [campaign]
            )
        ) { row in
            let (task, document) = try row.decode((String, String).self)
            return (task, Data(document.utf8))
        }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }

    public func campaignResults(campaign: String) async throws(StoreError) -> [BenchmarkResult] {
        try await rows(
            Self.query("SELECT id, document FROM results WHERE campaign = ? ORDER BY id", values: [campaign])
        ) { row in
            let (id, document) = try row.decode((String, String).self)
            return try ResultDocument.result(document, id: id)
        }
    }

    public func close() async {}

    /// Runs one statement outside a transaction (tests create and drop databases with it).
    package func execute(unsafeSQL sql: String) async throws(StoreError) {
        _ = try await rows(PostgresQuery(unsafeSQL: sql)) { _ in 0 }
    }
}
