/// Why the store refused or failed an operation. Messages name the offending value and never carry database
/// driver text to an API client (`publicMessage`).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database cannot be reached or opened.
    case unavailable(String)
    /// The write contradicts what is stored (a result ID already stored, an idempotency key reused for a
    /// different body).
    case conflict(String)
    case notFound(String)
    case invalid(String)
    /// A migration failed; nothing of it was applied.
    case migration(String)

    public var description: String {
        switch self {
        case .unavailable(let message): "store unavailable: \(message)"
        case .conflict(let message), .notFound(let message), .invalid(let message): message
        case .migration(let message): "store migration failed: \(message)"
        }
    }

    /// What a client of the API may see: the domain message, or a generic one for failures of the database itself.
    public var publicMessage: String {
        switch self {
        case .unavailable, .migration: "the result store is unavailable; try again later"
        case .conflict(let message), .notFound(let message), .invalid(let message): message
        }
    }
}
