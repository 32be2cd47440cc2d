/// Runs statements inside one transaction: the statements an operation issues between `BEGIN` and `COMMIT`.
/// Errors are the driver's; the transaction maps them to `StoreError` once.
protocol SQLExecutor: Sendable {
    var dialect: SQLDialect { get }
    func query(_ sql: String, _ values: [any SQLBindable]) async throws -> [SQLRow]
    func execute(_ sql: String, _ values: [any SQLBindable]) async throws
    /// Inserts many rows at once, with no round trip per row: SQLite reuses one prepared statement in one step of
    /// the writer; PostgreSQL sends multi-row `INSERT`s of as many rows as its bind limit allows.
    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws
}

/// The thin SQL layer every store operation is written over (`SQLStore`): single-statement reads outside a
/// transaction, and write transactions whose body is async on both databases. Implemented once for GRDB
/// (`GRDBDatabase`) and once for postgres-nio (`PostgresDatabase`).
protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// One read statement on its own (a reader connection on SQLite, the pool on PostgreSQL).
    func query(_ sql: String, _ values: [any SQLBindable]) async throws(StoreError) -> [SQLRow]
    /// `body` in one transaction: committed when it returns, rolled back when it throws — nothing of the call is
    /// written then. PostgreSQL retries a body that collided with a concurrent one on a unique key.
    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLExecutor) async throws -> T
    ) async throws(StoreError) -> T
    /// Serves background work (PostgreSQL's connection pool) until cancelled.
    func run() async throws
    func close() async
}

extension SQLDatabase {
    func query(_ sql: String, _ values: any SQLBindable...) async throws(StoreError) -> [SQLRow] {
        try await query(sql, values)
    }
}

extension SQLExecutor {
    func query(_ sql: String, _ values: any SQLBindable...) async throws -> [SQLRow] {
        try await query(sql, values)
    }

    func execute(_ sql: String, _ values: any SQLBindable...) async throws {
        try await execute(sql, values)
    }
}
