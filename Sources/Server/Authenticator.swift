import Foundation
import Hummingbird
import Store
import Synchronization

/// Resolves `Authorization: Bearer …` to a stored token by the SHA-256 of the secret. Found tokens are cached
/// for a few seconds so that reads do not each hit the database; revoking through the API clears the cache at
/// once, revoking with the CLI takes effect within `cacheSeconds`.
final class Authenticator: Sendable {
    let store: any ResultStore
    let cacheSeconds: Double
    private let cache = Mutex<[String: (token: AccessToken, until: ContinuousClock.Instant)]>([:])

    init(store: any ResultStore, cacheSeconds: Double) {
        self.store = store
        self.cacheSeconds = cacheSeconds
    }

    /// The caller's token; 401 when missing, malformed, unknown or revoked.
    func identify(_ request: Request) async throws -> AccessToken {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token: send 'Authorization: Bearer TOKEN'")
        }
        guard header.hasPrefix("Bearer "), header.count > 7, header.count < 512 else {
            throw APIError.unauthorized("malformed Authorization header: expected 'Bearer TOKEN'")
        }
        let hash = TokenSecret.hash(String(header.dropFirst(7)))
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0[hash] }), cached.until > now { return cached.token }
        guard let token = try await store.token(hash: hash), token.revokedAt == nil else {
            throw APIError.unauthorized("unknown or revoked token")
        }
        cache.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[hash] = (token, now.advanced(by: .milliseconds(Int(cacheSeconds * 1000))))
        }
        return token
    }

    func forget(tokenID: String) {
        cache.withLock { entries in entries = entries.filter { $0.value.token.id != tokenID } }
    }
}
