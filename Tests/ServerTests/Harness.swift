import AsyncHTTPClient
import Catalogue
import Foundation
import Measure
import NIOCore
import NIOHTTP1
import ParityTesting
import Reporting
import Server
import Store
import Testing

/// A real `parity server` on 127.0.0.1 (free port) over a fresh store, with one token per role and an HTTP
/// client with enough connections for 50 concurrent callers.
struct Harness: Sendable {
    struct Reply: Sendable {
        var status: Int
        var body: Data
        var headers: [(String, String)]

        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not an object: \(text)")
        }

        func list() throws -> [[String: Any]] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [[String: Any]], "not a list: \(text)")
        }

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    let port: Int
    let store: any ResultStore
    let server: ParityServer
    let client: HTTPClient
    /// Secrets by role: admin, reviewer, huawei, cambricon, nvidia.
    let tokens: [String: String]
    /// Each vendor's signing key, registered in the store for that vendor only.
    let keys: [String: SigningKey]
    /// The vendors with tokens and registered keys.
    static let vendors = ["huawei", "cambricon", "nvidia"]

    static let catalogue: ChipCatalogue = {
        // The built-in catalogue ships with the package; failing to read it is a broken build.
        (try? ChipCatalogue.load()) ?? ChipCatalogue(chips: [])
    }()

    static func withServer<T: Sendable>(
        _ kind: StoreKind,
        maxBodyBytes: Int = 256 * 1024,
        catalogue: ChipCatalogue = Harness.catalogue,
        configure: @Sendable (inout ServerConfiguration) -> Void = { _ in },
        prepare: @Sendable (any ResultStore) async throws -> Void = { _ in },
        _ body: @Sendable (Harness) async throws -> T
    ) async throws -> T {
        try await StoreFixture.withStore(kind) { store in
            try await prepare(store)
            var tokens: [String: String] = [:]
            for (name, role) in [
                ("admin", Role.admin), ("reviewer", .reviewer), ("huawei", .vendor("huawei")),
                ("cambricon", .vendor("cambricon")), ("nvidia", .vendor("nvidia")),
            ] {
                let secret = TokenSecret.generate()
                tokens[name] = secret
                try await store.createToken(
                    AccessToken(
                        id: "tok-\(name)",
                        name: name,
                        role: role,
                        hash: TokenSecret.hash(secret),
                        createdAt: Date()
                    )
                )
            }
            var keys: [String: SigningKey] = [:]
            for vendor in vendors {
                let key = SigningKey.generate()
                keys[vendor] = key
                try await store.registerVendorKey(
                    VendorKey(
                        id: key.keyID,
                        vendor: vendor,
                        name: "\(vendor) test key",
                        publicKey: key.publicKey.base64EncodedString(),
                        registeredBy: "tok-admin",
                        createdAt: Date().addingTimeInterval(-60)
                    )
                )
            }
            let frozenKeys = keys
            var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes)
            configure(&configuration)
            let server = ParityServer(store: store, catalogue: catalogue, configuration: configuration)
            var clientConfiguration = HTTPClient.Configuration()
            clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: clientConfiguration)
            let frozenTokens = tokens
            do {
                let value = try await withThrowingTaskGroup(of: Void.self) { group in
                    let (ports, continuation) = AsyncStream<Int>.makeStream()
                    group.addTask {
                        try await server.run { port in continuation.yield(port) }
                    }
                    var iterator = ports.makeAsyncIterator()
                    let port = try #require(await iterator.next())
                    let harness = Harness(
                        port: port,
                        store: store,
                        server: server,
                        client: client,
                        tokens: frozenTokens,
                        keys: frozenKeys
                    )
                    let value = try await body(harness)
                    group.cancelAll()
                    return value
                }
                try await client.shutdown()
                return value
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    enum Method: String, Sendable {
        case GET, POST, DELETE
    }

    func request(
        _ method: Method,
        _ path: String,
        token: String? = nil,
        headers: [(String, String)] = [],
        body: Data? = nil,
        port: Int? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port ?? self.port)\(path)")
        request.method = HTTPMethod(rawValue: method.rawValue)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(tokens[token] ?? token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(
            status: Int(response.status.code),
            body: Data(buffer.readableBytesView),
            headers: response.headers.map { ($0.name, $0.value) }
        )
    }

    /// Runs `body` with a second server on the same store (another process sharing the database), on its port.
    func withSecondServer<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
        let second = ParityServer(
            store: store,
            catalogue: Self.catalogue,
            configuration: ServerConfiguration(host: "127.0.0.1", port: 0)
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            group.addTask { try await second.run { port in continuation.yield(port) } }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let value = try await body(port)
            group.cancelAll()
            return value
        }
    }

    func submit(_ bundle: Data, as token: String, key: String, draft: Bool = false) async throws -> Reply {
        try await request(
            .POST,
            "/v1/submissions\(draft ? "?draft=true" : "")",
            token: token,
            headers: [("Idempotency-Key", key)],
            body: bundle
        )
    }

    /// A bundle signed with the registered key of the first result's chip's vendor.
    func bundle(_ results: [BenchmarkResult]) throws -> Data {
        try SignedBundle.sign(results, with: key(for: results.first?.chip ?? ""))
    }

    /// The registered key of a chip's vendor (the NVIDIA key for chips of vendors without one).
    func key(for chip: String) -> SigningKey {
        let vendor = (try? Self.catalogue.chip(chip).vendorSlug) ?? "nvidia"
        return keys[vendor] ?? SigningKey.generate()
    }
}
