import Assessment
import Catalogue
import Foundation
import HTTPTypes
import Hummingbird
import Measure
import Reporting
import Store

/// The handlers. Each authenticates, checks the role, validates input into a domain value, calls the store, and
/// answers JSON; errors become `APIError`s (see `ErrorMapping`).
struct API: Sendable {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    let server: ParityServer
    var store: any ResultStore { server.store }

    // MARK: Service

    func health(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        struct Health: Encodable {
            var status: String
            var store: String
            var migrations: [String]
        }
        do {
            try await store.ping()
            return JSON.response(
                Health(status: "ok", store: store.kind, migrations: try await store.appliedMigrations())
            )
        } catch {
            return JSON.response(
                Health(status: "unavailable", store: store.kind, migrations: []),
                status: .serviceUnavailable
            )
        }
    }

    func metricsText(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: server.metrics.text()))
        )
    }

    // MARK: Chips

    func listChips(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await server.auth.identify(request)
        return JSON.response(data: server.chips.listJSON)
    }

    func getChip(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await server.auth.identify(request)
        let id = try context.parameters.require("id")
        guard let summary = server.chips.summary(id) else { throw APIError.notFound("no chip '\(id)'") }
        return JSON.response(summary)
    }

    /// A chip file in the catalogue's YAML format; vendors may add only their own chips.
    func addChip(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        guard token.role != .reviewer else { throw APIError.forbidden("reviewers cannot add chips") }
        let body = try await request.body.collect(upTo: server.configuration.maxBodyBytes)
        let text = String(decoding: Data(body.readableBytesView), as: UTF8.self)
        let chip: Chip
        do {
            chip = try ChipCatalogue.decode(text: text, file: "request")
        } catch {
            throw APIError.badRequest("\(error)")
        }
        if let vendor = token.role.vendor, chip.vendorSlug != vendor {
            throw APIError.forbidden("a vendor:\(vendor) token cannot add a chip of vendor '\(chip.vendor)'")
        }
        if server.chips.summary(chip.id) != nil { throw APIError(.conflict, "chip \(chip.id) already exists") }
        try await store.addChip(
            StoredChip(id: chip.id, vendor: chip.vendorSlug, document: text, addedBy: token.id, createdAt: Date())
        )
        try await server.chips.reload(from: store)
        return JSON.response(ChipDirectory.summary(chip, origin: "store"), status: .created)
    }

    // MARK: Results

    func listResults(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        let query = request.uri.queryParameters
        var filter = ResultFilter(visibleTo: token.role.vendor, limit: try Self.limit(query))
        filter.chip = query.get("chip")
        if let benchmark = query.get("benchmark") {
            guard let value = BenchmarkResult.Benchmark(rawValue: benchmark) else {
                throw APIError.badRequest("unknown benchmark '\(benchmark)'")
            }
            filter.benchmark = value
        }
        filter.since = try Self.date(query, "since")
        filter.until = try Self.date(query, "until")
        return JSON.response(try await store.results(filter))
    }

    func getResult(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        let id = try context.parameters.require("id")
        guard let stored = try await store.result(id: id), Self.visible(stored, to: token.role) else {
            throw APIError.notFound("no result '\(id)'")
        }
        return JSON.response(stored)
    }

    static func visible(_ result: StoredResult, to role: Role) -> Bool {
        guard let vendor = role.vendor else { return true }
        return result.submissionID == nil || result.status == .accepted || result.vendor == vendor
    }

    // MARK: Submissions

    /// A signed `parity.results/1` bundle. `Idempotency-Key` is required: the same key and body again is
    /// answered 200 with the stored submission and writes nothing.
    func submit(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        guard token.role != .reviewer else {
            throw APIError.forbidden("reviewers review submissions; they cannot submit")
        }
        guard let key = request.headers[API.idempotencyKey], !key.isEmpty else {
            throw APIError.badRequest("missing Idempotency-Key header: send a unique key per submission")
        }
        guard key.count <= 128, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError.badRequest("Idempotency-Key must be 1–128 printable ASCII characters")
        }
        let draft: Bool
        switch request.uri.queryParameters.get("draft") {
        case nil, "false": draft = false
        case "true": draft = true
        case let other?: throw APIError.badRequest("draft must be true or false, not '\(other)'")
        }
        let buffer = try await request.body.collect(upTo: server.configuration.maxBodyBytes)
        let bundle = Data(buffer.readableBytesView)
        let verified: (keyID: String, results: [BenchmarkResult])
        do {
            verified = try SignedBundle.verifyResults(bundle)
        } catch {
            server.metrics.submission("refused")
            throw APIError.badRequest(error.description)
        }
        let vendors = try checkChips(verified.results, role: token.role)
        let submission = Submission(
            id: TokenSecret.identifier(prefix: "sub"),
            submitter: token.id,
            vendor: token.role.vendor ?? (vendors.count == 1 ? vendors.first : nil),
            idempotencyKey: key,
            status: draft ? .draft : .submitted,
            keyID: verified.keyID,
            payloadType: ResultsPayload.currentSchema,
            resultCount: verified.results.count,
            createdAt: Date()
        )
        let outcome = try await store.submit(
            NewSubmission(submission: submission, bundle: bundle, results: verified.results)
        )
        switch outcome {
        case .created(let stored):
            server.metrics.submission("created")
            return JSON.response(stored, status: .created, headers: [.location: "/v1/submissions/\(stored.id)"])
        case .replayed(let stored):
            server.metrics.submission("replayed")
            return JSON.response(stored, status: .ok, headers: [.location: "/v1/submissions/\(stored.id)"])
        }
    }

    /// Every result's chip must be known, IDs unique within the bundle, and a vendor may submit only its own chips.
    /// Returns the vendors of the chips.
    func checkChips(_ results: [BenchmarkResult], role: Role) throws -> Set<String> {
        var vendors = Set<String>()
        var ids = Set<String>()
        for result in results {
            guard ids.insert(result.id).inserted else {
                throw APIError.badRequest("result \(result.id) appears twice in the bundle")
            }
            guard let chip = server.chips.summary(result.chip) else {
                throw APIError.badRequest("result \(result.id): unknown chip '\(result.chip)'")
            }
            if let vendor = role.vendor, chip.vendorSlug != vendor {
                throw APIError.forbidden(
                    "result \(result.id): a vendor:\(vendor) token cannot submit results for \(chip.id) (\(chip.vendor))"
                )
            }
            vendors.insert(chip.vendorSlug)
        }
        return vendors
    }

    func listSubmissions(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        var filter = SubmissionFilter(vendor: token.role.vendor, limit: try Self.limit(request.uri.queryParameters))
        if let status = request.uri.queryParameters.get("status") {
            guard let value = Submission.Status(rawValue: status) else {
                throw APIError.badRequest("unknown status '\(status)'")
            }
            filter.status = value
        }
        return JSON.response(try await store.submissions(filter))
    }

    /// A submission the token may see (vendors: only their own), else 404.
    func visibleSubmission(_ id: String, token: AccessToken) async throws -> Submission {
        guard let submission = try await store.submission(id: id),
            token.role.readsAll || submission.vendor == token.role.vendor
        else { throw APIError.notFound("no submission '\(id)'") }
        return submission
    }

    func getSubmission(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        return JSON.response(try await visibleSubmission(try context.parameters.require("id"), token: token))
    }

    /// A vendor puts its draft up for review.
    func promote(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        let submission = try await visibleSubmission(try context.parameters.require("id"), token: token)
        guard token.role != .reviewer else {
            throw APIError.forbidden("only the submitting vendor or an admin submits a draft")
        }
        let updated = try await store.updateSubmission(
            id: submission.id,
            to: .submitted,
            reason: nil,
            reviewer: nil,
            at: Date()
        )
        return JSON.response(updated)
    }

    struct ReviewBody: Decodable {
        var decision: String
        var reason: String
    }

    /// A reviewer accepts or rejects a submitted bundle, with a reason.
    func review(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let token = try await server.auth.identify(request)
        guard token.role.readsAll else { throw APIError.forbidden("only reviewers and admins review submissions") }
        let id = try context.parameters.require("id")
        let buffer = try await request.body.collect(upTo: server.configuration.maxBodyBytes)
        let body: ReviewBody
        do {
            body = try JSONDecoder().decode(ReviewBody.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("expected {\"decision\": \"accepted\"|\"rejected\", \"reason\": \"…\"}")
        }
        guard let decision = Submission.Status(rawValue: body.decision), decision == .accepted || decision == .rejected
        else { throw APIError.badRequest("decision must be 'accepted' or 'rejected', not '\(body.decision)'") }
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty, reason.count <= 2000 else {
            throw APIError.badRequest("a review needs a reason (1–2000 characters)")
        }
        return JSON.response(
            try await store.updateSubmission(id: id, to: decision, reason: reason, reviewer: token.id, at: Date())
        )
    }

    // MARK: Assessments

    struct AssessmentSummary: Encodable {
        var id: String
        var title: String
        var createdAt: Date
        var report: String
    }

    func listAssessments(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await server.auth.identify(request)
        let list = try await store.assessments(limit: try Self.limit(request.uri.queryParameters)).map {
            AssessmentSummary(
                id: $0.id,
                title: $0.title,
                createdAt: $0.createdAt,
                report: "/v1/assessments/\($0.id)/report"
            )
        }
        return JSON.response(list)
    }

    func getAssessment(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await server.auth.identify(request)
        let id = try context.parameters.require("id")
        guard let stored = try await store.assessment(id: id) else { throw APIError.notFound("no assessment '\(id)'") }
        return JSON.response(data: stored.document)
    }

    func assessmentReport(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await server.auth.identify(request)
        return try await report(try context.parameters.require("id"))
    }

    /// The dashboard's link to a report (public, like the dashboard).
    func publicReport(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try await report(try context.parameters.require("id"))
    }

    func report(_ id: String) async throws -> Response {
        guard let stored = try await store.assessment(id: id) else { throw APIError.notFound("no assessment '\(id)'") }
        guard let assessment = try? CanonicalJSON.decode(Assessment.self, from: stored.document) else {
            throw APIError(.unprocessableContent, "assessment \(id) is not a readable parity.assessment/1 document")
        }
        return JSON.html(HTMLReport.render(assessment))
    }

    func dashboard(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let assessments = try await store.assessments(limit: 20)
        let latest = assessments.first.flatMap { try? CanonicalJSON.decode(Assessment.self, from: $0.document) }
        let submissions = try await store.submissions(SubmissionFilter(excludingDrafts: true, limit: 50))
        let page = Dashboard(
            chips: server.chips.catalogue.chips,
            assessments: assessments,
            latest: latest,
            submissions: submissions,
            store: store.kind
        )
        return JSON.html(page.render())
    }

    // MARK: Tokens

    struct TokenRequest: Decodable {
        var role: String
        var name: String
    }

    struct TokenView: Encodable {
        var id: String
        var name: String
        var role: String
        var createdAt: Date
        var revokedAt: Date?
        /// Only in the response that creates it.
        var token: String?

        init(_ token: AccessToken, secret: String? = nil) {
            id = token.id
            name = token.name
            role = token.role.description
            createdAt = token.createdAt
            revokedAt = token.revokedAt
            self.token = secret
        }
    }

    func requireAdmin(_ request: Request) async throws -> AccessToken {
        let token = try await server.auth.identify(request)
        guard token.role == .admin else { throw APIError.forbidden("only admins manage tokens") }
        return token
    }

    func createToken(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await requireAdmin(request)
        let buffer = try await request.body.collect(upTo: server.configuration.maxBodyBytes)
        guard let body = try? JSONDecoder().decode(TokenRequest.self, from: Data(buffer.readableBytesView)) else {
            throw APIError.badRequest("expected {\"role\": \"vendor:NAME|reviewer|admin\", \"name\": \"…\"}")
        }
        guard let role = Role(body.role) else {
            throw APIError.badRequest("unknown role '\(body.role)'; use vendor:NAME, reviewer or admin")
        }
        let secret = TokenSecret.generate()
        let token = AccessToken(
            id: TokenSecret.identifier(prefix: "tok"),
            name: body.name,
            role: role,
            hash: TokenSecret.hash(secret),
            createdAt: Date()
        )
        try await store.createToken(token)
        return JSON.response(TokenView(token, secret: secret), status: .created)
    }

    func listTokens(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await requireAdmin(request)
        return JSON.response(try await store.tokens().map { TokenView($0) })
    }

    func revokeToken(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        _ = try await requireAdmin(request)
        let token = try await store.revokeToken(id: try context.parameters.require("id"), at: Date())
        server.auth.forget(tokenID: token.id)
        return JSON.response(TokenView(token))
    }

    // MARK: Query parameters

    static func limit(_ query: Parameters) throws -> Int? {
        guard let text = query.get("limit") else { return nil }
        guard let value = Int(text), value > 0, value <= 100_000 else {
            throw APIError.badRequest("limit must be a whole number from 1 to 100000")
        }
        return value
    }

    static func date(_ query: Parameters, _ name: String) throws -> Date? {
        guard let text = query.get(name) else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
        throw APIError.badRequest("\(name) must be an ISO 8601 date, e.g. 2026-11-29 or 2026-11-29T12:00:00Z")
    }
}
