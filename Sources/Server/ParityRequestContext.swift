import Hummingbird
import Logging
import Store

/// The request context of every route: Hummingbird's core storage plus the caller's token, which
/// `AuthenticationMiddleware` sets for `/v1` routes before any handler runs.
struct ParityRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var token: AccessToken?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        token = nil
    }

    /// The authenticated caller. Routes under `/v1` always have one (the middleware answers 401 otherwise); a
    /// handler that finds none was registered outside the authenticated group, which is a programming error
    /// reported as 401 rather than trusted.
    func caller() throws -> AccessToken {
        guard let token else { throw APIError.unauthorized("missing bearer token: send 'Authorization: Bearer TOKEN'") }
        return token
    }
}

/// Which roles a route admits, and what a refused caller is told.
struct Access: Sendable {
    enum Kind: Sendable, Hashable {
        case vendor, reviewer, admin
    }

    var kinds: Set<Kind>
    var refusal: String

    static let anyToken = Access(kinds: [.vendor, .reviewer, .admin], refusal: "")
    static let adminOnly = Access(kinds: [.admin], refusal: "only admins manage tokens and keys")

    static func kind(of role: Role) -> Kind {
        switch role {
        case .vendor: .vendor
        case .reviewer: .reviewer
        case .admin: .admin
        }
    }

    func admits(_ role: Role) -> Bool { kinds.contains(Self.kind(of: role)) }
}

/// Authenticates every `/v1` request once, before routing reaches a handler: 401 for a missing, malformed,
/// unknown or revoked token. Writes re-read the token from the store, so that a token revoked through any server
/// sharing the database stops writing at once; reads may use the short cache.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = ParityRequestContext
    let authenticator: Authenticator

    func handle(
        _ request: Request,
        context: ParityRequestContext,
        next: (Request, ParityRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.token = try await authenticator.identify(request, fresh: request.method != .get)
        return try await next(request, context)
    }
}
