/// The embedded store: one SQLite file through GRDB (`GRDBDatabase`), in WAL mode (readers never block the
/// writer). Every operation is `SQLStore`'s, written once for both databases.
public final class SQLiteStore: ResultStore, SQLStore {
    public let path: String
    let database: any SQLDatabase

    /// Opens (creating if needed) the database at `path`; `migrate()` applies pending migrations
    /// (`StoreLocation.withStore` does both).
    public init(path: String) throws(StoreError) {
        self.path = path
        database = try GRDBDatabase(path: path)
    }

    /// Applies pending migrations.
    public func migrate() async throws(StoreError) {
        try await migrate(Migrations.all)
    }

    /// Applies the pending ones of `migrations` (tests build a previous release's schema with a prefix).
    package func migrate(_ migrations: [Migrations.Migration]) async throws(StoreError) {
        try await migrate(migrations, location: path)
    }

    /// Runs one statement in its own transaction (tests write rows as a previous release did).
    package func execute(unsafeSQL sql: String) async throws(StoreError) {
        try await database.transaction { executor in try await executor.execute(sql) }
    }

    /// The plan SQLite chooses for `sql` with `values` bound (`EXPLAIN QUERY PLAN`), one line per step.
    func plan(_ sql: String, _ values: [any SQLBindable]) async throws(StoreError) -> [String] {
        try await database.query(SQLDialect.sqlite.explain + sql, values).map { row throws(StoreError) in
            try row.text(3)
        }
    }
}
