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
            configuration: .init(address: .hostname(configuration.host, port: port), serverName: "parity"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: log
        )
        let store = self.store
        let chips = self.chips
        app.beforeServerStarts {
            try await chips.reload(from: store)
        }
        if handleSignals {
            try await app.runService()
        } else {
            try await app.run()
        }
    }

    func routes() -> (router: Router<BasicRequestContext>, endpoints: [Endpoint]) {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ObservingMiddleware(metrics: metrics))
        var endpoints: [Endpoint] = []
        func add(
            _ method: HTTPRequest.Method,
            _ path: String,
            _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
        ) {
            endpoints.append(Endpoint(method: method.rawValue, path: path))
            let hummingbirdPath = path.replacingOccurrences(of: "{", with: ":").replacingOccurrences(of: "}", with: "")
            router.on(RouterPath(hummingbirdPath), method: method, use: handler)
        }
        let api = API(server: self)
        add(.get, "/healthz", api.health)
        add(.get, "/metrics", api.metricsText)
        add(.get, "/", api.dashboard)
        add(.get, "/reports/{id}", api.publicReport)
        add(.get, "/v1/chips", api.listChips)
        add(.post, "/v1/chips", api.addChip)
        add(.get, "/v1/chips/{id}", api.getChip)
        add(.get, "/v1/results", api.listResults)
        add(.get, "/v1/results/{id}", api.getResult)
        add(.post, "/v1/submissions", api.submit)
        add(.get, "/v1/submissions", api.listSubmissions)
        add(.get, "/v1/submissions/{id}", api.getSubmission)
        add(.post, "/v1/submissions/{id}/submit", api.promote)
        add(.post, "/v1/submissions/{id}/review", api.review)
        add(.get, "/v1/assessments", api.listAssessments)
        add(.get, "/v1/assessments/{id}", api.getAssessment)
        add(.get, "/v1/assessments/{id}/report", api.assessmentReport)
        add(.post, "/v1/tokens", api.createToken)
        add(.get, "/v1/tokens", api.listTokens)
        add(.delete, "/v1/tokens/{id}", api.revokeToken)
        return (router, endpoints)
    }
}
