import Foundation
import HTTPTypes
import Hummingbird
import Store
import Synchronization

/// Resolves `Authorization: Bearer …` (the scheme in any case, RFC 9110 §11.1) to a stored token by the SHA-256 of
/// the secret. Tokens found are cached for `cacheSeconds` so that reads do not each hit the database; writes ask
/// for a fresh look-up, and revoking through the API clears this server's cache at once.
final class Authenticator: Sendable {
    let store: any ResultStore
    let cacheSeconds: Double
    private let cache = Mutex<[String: (token: AccessToken, until: ContinuousClock.Instant)]>([:])

    init(store: any ResultStore, cacheSeconds: Double) {
        self.store = store
        self.cacheSeconds = cacheSeconds
    }

    /// The secret of an `Authorization` header, or `nil` when it is not a bearer credential.
    static func bearerSecret(_ header: String) -> String? {
        guard header.utf8.count < 512, let space = header.firstIndex(of: " ") else { return nil }
        guard header[..<space].lowercased() == "bearer" else { return nil }
        let secret = header[header.index(after: space)...].trimmingCharacters(in: .whitespaces)
        guard !secret.isEmpty, secret.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        return secret
    }

    /// The caller's token; 401 when missing, malformed, unknown or revoked. `fresh` skips the cache.
    func identify(_ request: Request, fresh: Bool = false) async throws -> AccessToken {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthorized("missing bearer token: send 'Authorization: Bearer TOKEN'")
        }
        guard let secret = Self.bearerSecret(header) else {
            throw APIError.unauthorized("malformed Authorization header: expected 'Bearer TOKEN'")
        }
        let hash = TokenSecret.hash(secret)
        let now = ContinuousClock.now
        if !fresh, let cached = cache.withLock({ $0[hash] }), cached.until > now { return cached.token }
        guard let token = try await store.token(hash: hash), token.revokedAt == nil else {
            cache.withLock { _ = $0.removeValue(forKey: hash) }
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
