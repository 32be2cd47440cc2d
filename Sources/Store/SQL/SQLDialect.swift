/// What differs between the two databases, kept here so that operations are written once. Statements in
/// operations use `?` placeholders; PostgreSQL's executor numbers them (`$1…$n`). Both read the same types: text,
/// 64-bit integers, doubles; times as fixed-width ISO 8601 text and flags as 0/1 integers (no BOOLEAN, no
/// timestamp types, no JSON operators), so only the few clauses below differ.
enum SQLDialect: String, Sendable {
    case sqlite
    case postgres

    /// Appended to a `SELECT` that reads a row the transaction will update: `FOR UPDATE` on PostgreSQL; nothing on
    /// SQLite, whose write transactions (`BEGIN IMMEDIATE`) already exclude every other writer.
    var forUpdate: String {
        switch self {
        case .sqlite: ""
        case .postgres: " FOR UPDATE"
        }
    }

    /// The most values one statement may bind (SQLite's default `SQLITE_MAX_VARIABLE_NUMBER`; PostgreSQL's
    /// protocol limit of 65,535 parameters).
    var maxParameters: Int {
        switch self {
        case .sqlite: 32_766
        case .postgres: 65_535
        }
    }

    /// The collation that orders text by code point, as Swift's `String` comparison does for the IDs we store (a
    /// PostgreSQL database's default collation may follow a locale instead).
    var codePointCollation: String {
        switch self {
        case .sqlite: "COLLATE BINARY"
        case .postgres: "COLLATE \"C\""
        }
    }

    /// The collation of the schema's text columns, applied to a value computed under `codePointCollation` so that it
    /// can be looked up in their indexes again (PostgreSQL uses an index only under its own collation).
    var columnCollation: String {
        switch self {
        case .sqlite: "COLLATE BINARY"
        case .postgres: "COLLATE \"default\""
        }
    }

    /// The plan of a statement: `EXPLAIN QUERY PLAN` (SQLite), `EXPLAIN` (PostgreSQL).
    var explain: String {
        switch self {
        case .sqlite: "EXPLAIN QUERY PLAN "
        case .postgres: "EXPLAIN "
        }
    }

    // MARK: - Migrations

    /// Statements that take the migration lock inside the migration transaction: an advisory lock on PostgreSQL, so
    /// that servers starting together migrate one at a time; on SQLite `BEGIN IMMEDIATE` is the lock.
    var migrationLock: [String] {
        switch self {
        case .sqlite: []
        case .postgres: ["SELECT pg_advisory_xact_lock(7420135)"]
        }
    }

    /// The table of applied migrations: GRDB's on SQLite (the table earlier releases' `DatabaseMigrator` kept, so
    /// their databases keep their history), `parity_migrations` on PostgreSQL.
    var createMigrationTable: String {
        switch self {
        case .sqlite: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)"
        case .postgres:
            "CREATE TABLE IF NOT EXISTS parity_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        }
    }

    /// Applied migrations in the order they were applied.
    var appliedMigrations: String {
        switch self {
        case .sqlite: "SELECT identifier FROM grdb_migrations ORDER BY rowid"
        case .postgres: "SELECT identifier FROM parity_migrations ORDER BY identifier"
        }
    }

    /// The statement that records migration `id` as applied at `time` (GRDB's table has no time column).
    func recordMigration(_ id: String, at time: String) -> (sql: String, values: [any SQLBindable]) {
        switch self {
        case .sqlite: ("INSERT INTO grdb_migrations (identifier) VALUES (?)", [id])
        case .postgres: ("INSERT INTO parity_migrations (identifier, applied_at) VALUES (?, ?)", [id, time])
        }
    }

    /// `?, ?, …` for `count` values.
    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    /// What `refreshStatistics` runs: `ANALYZE` of the growing tables on PostgreSQL; SQLite's own advice after
    /// bulk changes, `PRAGMA optimize` (it analyses only what needs it).
    var statisticsRefresh: [String] {
        switch self {
        case .sqlite: ["PRAGMA optimize"]
        case .postgres: ["ANALYZE results", "ANALYZE serving_results"]
        }
    }
}
