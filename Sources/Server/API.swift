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
    static let chipConflict = HTTPField.Name("Parity-Chip-Conflict")!
    static let link = HTTPField.Name("Link")!
    let server: ParityServer
    var store: any ResultStore { server.store }

    // MARK: Service

    func health(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
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

    func metricsText(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: server.metrics.text()))
        )
    }

    // MARK: Chips

    func listChips(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let page = server.chips.page(limit: try Self.pageSize(query), after: query.get("after"))
        return JSON.response(data: page.json, headers: Self.nextLink(request, cursor: page.more ? page.last : nil))
    }

    func getChip(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let summary = server.chips.summary(id) else { throw APIError.notFound("no chip '\(id)'") }
        var headers: HTTPFields = [:]
        if server.chips.clashes.contains(where: { $0.id == id }) {
            // Said in a header so that the summary keeps one shape: the catalogue's chip wins over a store chip.
            headers[API.chipConflict] = "a store chip with this ID is ignored; the catalogue's chip is served"
        }
        return JSON.response(summary, headers: headers)
    }

    /// A chip file in the catalogue's YAML format; vendors may add only their own chips.
    func addChip(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let body = try await readBody(request, limit: min(server.configuration.maxBodyBytes, Limits.chipDocumentBytes))
        guard let text = String(validating: body, as: UTF8.self) else {
            throw APIError.badRequest("the chip document is not valid UTF-8")
        }
        let chip: Chip
        do {
            chip = try ChipCatalogue.decodeRequest(text: text, file: "request")
        } catch {
            throw APIError.badRequest("\(error)")
        }
        try Limits.checkText(chip.name, field: "name", maxBytes: Limits.nameBytes)
        try Limits.checkText(chip.vendor, field: "vendor", maxBytes: Limits.nameBytes)
        if let vendor = token.role.vendor, chip.vendorSlug != vendor {
            throw APIError.forbidden("a vendor:\(vendor) token cannot add a chip of vendor '\(chip.vendor)'")
        }
        if server.chips.summary(chip.id) != nil { throw APIError(.conflict, "chip \(chip.id) already exists") }
        guard server.chips.storeChipCount(vendor: chip.vendorSlug) < server.configuration.maxChipsPerVendor else {
            throw APIError(
                .unprocessableContent,
                "vendor \(chip.vendorSlug) already has \(server.configuration.maxChipsPerVendor) chips, the limit"
            )
        }
        try await store.addChip(
            StoredChip(id: chip.id, vendor: chip.vendorSlug, document: text, addedBy: token.id, createdAt: Date())
        )
        try await server.chips.reload(from: store)
        return JSON.response(ChipDirectory.summary(chip, origin: "store"), status: .created)
    }

    // MARK: Results

    func listResults(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let query = request.uri.queryParameters
        let limit = try Self.pageSize(query)
        var filter = ResultFilter(visibleTo: token.role.vendor, limit: limit)
        filter.chip = query.get("chip")
        if let benchmark = query.get("benchmark") {
            guard let value = BenchmarkResult.Benchmark(rawValue: benchmark) else {
                throw APIError.badRequest("unknown benchmark '\(benchmark)'")
            }
            filter.benchmark = value
        }
        filter.since = try Self.date(query, "since")
        filter.until = try Self.date(query, "until")
        filter.after = try Self.resultCursor(query)
        let page = try await store.resultTexts(filter)
        let cursor = page.count == limit ? page.last.map { Cursor.encode($0.measuredAt, $0.id) } : nil
        return JSON.response(data: JSON.resultPage(page), headers: Self.nextLink(request, cursor: cursor))
    }

    func getResult(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        return JSON.response(
            try await Self.visibleRow(id, what: "result", token: try context.caller(), fetch: store.result)
        )
    }

    /// A stored row the caller may see, else 404. A vendor may name its own submitted row by the ID it gave it
    /// (stored IDs are `VENDOR:ID`); another vendor's draft or pending row is as absent as a missing one.
    static func visibleRow<Row: VendorScoped>(
        _ id: String,
        what: String,
        token: AccessToken,
        fetch: (String) async throws -> Row?
    ) async throws -> Row {
        var stored = try await fetch(id)
        if stored == nil, let vendor = token.role.vendor, !id.contains(":") {
            stored = try await fetch("\(vendor):\(id)")
        }
        guard let stored, stored.isVisible(to: token.role) else {
            throw APIError.notFound("no \(what) '\(Limits.printable(id))'")
        }
        return stored
    }

    /// `after`: the keyset cursor of a results-like list (measured time, stored ID).
    static func resultCursor(_ query: Parameters) throws -> ResultCursor? {
        guard let after = query.get("after") else { return nil }
        guard let (time, id) = Cursor.decode(after) else { throw APIError.badRequest("after is not a cursor") }
        return ResultCursor(measuredAt: time, id: id)
    }

    /// `after`: the keyset cursor of a list ordered by creation time (assessments, tokens, vendor keys).
    static func creationCursor(_ query: Parameters) throws -> CreationCursor? {
        guard let after = query.get("after") else { return nil }
        guard let (time, id) = Cursor.decode(after) else { throw APIError.badRequest("after is not a cursor") }
        return CreationCursor(createdAt: time, id: id)
    }

    /// Serving results (`parity.serving/2` rows), filtered by chip, model, scenario, engine and time, a page at a time.
    func listServingResults(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let query = request.uri.queryParameters
        let limit = try Self.pageSize(query)
        var filter = ServingResultFilter(visibleTo: token.role.vendor, limit: limit)
        filter.chip = query.get("chip")
        filter.model = query.get("model")
        filter.scenario = query.get("scenario")
        filter.engine = query.get("engine")
        filter.since = try Self.date(query, "since")
        filter.until = try Self.date(query, "until")
        filter.after = try Self.resultCursor(query)
        let page = try await store.servingResults(filter)
        let cursor = page.count == limit ? page.last.map { Cursor.encode($0.measurement.time, $0.id) } : nil
        return JSON.response(page, headers: Self.nextLink(request, cursor: cursor))
    }

    func getServingResult(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        let stored = try await Self.visibleRow(
            id,
            what: "serving result",
            token: try context.caller(),
            fetch: store.servingResult
        )
        return JSON.response(stored)
    }

    // MARK: Submissions

    /// A signed `parity.results/1` or `parity.results/2` bundle (measurements and serving results). `Idempotency-Key` is required: the same key and body again is
    /// answered 200 with the stored submission and writes nothing.
    func submit(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
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
        let bundle = try await readBody(request, limit: server.configuration.maxBodyBytes)
        let verified: SignedBundle.VerifiedResults
        do {
            verified = try SignedBundle.verifyResultsBundle(bundle)
        } catch {
            server.metrics.submission("refused")
            throw APIError.badRequest(error.description)
        }
        let vendors = try checkChips(
            verified.results.map { ($0.id, $0.chip) } + verified.serving.map { ($0.id, $0.chip) },
            role: token.role
        )
        let vendor = token.role.vendor ?? (vendors.count == 1 ? vendors.first : nil)
        try await checkSigner(keyID: verified.keyID, publicKey: verified.publicKey, vendor: vendor)
        let submission = Submission(
            id: TokenSecret.identifier(prefix: "sub"),
            submitter: token.id,
            vendor: vendor,
            idempotencyKey: key,
            status: draft ? .draft : .submitted,
            keyID: verified.keyID,
            payloadType: verified.payloadType,
            resultCount: verified.results.count + verified.serving.count,
            createdAt: Date()
        )
        let outcome = try await store.submit(
            NewSubmission(
                submission: submission,
                bundle: bundle,
                results: verified.results,
                serving: verified.serving,
                namespace: vendor ?? token.id
            )
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

    /// Every record's chip must be known, IDs unique within the bundle (measurements and serving results share one
    /// namespace, as a reviewer reads them), and a vendor may submit only its own chips. Returns the chips' vendors.
    func checkChips(_ records: [(id: String, chip: String)], role: Role) throws -> Set<String> {
        var vendors = Set<String>()
        var ids = Set<String>()
        for result in records {
            guard Limits.isResultID(result.id) else {
                throw APIError.badRequest(
                    "result IDs are 1–128 of A–Z, a–z, 0–9, '.', '_' and '-'; '\(Limits.printable(result.id))' is not"
                )
            }
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

    /// A registered, unrevoked key of the submitting vendor must have signed the bundle; 403 otherwise.
    func checkSigner(keyID: String, publicKey: Data, vendor: String?) async throws {
        guard let key = try await store.vendorKey(id: keyID), key.publicKey == publicKey.base64EncodedString() else {
            server.metrics.submission("refused")
            throw APIError.forbidden(
                "bundle signed by key \(keyID), which is not registered; an admin registers vendor keys "
                    + "(parity keys register --vendor NAME KEY.pub)"
            )
        }
        guard key.vendor == vendor else {
            server.metrics.submission("refused")
            throw APIError.forbidden("bundle signed by key \(keyID), which is not a key of vendor \(vendor ?? "?")")
        }
        guard key.revokedAt == nil else {
            server.metrics.submission("refused")
            throw APIError.forbidden("bundle signed by key \(keyID), which was revoked")
        }
    }

    func listSubmissions(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let query = request.uri.queryParameters
        let limit = try Self.pageSize(query)
        var filter = SubmissionFilter(vendor: token.role.vendor, limit: limit)
        if let status = query.get("status") {
            guard let value = Submission.Status(rawValue: status) else {
                throw APIError.badRequest("unknown status '\(Limits.printable(status))'")
            }
            filter.status = value
        }
        if let after = query.get("after") {
            guard let (time, id) = Cursor.decode(after) else { throw APIError.badRequest("after is not a cursor") }
            filter.after = SubmissionCursor(createdAt: time, id: id)
        }
        let page = try await store.submissions(filter)
        let cursor = page.count == limit ? page.last.map { Cursor.encode($0.createdAt, $0.id) } : nil
        let views = try await signerViews(page)
        return JSON.response(views, headers: Self.nextLink(request, cursor: cursor))
    }

    /// A submission with the registered key that signed it, and whether that key has been revoked since (what it
    /// signed before revocation stays valid).
    struct SubmissionView: Encodable {
        var submission: Submission
        var signer: Signer?

        struct Signer: Encodable {
            var keyID: String
            var vendor: String
            var name: String
            var revokedAt: Date?
            var signedBeforeRevocation: Bool?
        }

        func encode(to encoder: any Encoder) throws {
            try submission.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encodeIfPresent(signer, forKey: .signer)
        }

        enum Key: String, CodingKey { case signer }
    }

    func signerViews(_ submissions: [Submission]) async throws -> [SubmissionView] {
        var keys: [String: VendorKey?] = [:]
        var views: [SubmissionView] = []
        for submission in submissions {
            if keys[submission.keyID] == nil {
                keys[submission.keyID] = .some(try await store.vendorKey(id: submission.keyID))
            }
            let key = keys[submission.keyID] ?? nil
            views.append(
                SubmissionView(
                    submission: submission,
                    signer: key.map {
                        SubmissionView.Signer(
                            keyID: $0.id,
                            vendor: $0.vendor,
                            name: $0.name,
                            revokedAt: $0.revokedAt,
                            signedBeforeRevocation: $0.revokedAt.map { submission.createdAt < $0 }
                        )
                    }
                )
            )
        }
        return views
    }

    /// A submission the token may see (vendors: only their own), else 404.
    func visibleSubmission(_ id: String, token: AccessToken) async throws -> Submission {
        guard let submission = try await store.submission(id: id),
            token.role.readsAll || submission.vendor == token.role.vendor
        else { throw APIError.notFound("no submission '\(id)'") }
        return submission
    }

    func getSubmission(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let submission = try await visibleSubmission(try context.parameters.require("id"), token: token)
        return JSON.response(try await signerViews([submission])[0])
    }

    /// A vendor puts its draft up for review.
    func promote(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let submission = try await visibleSubmission(try context.parameters.require("id"), token: token)
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
    func review(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let id = try context.parameters.require("id")
        let buffer = try await readBody(request, limit: server.configuration.maxBodyBytes)
        let body: ReviewBody
        do {
            body = try JSONDecoder().decode(ReviewBody.self, from: buffer)
        } catch {
            throw APIError.badRequest("expected {\"decision\": \"accepted\"|\"rejected\", \"reason\": \"…\"}")
        }
        guard let decision = Submission.Status(rawValue: body.decision), decision == .accepted || decision == .rejected
        else { throw APIError.badRequest("decision must be 'accepted' or 'rejected', not '\(body.decision)'") }
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw APIError.badRequest("a review needs a reason") }
        try Limits.checkText(reason, field: "reason", maxBytes: Limits.reasonBytes, allowNewlines: true)
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

    func listAssessments(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try Self.pageSize(query)
        let page = try await store.assessments(limit: limit, after: try Self.creationCursor(query))
        let list = page.map {
            AssessmentSummary(
                id: $0.id,
                title: $0.title,
                createdAt: $0.createdAt,
                report: "/v1/assessments/\($0.id)/report"
            )
        }
        let cursor = page.count == limit ? page.last.map { Cursor.encode($0.createdAt, $0.id) } : nil
        return JSON.response(list, headers: Self.nextLink(request, cursor: cursor))
    }

    func getAssessment(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let id = try context.parameters.require("id")
        guard let stored = try await store.assessment(id: id) else { throw APIError.notFound("no assessment '\(id)'") }
        return JSON.response(data: stored.document)
    }

    func assessmentReport(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        try await report(try context.parameters.require("id"))
    }

    /// The dashboard's link to a report (public, like the dashboard).
    func publicReport(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        try await report(try context.parameters.require("id"))
    }

    func report(_ id: String) async throws -> Response {
        guard let stored = try await store.assessment(id: id) else { throw APIError.notFound("no assessment '\(id)'") }
        guard let assessment = try? CanonicalJSON.decode(Assessment.self, from: stored.document) else {
            throw APIError(.unprocessableContent, "assessment \(id) is not a readable parity.assessment/1 document")
        }
        return JSON.html(HTMLReport.render(assessment))
    }

    func dashboard(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let assessments = try await store.assessments(limit: 20)
        let latest = assessments.first.flatMap { try? CanonicalJSON.decode(Assessment.self, from: $0.document) }
        let submissions = try await store.submissions(SubmissionFilter(excludingDrafts: true, limit: 50))
        var signers: [String: VendorKey] = [:]
        for keyID in Set(submissions.map(\.keyID)) { signers[keyID] = try await store.vendorKey(id: keyID) }
        let page = Dashboard(
            chips: Array(server.chips.catalogue.chips.prefix(Dashboard.maxChips)),
            assessments: assessments,
            latest: latest,
            submissions: submissions,
            signers: signers,
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

    func createToken(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let buffer = try await readBody(request, limit: server.configuration.maxBodyBytes)
        guard let body = try? JSONDecoder().decode(TokenRequest.self, from: buffer) else {
            throw APIError.badRequest("expected {\"role\": \"vendor:NAME|reviewer|admin\", \"name\": \"…\"}")
        }
        guard let role = Role(body.role) else {
            throw APIError.badRequest(
                "unknown role '\(Limits.printable(body.role))'; use vendor:NAME, reviewer or admin"
            )
        }
        try Limits.checkText(body.name, field: "name", maxBytes: Limits.tokenNameBytes)
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

    func listTokens(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let limit = try Self.pageSize(query)
        let page = try await store.tokens(limit: limit, after: try Self.creationCursor(query))
        let cursor = page.count == limit ? page.last.map { Cursor.encode($0.createdAt, $0.id) } : nil
        return JSON.response(page.map { TokenView($0) }, headers: Self.nextLink(request, cursor: cursor))
    }

    func revokeToken(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try await store.revokeToken(id: try context.parameters.require("id"), at: Date())
        server.auth.forget(tokenID: token.id)
        return JSON.response(TokenView(token))
    }

    // MARK: Vendor keys

    struct KeyRequest: Decodable {
        var vendor: String
        /// The `.pub` file's text (`parity keys generate`), or the raw key in base64.
        var publicKey: String
        var name: String?
    }

    /// Registers a vendor's Ed25519 public key (admins). Small-order and non-canonical keys are refused.
    func registerKey(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let buffer = try await readBody(request, limit: 16 * 1024)
        guard let body = try? JSONDecoder().decode(KeyRequest.self, from: buffer) else {
            throw APIError.badRequest("expected {\"vendor\": \"NAME\", \"publicKey\": \"…\", \"name\": \"…\"}")
        }
        guard case .vendor(let vendor)? = Role("vendor:\(body.vendor)") else {
            throw APIError.badRequest("vendor must be a lower-case vendor name such as huawei")
        }
        let name = body.name ?? "\(vendor) key"
        try Limits.checkText(name, field: "name", maxBytes: Limits.tokenNameBytes)
        let raw: Data
        do {
            raw = try SigningKey.parsePublicKey(body.publicKey)
            try SigningKey.checkPublicKey(raw)
        } catch {
            throw APIError.badRequest(error.description)
        }
        let key = VendorKey(
            id: SigningKey.keyID(of: raw),
            vendor: vendor,
            name: name,
            publicKey: raw.base64EncodedString(),
            registeredBy: token.id,
            createdAt: Date()
        )
        try await store.registerVendorKey(key)
        return JSON.response(key, status: .created)
    }

    /// Registered keys: all for reviewers and admins, a vendor's own for a vendor token.
    func listKeys(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        let token = try context.caller()
        let query = request.uri.queryParameters
        let limit = try Self.pageSize(query)
        let page = try await store.vendorKeys(
            vendor: token.role.vendor,
            limit: limit,
            after: try Self.creationCursor(query)
        )
        let cursor = page.count == limit ? page.last.map { Cursor.encode($0.createdAt, $0.id) } : nil
        return JSON.response(page, headers: Self.nextLink(request, cursor: cursor))
    }

    func revokeKey(_ request: Request, _ context: ParityRequestContext) async throws -> Response {
        JSON.response(try await store.revokeVendorKey(id: try context.parameters.require("id"), at: Date()))
    }

    // MARK: Bodies

    /// The request body, at most `limit` bytes (413 beyond), arriving within the configured body timeout (408
    /// otherwise, so that a client trickling bytes cannot hold a connection and a task).
    func readBody(_ request: Request, limit: Int) async throws -> Data {
        let seconds = server.configuration.bodyTimeoutSeconds
        return try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask {
                let buffer = try await request.body.collect(upTo: limit)
                return Data(buffer.readableBytesView)
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let data = first else {
                throw APIError(.requestTimeout, "the request body did not arrive within \(seconds) s")
            }
            return data
        }
    }

    // MARK: Query parameters

    /// `limit`: the page size, `Limits.defaultPage` when absent, at most `Limits.maxPage`.
    static func pageSize(_ query: Parameters) throws -> Int {
        guard let text = query.get("limit") else { return Limits.defaultPage }
        guard let value = Int(text), value > 0, value <= Limits.maxPage else {
            throw APIError.badRequest("limit must be a whole number from 1 to \(Limits.maxPage)")
        }
        return value
    }

    /// `Link: <…&after=CURSOR>; rel="next"` when another page follows (RFC 8288).
    static func nextLink(_ request: Request, cursor: String?) -> HTTPFields {
        guard let cursor else { return [:] }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~:"))
        func encoded(_ text: Substring) -> String { text.addingPercentEncoding(withAllowedCharacters: allowed) ?? "" }
        var items = request.uri.queryParameters.filter { $0.key != "after" }.map {
            "\(encoded($0.key))=\(encoded($0.value))"
        }
        items.append("after=\(cursor)")
        return [API.link: "<\(request.uri.path)?\(items.joined(separator: "&"))>; rel=\"next\""]
    }

    static func date(_ query: Parameters, _ name: String) throws -> Date? {
        guard let text = query.get(name) else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle().year().month().day().parse(text) { return date }
        throw APIError.badRequest("\(name) must be an ISO 8601 date, e.g. 2026-11-29 or 2026-11-29T12:00:00Z")
    }
}

/// A stored row that belongs to a submission or not: what vendor scoping needs to decide who may see it.
protocol VendorScoped: Sendable {
    var submissionID: String? { get }
    var status: Submission.Status? { get }
    var vendor: String? { get }
}

extension VendorScoped {
    /// Reviewers and admins see everything; a vendor sees local rows, accepted submissions and its own.
    func isVisible(to role: Role) -> Bool {
        guard let vendor = role.vendor else { return true }
        return submissionID == nil || status == .accepted || self.vendor == vendor
    }
}

extension StoredResult: VendorScoped {}
extension StoredServingResult: VendorScoped {}
