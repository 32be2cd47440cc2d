import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The shared store: PostgreSQL through postgres-nio's connection pool (`PostgresDatabase`). Same schema and
/// migrations as SQLite; migrations run under an advisory lock so that several servers may start at once. Every
/// operation is `SQLStore`'s, written once for both databases.
public final class PostgresStore: ResultStore, SQLStore {
    let database: any SQLDatabase
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
        let logger = Logger(label: "parity.store.postgres") { _ in SwiftLogNoOpLogHandler() }
        location = "\(configuration.host ?? "?"):\(configuration.port ?? 5432)/\(configuration.database ?? "")"
        database = PostgresDatabase(
            client: PostgresClient(configuration: configuration, backgroundLogger: logger),
            logger: logger,
            location: location
        )
    }

    /// Applies pending migrations; call once after `run` has started.
    public func migrate() async throws(StoreError) {
        try await migrate(Migrations.all)
    }

    /// Applies the pending ones of `migrations` (tests build a previous release's schema with a prefix).
    package func migrate(_ migrations: [Migrations.Migration]) async throws(StoreError) {
        try await migrate(migrations, location: location)
    }

    /// Runs one statement outside a transaction (tests create and drop databases with it).
    package func execute(unsafeSQL sql: String) async throws(StoreError) {
        _ = try await database.query(sql)
    }

    /// The plan PostgreSQL chooses for `sql` with `values` bound (`EXPLAIN`), one line per node.
    func plan(_ sql: String, _ values: [any SQLBindable]) async throws(StoreError) -> [String] {
        try await database.query(SQLDialect.postgres.explain + sql, values).map { row throws(StoreError) in
            try row.text(0)
        }
    }
}
