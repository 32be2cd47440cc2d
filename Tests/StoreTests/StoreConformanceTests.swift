import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// One suite, run against SQLite and PostgreSQL alike.
@Suite struct StoreConformanceTests {
    @Test func postgresIsTestedWhenRequired() {
        #expect(
            !StoreKind.postgresRequired || StoreKind.postgresURL != nil,
            "PARITY_REQUIRE_POSTGRES=1 but PARITY_TEST_POSTGRES_URL is not set"
        )
    }

    @Test(arguments: StoreKind.available)
    func migrationsAreAppliedOnceInOrder(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            #expect(try await store.appliedMigrations() == Migrations.all.map(\.id))
            try await store.ping()
        }
    }

    @Test func reopeningAnSQLiteFileKeepsDataAndMigrations() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parity-reopen-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try await StoreLocation.sqlite(path: path).withStore { store in
            try await store.importResults([StoreFixture.result("r1")])
        }
        let again = try await StoreLocation.sqlite(path: path).withStore { store in
            (try await store.appliedMigrations(), try await store.results(ResultFilter()).count)
        }
        #expect(again.0 == Migrations.all.map(\.id))
        #expect(again.1 == 1)
    }

    @Test(arguments: StoreKind.available)
    func importRoundTripsAndFilters(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let day: TimeInterval = 86_400
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            let results = [
                StoreFixture.result("a", chip: "h20", benchmark: .gemm, time: base),
                StoreFixture.result("b", chip: "h20", benchmark: .streamTriad, time: base + day),
                StoreFixture.result("c", chip: "ascend-910b", benchmark: .gemm, time: base + 2 * day),
                StoreFixture.result("d", chip: "ascend-910b", benchmark: .deviceToDevice, time: base + 3 * day),
            ]
            #expect(try await store.importResults(results) == ImportSummary(inserted: 4, unchanged: 0))
            let all = try await store.results(ResultFilter())
            #expect(all.map(\.result) == results, "results read back exactly, oldest first")
            #expect(all.allSatisfy { $0.submissionID == nil && $0.isEvidence })
            #expect(try await store.results(ResultFilter(chip: "h20")).map(\.result.id) == ["a", "b"])
            #expect(try await store.results(ResultFilter(benchmark: .gemm)).map(\.result.id) == ["a", "c"])
            #expect(
                try await store.results(ResultFilter(since: base + day, until: base + 3 * day)).map(\.result.id)
                    == ["b", "c"]
            )
            #expect(try await store.results(ResultFilter(limit: 3)).count == 3)
            #expect(try await store.result(id: "c")?.result == results[2])
            #expect(try await store.result(id: "zz") == nil)
            // The same results again: skipped, not doubled.
            #expect(try await store.importResults(results) == ImportSummary(inserted: 0, unchanged: 4))
            #expect(try await store.results(ResultFilter()).count == 4)
        }
    }

    /// `resultTexts` lists the rows `results` lists, in the same order, under every filter: each document is the
    /// stored text of the same measurement, and the row's origin, times and visibility are the same.
    @Test(arguments: StoreKind.available)
    func resultTextsAreTheResultRowsUnparsed(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let base = Date(timeIntervalSince1970: 1_790_000_000.125)
            _ = try await store.importResults([
                StoreFixture.result("local-1", chip: "h20", time: base),
                StoreFixture.result(#"local "2" \ /"#, chip: "ascend-910b", time: base + 1),
            ])
            _ = try await store.submit(
                StoreFixture.submission(
                    "sub-1",
                    key: "k1",
                    results: [StoreFixture.result("vendor-1", chip: "ascend-910b", time: base + 2)]
                )
            )
            let measured = ["local-1": base, #"local "2" \ /"#: base + 1, "vendor-1": base + 2]
            var afterFirst = ResultFilter()
            afterFirst.after = ResultCursor(measuredAt: base, id: "local-1")
            let filters = [
                ResultFilter(),
                ResultFilter(chip: "ascend-910b"),
                ResultFilter(visibleTo: "cambricon"),
                ResultFilter(evidenceOnly: true),
                ResultFilter(limit: 2),
                afterFirst,
            ]
            for filter in filters {
                let parsed = try await store.results(filter)
                let texts = try await store.resultTexts(filter)
                #expect(texts.map(\.id) == parsed.map(\.id), "\(filter)")
                for (text, row) in zip(texts, parsed) {
                    #expect(try ResultFile.decode(Data(text.document.utf8), path: text.id) == [row.result])
                    #expect(text.document + "\n" == String(decoding: ResultFile.encode([row.result]), as: UTF8.self))
                    #expect(text.submissionID == row.submissionID && text.status == row.status)
                    #expect(text.vendor == row.vendor && text.storedAt == row.storedAt)
                    // The time the list is ordered by, to the millisecond (documents keep whole seconds).
                    #expect(Timestamp.text(text.measuredAt) == Timestamp.text(measured[text.id] ?? .distantPast))
                }
            }
            #expect(try await store.resultTexts(ResultFilter()).map(\.vendor) == [nil, nil, "huawei"])
            #expect(try await store.resultTexts(ResultFilter(visibleTo: "cambricon")).count == 2)
        }
    }

    @Test(arguments: StoreKind.available)
    func aConflictingImportWritesNothing(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.importResults([StoreFixture.result("a")])
            let changed = StoreFixture.result("a", value: 9e13)
            await #expect(throws: StoreError.conflict("result a is already stored with different content")) {
                try await store.importResults([StoreFixture.result("new"), changed])
            }
            #expect(try await store.results(ResultFilter()).map(\.result.id) == ["a"], "the new result was rolled back")
        }
    }

    @Test(arguments: StoreKind.available)
    func idempotencyKeysMakeRetriesNoOps(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let results = [StoreFixture.result("s1"), StoreFixture.result("s2")]
            let first = try await store.submit(StoreFixture.submission("sub-1", key: "k1", results: results))
            guard case .created(let created) = first else {
                Issue.record("expected created, got \(first)")
                return
            }
            #expect(created.resultCount == 2)
            let retry = try await store.submit(StoreFixture.submission("sub-2", key: "k1", results: results))
            #expect(retry == .replayed(created), "the retry returns the stored submission, not a new one")
            #expect(try await store.submissions(SubmissionFilter()).count == 1)
            #expect(try await store.results(ResultFilter()).count == 2)
            // The same key with another body is a conflict.
            await #expect(throws: StoreError.self) {
                try await store.submit(
                    StoreFixture.submission("sub-3", key: "k1", results: [StoreFixture.result("s3")])
                )
            }
            // Another key carrying a stored result ID is a conflict, and writes nothing.
            await #expect(throws: StoreError.conflict("result s2 is already stored")) {
                try await store.submit(
                    StoreFixture.submission("sub-4", key: "k2", results: [StoreFixture.result("s4"), results[1]])
                )
            }
            #expect(try await store.submission(id: "sub-4") == nil)
            #expect(try await store.result(id: "s4") == nil)
            // The same key from another submitter is independent.
            let other = try await store.submit(
                StoreFixture.submission("sub-5", key: "k1", submitter: "tok-b", results: [StoreFixture.result("s5")])
            )
            #expect(other == .created(try #require(try await store.submission(id: "sub-5"))))
            let stored = try #require(try await store.result(id: "s1"))
            #expect(stored.submissionID == "sub-1" && stored.status == .submitted && stored.vendor == "huawei")
            #expect(!stored.isEvidence)
        }
    }

    @Test(arguments: StoreKind.available)
    func reviewMovesThroughAllowedStatesOnly(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.submit(
                StoreFixture.submission("sub-d", key: "d", status: .draft, results: [StoreFixture.result("d1")])
            )
            let at = Date(timeIntervalSince1970: 1_790_000_500)
            await #expect(throws: StoreError.self) {
                try await store.updateSubmission(id: "sub-d", to: .accepted, reason: "ok", reviewer: "tok-r", at: at)
            }
            let submitted = try await store.updateSubmission(
                id: "sub-d",
                to: .submitted,
                reason: nil,
                reviewer: nil,
                at: at
            )
            #expect(submitted.status == .submitted && submitted.reviewer == nil)
            let accepted = try await store.updateSubmission(
                id: "sub-d",
                to: .accepted,
                reason: "reproduced on our H20",
                reviewer: "tok-r",
                at: at
            )
            #expect(accepted.status == .accepted && accepted.reason == "reproduced on our H20")
            #expect(accepted.reviewedAt == at && accepted.reviewer == "tok-r")
            #expect(try await store.submission(id: "sub-d") == accepted)
            await #expect(throws: StoreError.self) {
                try await store.updateSubmission(id: "sub-d", to: .rejected, reason: "no", reviewer: "tok-r", at: at)
            }
            await #expect(throws: StoreError.notFound("no submission nope")) {
                try await store.updateSubmission(id: "nope", to: .submitted, reason: nil, reviewer: nil, at: at)
            }
            #expect(try await store.result(id: "d1")?.isEvidence == true, "accepted results are evidence")
        }
    }

    @Test(arguments: StoreKind.available)
    func vendorsSeeTheirOwnAndAcceptedResults(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.importResults([StoreFixture.result("local")])
            _ = try await store.submit(
                StoreFixture.submission(
                    "sub-h",
                    key: "h",
                    vendor: "huawei",
                    status: .draft,
                    results: [StoreFixture.result("h1")]
                )
            )
            _ = try await store.submit(
                StoreFixture.submission("sub-c", key: "c", vendor: "cambricon", results: [StoreFixture.result("c1")])
            )
            _ = try await store.submit(
                StoreFixture.submission("sub-a", key: "a", vendor: "cambricon", results: [StoreFixture.result("c2")])
            )
            _ = try await store.updateSubmission(id: "sub-a", to: .accepted, reason: "ok", reviewer: "r", at: Date())
            let huawei = try await store.results(ResultFilter(visibleTo: "huawei")).map(\.result.id)
            #expect(Set(huawei) == ["local", "h1", "c2"])
            let cambricon = try await store.results(ResultFilter(visibleTo: "cambricon")).map(\.result.id)
            #expect(Set(cambricon) == ["local", "c1", "c2"])
            #expect(Set(try await store.results(ResultFilter(evidenceOnly: true)).map(\.result.id)) == ["local", "c2"])
            #expect(try await store.submissions(SubmissionFilter(vendor: "huawei")).map(\.id) == ["sub-h"])
            #expect(try await store.submissions(SubmissionFilter(excludingDrafts: true)).count == 2)
            #expect(try await store.submissions(SubmissionFilter(status: .accepted)).map(\.id) == ["sub-a"])
        }
    }

    @Test(arguments: StoreKind.available)
    func tokensChipsAndAssessments(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let created = Date(timeIntervalSince1970: 1_790_000_000)
            let token = AccessToken(
                id: "tok-1",
                name: "ci",
                role: .vendor("huawei"),
                hash: TokenSecret.hash("secret"),
                createdAt: created
            )
            try await store.createToken(token)
            #expect(try await store.token(hash: TokenSecret.hash("secret")) == token)
            #expect(try await store.token(hash: TokenSecret.hash("other")) == nil)
            await #expect(throws: StoreError.self) {
                try await store.createToken(
                    AccessToken(id: "tok-2", name: "x", role: .admin, hash: token.hash, createdAt: created)
                )
            }
            let revoked = try await store.revokeToken(id: "tok-1", at: created + 60)
            #expect(revoked.revokedAt == created + 60)
            #expect(try await store.tokens() == [revoked])
            await #expect(throws: StoreError.notFound("no token tok-9")) {
                try await store.revokeToken(id: "tok-9", at: created)
            }

            let chip = StoredChip(
                id: "x1",
                vendor: "huawei",
                document: "id: x1\n",
                addedBy: "tok-1",
                createdAt: created
            )
            try await store.addChip(chip)
            await #expect(throws: StoreError.conflict("chip x1 is already in the store")) {
                try await store.addChip(chip)
            }
            #expect(try await store.chips() == [chip])

            let older = StoredAssessment(
                id: "asm-1",
                title: "first",
                document: Data("{\"a\":1}".utf8),
                createdAt: created
            )
            let newer = StoredAssessment(
                id: "asm-2",
                title: "second",
                document: Data("{\"b\":2}".utf8),
                createdAt: created + 1
            )
            try await store.saveAssessment(older)
            try await store.saveAssessment(newer)
            #expect(try await store.assessments(limit: nil) == [newer, older])
            #expect(try await store.assessments(limit: 1) == [newer])
            #expect(try await store.assessment(id: "asm-1") == older)
        }
    }

    /// 50 concurrent writers, each retrying some of its keys: afterwards exactly the expected rows exist.
    @Test(arguments: StoreKind.available)
    func concurrentSubmissionsAreNeitherLostNorDoubled(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let writers = 50
            let perWriter = 20
            let outcomes = try await withThrowingTaskGroup(of: (created: Int, replayed: Int).self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var counts = (created: 0, replayed: 0)
                        for index in 0..<perWriter {
                            let results = (0..<2).map { StoreFixture.result("w\(writer)-\(index)-\($0)") }
                            let new = StoreFixture.submission(
                                "sub-\(writer)-\(index)",
                                key: "key-\(writer)-\(index)",
                                submitter: "tok-\(writer % 5)",
                                results: results
                            )
                            let attempts = index % 4 == 0 ? 2 : 1
                            for _ in 0..<attempts {
                                switch try await store.submit(new) {
                                case .created: counts.created += 1
                                case .replayed: counts.replayed += 1
                                }
                            }
                        }
                        return counts
                    }
                }
                var total = (created: 0, replayed: 0)
                for try await counts in group {
                    total.created += counts.created
                    total.replayed += counts.replayed
                }
                return total
            }
            #expect(outcomes.created == writers * perWriter)
            #expect(outcomes.replayed == writers * (perWriter / 4))
            #expect(try await store.submissions(SubmissionFilter()).count == writers * perWriter)
            let stored = try await store.results(ResultFilter())
            #expect(stored.count == writers * perWriter * 2)
            #expect(Set(stored.map(\.result.id)).count == stored.count)
        }
    }

    @Test func locationsParse() {
        #expect(StoreLocation("postgres://u:p@127.0.0.1:5433/db") == .postgres(url: "postgres://u:p@127.0.0.1:5433/db"))
        #expect(StoreLocation("postgres://u:p@127.0.0.1:5433/db").description == "postgres://u:***@127.0.0.1:5433/db")
        #expect(StoreLocation("/tmp/x.sqlite", environment: [:]) == .sqlite(path: "/tmp/x.sqlite"))
        #expect(
            StoreLocation(nil, environment: ["HOME": "/home/u"])
                == .sqlite(path: "/home/u/.local/share/parity/parity.sqlite")
        )
        #expect(StoreLocation(nil, environment: ["XDG_DATA_HOME": "/d"]) == .sqlite(path: "/d/parity/parity.sqlite"))
        #expect(StoreLocation(nil, environment: ["PARITY_DB": "postgres://h/db"]) == .postgres(url: "postgres://h/db"))
        #expect(throws: StoreError.self) { try PostgresStore(url: "postgres:///nohost") }
        #expect(throws: StoreError.self) { try PostgresStore(url: "postgres://h/db?sslmode=bogus") }
    }

    @Test func rolesParse() {
        #expect(Role("vendor:huawei") == .vendor("huawei"))
        #expect(Role("reviewer") == .reviewer && Role("admin") == .admin)
        #expect(Role("vendor:") == nil && Role("vendor:Huawei") == nil && Role("root") == nil)
        #expect(Role.vendor("moore-threads").description == "vendor:moore-threads")
        #expect(TokenSecret.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(TokenSecret.generate() != TokenSecret.generate())
        #expect(TokenSecret.generate().hasPrefix("pty_"))
    }
}
