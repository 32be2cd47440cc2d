public import Catalogue
import Foundation
import Hummingbird
public import Logging
import NIOCore
public import Store

/// `parity server`: the REST API under `/v1`, the dashboard, `/healthz` and `/metrics`, over a `ResultStore`.
/// It runs as a `ServiceGroup` (swift-service-lifecycle, through Hummingbird's `runService`) and shuts down
/// gracefully on SIGINT/SIGTERM. The store must be open and running (`StoreLocation.withStore`) for as long as
/// the server runs.
public struct ParityServer: Sendable {
    /// One route, as registered and as `docs/openapi.yaml` must document it.
    public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
        public var method: String
        /// OpenAPI path template, e.g. `/v1/chips/{id}`.
        public var path: String
        public var description: String { "\(method) \(path)" }
    }

    let store: any ResultStore
    let configuration: ServerConfiguration
    let chips: ChipDirectory
    let auth: Authenticator
    let metrics = ServerMetrics()

    public init(store: any ResultStore, catalogue: ChipCatalogue, configuration: ServerConfiguration = .init()) {
        self.store = store
        self.configuration = configuration
        self.chips = ChipDirectory(builtIn: catalogue)
        self.auth = Authenticator(store: store, cacheSeconds: configuration.tokenCacheSeconds)
    }

    /// Every route the server answers.
    public var endpoints: [Endpoint] { routes().endpoints }

    /// Runs until cancelled, or until SIGINT/SIGTERM when `handleSignals` is set; `onRunning` gets the bound port.
    public func run(
        handleSignals: Bool = false,
        logger: Logger? = nil,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        var log = logger ?? Logger(label: "parity-server")
        if logger == nil { log.logLevel = handleSignals ? .info : .critical }
        let (router, _) = routes()
        let port = configuration.port
        var app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "parity"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: log
        )
        let store = self.store
        let chips = self.chips
        let startLog = log
        app.beforeServerStarts {
            try await chips.reload(from: store)
            for clash in chips.clashes {
                startLog.warning(
                    "store chip '\(clash.id)' (added by \(clash.addedBy)) is ignored: the catalogue has that ID"
                )
            }
        }
        if handleSignals {
            try await app.runService()
        } else {
            try await app.run()
        }
    }

    typealias Handler = @Sendable (Request, ParityRequestContext) async throws -> Response

    /// The routes. Public ones (`/healthz`, `/metrics`, the dashboard and its reports) are registered on the router;
    /// every `/v1` route sits in a group behind `AuthenticationMiddleware` and declares the roles it admits.
    func routes() -> (router: Router<ParityRequestContext>, endpoints: [Endpoint]) {
        let router = Router(context: ParityRequestContext.self)
        router.add(middleware: ObservingMiddleware(metrics: metrics))
        let v1 = router.group("v1").add(middleware: AuthenticationMiddleware(authenticator: auth))
        var endpoints: [Endpoint] = []
        func routerPath(_ path: String) -> RouterPath {
            RouterPath(path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: ""))
        }
        func open(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
            endpoints.append(Endpoint(method: method.rawValue, path: path))
            router.on(routerPath(path), method: method, use: handler)
        }
        func secured(_ method: HTTPRequest.Method, _ path: String, _ access: Access, _ handler: @escaping Handler) {
            endpoints.append(Endpoint(method: method.rawValue, path: path))
            v1.on(routerPath(String(path.dropFirst("/v1/".count))), method: method) { request, context in
                guard access.admits(try context.caller().role) else { throw APIError.forbidden(access.refusal) }
                return try await handler(request, context)
            }
        }
        let api = API(server: self)
        let submitters = Access(kinds: [.vendor, .admin], refusal: "reviewers review submissions; they cannot submit")
        let reviewers = Access(kinds: [.reviewer, .admin], refusal: "only reviewers and admins review submissions")
        open(.get, "/healthz", api.health)
        open(.get, "/metrics", api.metricsText)
        open(.get, "/", api.dashboard)
        open(.get, "/reports/{id}", api.publicReport)
        secured(.get, "/v1/chips", .anyToken, api.listChips)
        secured(
            .post,
            "/v1/chips",
            Access(kinds: [.vendor, .admin], refusal: "reviewers cannot add chips"),
            api.addChip
        )
        secured(.get, "/v1/chips/{id}", .anyToken, api.getChip)
        secured(.get, "/v1/results", .anyToken, api.listResults)
        secured(.get, "/v1/results/{id}", .anyToken, api.getResult)
        secured(.get, "/v1/serving-results", .anyToken, api.listServingResults)
        secured(.get, "/v1/serving-results/{id}", .anyToken, api.getServingResult)
        secured(.post, "/v1/submissions", submitters, api.submit)
        secured(.get, "/v1/submissions", .anyToken, api.listSubmissions)
        secured(.get, "/v1/submissions/{id}", .anyToken, api.getSubmission)
        secured(.post, "/v1/submissions/{id}/submit", submitters, api.promote)
        secured(.post, "/v1/submissions/{id}/review", reviewers, api.review)
        secured(.get, "/v1/assessments", .anyToken, api.listAssessments)
        secured(.get, "/v1/assessments/{id}", .anyToken, api.getAssessment)
        secured(.get, "/v1/assessments/{id}/report", .anyToken, api.assessmentReport)
        secured(.post, "/v1/tokens", .adminOnly, api.createToken)
        secured(.get, "/v1/tokens", .adminOnly, api.listTokens)
        secured(.delete, "/v1/tokens/{id}", .adminOnly, api.revokeToken)
        secured(.post, "/v1/keys", .adminOnly, api.registerKey)
        secured(.get, "/v1/keys", .anyToken, api.listKeys)
        secured(.delete, "/v1/keys/{id}", .adminOnly, api.revokeKey)
        return (router, endpoints)
    }
}
