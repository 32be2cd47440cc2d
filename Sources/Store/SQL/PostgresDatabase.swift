import Logging
import NIOCore
import PostgresNIO

/// The SQL layer on PostgreSQL through postgres-nio's connection pool. `?` placeholders become `$1…$n` and every
/// value is bound. A transaction whose body collides with a concurrent one — on a unique key, in a deadlock, or
/// as a serialization failure — is retried (up to 5 times), so that a concurrent retry of the same idempotency key
/// is answered as a replay and two overlapping imports both succeed.
struct PostgresDatabase: SQLDatabase {
    let client: PostgresClient
    let logger: Logger
    /// Where it connects, without the password.
    let location: String
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ values: [any SQLBindable]) async throws(StoreError) -> [SQLRow] {
        do {
            return try await Self.rows(try await client.query(Self.query(sql, values), logger: logger))
        } catch {
            throw storeError(error)
        }
    }

    func transaction<T: Sendable>(
        _ body: @escaping @Sendable (any SQLExecutor) async throws -> T
    ) async throws(StoreError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let logger = self.logger
                return try await client.withTransaction(logger: logger) { connection in
                    try await body(PostgresExecutor(connection: connection, logger: logger))
                }
            } catch {
                if attempt < 5, Self.isRetryable(error) { continue }
                throw storeError(error)
            }
        }
    }

    func run() async throws {
        await client.run()
    }

    func close() async {}

    // MARK: - Statements

    /// `sql` with its `?` placeholders numbered and `values` bound.
    static func query(_ sql: String, _ values: [any SQLBindable]) -> PostgresQuery {
        // Scanned as bytes: a multi-row INSERT of a batch is a few hundred kilobytes of placeholders.
        var text = ""
        text.reserveCapacity(sql.utf8.count + values.count * 4)
        var index = 0
        var start = sql.utf8.startIndex
        for position in sql.utf8.indices where sql.utf8[position] == UInt8(ascii: "?") {
            index += 1
            text += sql[start..<position]
            text += "$\(index)"
            start = sql.utf8.index(after: position)
        }
        text += sql[start...]
        var bindings = PostgresBindings()
        for value in values { bindings.append(value.sqlValue) }
        return PostgresQuery(unsafeSQL: text, binds: bindings)
    }

    static func rows(_ sequence: PostgresRowSequence) async throws -> [SQLRow] {
        var out: [SQLRow] = []
        for try await row in sequence {
            out.append(SQLRow(values: try row.map(SQLValue.init)))
        }
        return out
    }

    // MARK: - Errors

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

    /// A unique violation (23505), a deadlock (40P01) or a serialization failure (40001): the transaction lost a
    /// race, and running it again sees the winner's rows.
    static func isRetryable(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError, let inner = error.closureError ?? error.commitError {
            return isRetryable(inner)
        }
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return false }
        return ["23505", "40P01", "40001"].contains(state)
    }

    func storeError(_ error: any Error) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? PostgresTransactionError, let inner = error.closureError as? StoreError {
            return inner
        }
        if Self.isConnectionFailure(error) {
            return .unavailable(
                "cannot connect to PostgreSQL at \(location) (is the server running, and does the database exist?): "
                    + Self.message(error)
            )
        }
        return .unavailable(Self.message(error))
    }
}

/// Statements of an open PostgreSQL transaction, on the connection it holds.
struct PostgresExecutor: SQLExecutor {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ values: [any SQLBindable]) async throws -> [SQLRow] {
        try await PostgresDatabase.rows(try await connection.query(PostgresDatabase.query(sql, values), logger: logger))
    }

    func execute(_ sql: String, _ values: [any SQLBindable]) async throws {
        try await connection.query(PostgresDatabase.query(sql, values), logger: logger)
    }

    func insert(into table: String, columns: [String], rows: [[SQLValue]]) async throws {
        guard !rows.isEmpty else { return }
        let perStatement = max(1, dialect.maxParameters / columns.count)
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        let tuple = "(" + SQLDialect.placeholders(columns.count) + ")"
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            let sql = head + Array(repeating: tuple, count: chunk.count).joined(separator: ", ")
            try await execute(sql, chunk.flatMap { $0 })
            start += chunk.count
        }
    }
}

extension PostgresBindings {
    mutating func append(_ value: SQLValue) {
        switch value {
        case .null: appendNull()
        case .text(let text): append(text)
        case .integer(let integer): append(integer)
        case .real(let real): append(real)
        }
    }
}

extension SQLValue {
    /// A cell as the schema's types read: integers, floating point, Booleans as 0/1, anything else as text.
    init(_ cell: PostgresCell) throws {
        guard cell.bytes != nil else {
            self = .null
            return
        }
        switch cell.dataType {
        case .int2, .int4, .int8: self = .integer(try cell.decode(Int.self))
        case .float4, .float8: self = .real(try cell.decode(Double.self))
        case .bool: self = .integer(try cell.decode(Bool.self) ? 1 : 0)
        default: self = .text(try cell.decode(String.self))
        }
    }
}
