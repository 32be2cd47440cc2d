import Foundation
import GRDB

/// The SQL layer on SQLite through GRDB. A write transaction is `BEGIN IMMEDIATE` … `COMMIT` on GRDB's single
/// writer connection, each statement one step of the writer (`writeWithoutTransaction`), with the transaction left
/// open between steps (`allowsUnsafeTransactions`) and this process's `WriteLock` keeping every other write of the
/// store out meanwhile; another process waits on SQLite's lock. Reads run on WAL readers and never see an
/// uncommitted write.
struct GRDBDatabase: SQLDatabase {
    let pool: DatabasePool
    let lock = WriteLock()
    var dialect: SQLDialect { .sqlite }

    /// Opens (creating if needed) the database at `path`: WAL, `synchronous = NORMAL` — a committed write survives
    /// a crash of Parity, though not a power cut in the last instant — and a 10 s wait for another process's lock.
    init(path: String) throws(StoreError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw .unavailable("cannot open SQLite database \(path): \(Self.message(error))")
        }
    }

    static func message(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "SQLite error \(error.resultCode)" }
        return "\(error)"
    }

    static func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        return .unavailable(message(error))
    }

    func query(_ sql: String, _ values: [any SQLBindable]) async throws(StoreError) -> [SQLRow] {
        let arguments = Self.arguments(values)
        do {
            return try await pool.read { db in try Self.fetch(db, sql, arguments) }
        } catch {
            throw Self.storeError(error)
        }
    }

    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLExecutor) async throws -> T
    ) async throws(StoreError) -> T {
        let pool = self.pool
        do {
            return try await lock.withLock {
                try await pool.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
                do {
                    let value = try await body(GRDBExecutor(pool: pool))
                    try await pool.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
                    return value
                } catch {
                    Self.rollback(pool)
                    throw error
                }
            }
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Rolls back the open transaction, if any (an interrupted statement may have ended it already). Blocking, so
    /// that a cancelled task still rolls back before the lock passes on.
    static func rollback(_ pool: DatabasePool) {
        try? pool.writeWithoutTransaction { db in
            if db.isInsideTransaction { try db.execute(sql: "ROLLBACK") }
        }
    }

    func run() async throws {
        // Nothing runs in the background; wait for cancellation.
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }

    func close() async {
        try? pool.close()
    }

    static func arguments(_ values: [any SQLBindable]) -> StatementArguments {
        StatementArguments(values.map { $0.sqlValue.databaseValue })
    }

    static func fetch(_ db: Database, _ sql: String, _ arguments: StatementArguments) throws -> [SQLRow] {
        // Cached statements: compiling SQL (with GRDB's authorizer) was a tenth of a submission's time.
        let statement = try db.cachedStatement(sql: sql)
        return try Row.fetchAll(statement, arguments: arguments).map { row in
            SQLRow(values: row.databaseValues.map(SQLValue.init))
        }
    }
}

/// Statements of an open SQLite write transaction on GRDB's writer. A statement runs synchronously on the
/// writer's queue, which is idle because this transaction holds the lock: no suspension, and no wait for a free
/// thread, between the statements of a transaction that holds every other writer out. A large batch insert is one
/// asynchronous step instead, so that it does not hold a thread of the cooperative pool.
struct GRDBExecutor: SQLExecutor {
    let pool: DatabasePool
    var dialect: SQLDialect { .sqlite }
    /// Rows above which `insert` leaves the calling thread.
    static let synchronousRows = 64

    func query(_ sql: String, _ values: [any SQLBindable]) async throws -> [SQLRow] {
        try Self.onWriter(pool) { db in try GRDBDatabase.fetch(db, sql, GRDBDatabase.arguments(values)) }
    }

    func execute(_ sql: String, _ values: [any SQLBindable]) async throws {
        try Self.onWriter(pool) { db in
            try db.cachedStatement(sql: sql).execute(arguments: GRDBDatabase.arguments(values))
        }
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        guard !rows.isEmpty else { return }
        let sql =
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES (\(SQLDialect.placeholders(columns.count)))"
        let write: @Sendable (Database) throws -> Void = { db in
            let statement = try db.cachedStatement(sql: sql)
            for row in rows {
                statement.setUncheckedArguments(StatementArguments(row.map(\.databaseValue)))
                try statement.execute()
            }
        }
        if rows.count <= Self.synchronousRows {
            try Self.onWriter(pool, write)
        } else {
            try await pool.writeWithoutTransaction(write)
        }
    }

    /// `body` on the writer, synchronously (a non-async function, so that GRDB's blocking overload is the one
    /// called).
    static func onWriter<T>(_ pool: DatabasePool, _ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction(body)
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .text(let value): value.databaseValue
        case .integer(let value): value.databaseValue
        case .real(let value): value.databaseValue
        }
    }

    init(_ value: DatabaseValue) {
        switch value.storage {
        case .null: self = .null
        case .int64(let value): self = .integer(Int(value))
        case .double(let value): self = .real(value)
        case .string(let value): self = .text(value)
        case .blob(let data): self = .text(String(decoding: data, as: UTF8.self))
        }
    }
}
