public import Foundation

/// Where results live: an SQLite file (the default, in the user's data directory) or a PostgreSQL URL.
public enum StoreLocation: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String)

    /// `postgres://…` or `postgresql://…` is PostgreSQL; anything else is an SQLite path; `nil` is the default
    /// (`$PARITY_DB` when set, else `$XDG_DATA_HOME/parity/parity.sqlite` or `~/.local/share/parity/parity.sqlite`).
    public init(_ text: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let value = text ?? environment["PARITY_DB"]
        if let value, value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            self = .postgres(url: value)
        } else if let value, !value.isEmpty {
            self = .sqlite(path: (value as NSString).expandingTildeInPath)
        } else {
            self = .sqlite(path: Self.defaultSQLitePath(environment: environment))
        }
    }

    public static func defaultSQLitePath(environment: [String: String]) -> String {
        let base =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".local/share")
        return ((base as NSString).appendingPathComponent("parity") as NSString).appendingPathComponent("parity.sqlite")
    }

    /// The location without a password.
    public var description: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return Self.redacted(url)
        }
    }

    /// `scheme://user:***@host…`: the password of a URL replaced, found textually so that it is hidden even in a
    /// URL too malformed for `URLComponents`.
    public static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return url }
        let userInfo = rest[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<schemeEnd.upperBound]) + userInfo[..<colon] + ":***" + rest[at...]
    }

    /// Opens the store (applying migrations) and runs `body` with it; background work stops when `body` returns.
    public func withStore<T: Sendable>(
        _ body: (any ResultStore) async throws -> T
    ) async throws -> T {
        switch self {
        case .sqlite(let path):
            let store = try SQLiteStore(path: path)
            do {
                try await store.migrate()
                let value = try await body(store)
                await store.close()
                return value
            } catch {
                await store.close()
                throw error
            }
        case .postgres(let url):
            let store = try PostgresStore(url: url)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                try await store.migrate()
                return try await body(store)
            }
        }
    }
}
