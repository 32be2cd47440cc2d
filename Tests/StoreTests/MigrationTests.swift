import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// A database written by an earlier release migrates to the current schema and keeps every row, on SQLite and
/// PostgreSQL. The earlier release's rows are written with its own statements (the columns it had), not with
/// today's operations.
@Suite struct MigrationTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)

    /// The releases before 005 (serving results) and before 006 (list indexes, `passing`).
    static let previousReleases = ["004-vendor-keys", "005-serving-results"]

    @Test(arguments: StoreKind.available, Self.previousReleases)
    func anEarlierReleaseDatabaseMigratesAndKeepsEveryRow(kind: StoreKind, release: String) async throws {
        let last = try #require(Migrations.all.firstIndex { $0.id == release })
        let previous = Array(Migrations.all[...last])
        var failed = StoreFixture.result("r-failed", value: 9e14)
        failed.check = .failed
        let local = [StoreFixture.result("r1"), failed, StoreFixture.result("r2", chip: "ascend-910b")]
        let submitted = StoreFixture.result("s1", chip: "ascend-910b")
        let campaignResult = StoreFixture.result("old.micro-0.gemm")
        let servingLocal = StoreFixture.serving("srv-local")
        try await StoreFixture.withEmptyDatabase(kind) { location in
            try await Self.withStore(location, migrations: previous) { store in
                var statements: [String] = []
                for result in local { statements.append(Self.insertResult(result, submission: nil, campaign: nil)) }
                statements += [
                    """
                    INSERT INTO submissions (id, submitter, vendor, idempotency_key, status, reason, reviewer, key_id, \
                    payload_type, result_count, bundle, bundle_sha256, created_at, reviewed_at) VALUES ('sub-1', \
                    'tok-a', 'huawei', 'k', 'accepted', 'ok', 'tok-r', '0123456789abcdef', 'parity.results/1', 1, \
                    'bundle', '\(TokenSecret.sha256(Data("bundle".utf8)))', '2026-09-21T10:00:00.000Z', \
                    '2026-09-22T10:00:00.000Z')
                    """,
                    Self.insertResult(submitted, submission: "sub-1", campaign: nil),
                    """
                    INSERT INTO tokens (id, name, role, hash, created_at, revoked_at) VALUES ('tok-1', 'ci', \
                    'reviewer', 'abc', '2026-09-21T10:00:00.000Z', NULL)
                    """,
                    """
                    INSERT INTO chips (id, vendor, document, added_by, created_at) VALUES ('x-1', 'x', 'id: x-1', \
                    'tok-1', '2026-09-21T10:00:00.000Z')
                    """,
                    """
                    INSERT INTO assessments (id, title, document, created_at) VALUES ('as-1', 't', '{}', \
                    '2026-09-21T10:00:00.000Z')
                    """,
                    """
                    INSERT INTO vendor_keys (id, vendor, name, public_key, registered_by, created_at, revoked_at) \
                    VALUES ('0011223344556677', 'huawei', 'k', 'AAAA', 'tok-1', '2026-09-21T10:00:00.000Z', NULL)
                    """,
                    """
                    INSERT INTO campaigns (name, plan, override_reason, created_at) VALUES ('old', 'plan', NULL, \
                    '2026-09-21T10:00:00.000Z')
                    """,
                    Self.insertResult(campaignResult, submission: nil, campaign: "old"),
                    """
                    INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                    updated_at, document) VALUES ('old', 'micro-0', 0, 'done', 1, NULL, 1, \
                    '2026-09-21T10:00:00.000Z', NULL)
                    """,
                    """
                    INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                    updated_at, document) VALUES ('old', 'srv-1', 2, 'failed', 1, 'refused', 0, \
                    '2026-09-21T10:00:00.000Z', NULL)
                    """,
                    // What the releases before 005 wrote for a serve task: the document on the task row.
                    """
                    INSERT INTO campaign_tasks (campaign, task, task_index, state, attempts, cause, result_count, \
                    updated_at, document) VALUES ('old', 'srv-0.chat', 1, 'done', 1, NULL, 0, \
                    '2026-09-21T10:00:00.000Z', \(Self.quote(ServingStoreTests.benchServeDocument)))
                    """,
                ]
                if release == "005-serving-results" {
                    // Release 005 stored serving results as rows, and a serve task's typed row with its document.
                    statements.append(Self.insertServing(ServingDocument.Row(servingLocal), campaign: nil))
                    let converted = try #require(
                        ServingDocument.campaignMeasurements(
                            campaign: "old",
                            task: "srv-0.chat",
                            document: Data(ServingStoreTests.benchServeDocument.utf8)
                        )
                    )
                    for measurement in converted {
                        statements.append(Self.insertServing(ServingDocument.Row(measurement), campaign: "old"))
                    }
                }
                for statement in statements { try await Self.execute(store, statement) }
                #expect(try await store.appliedMigrations() == previous.map(\.id))
            }
            try await location.withStore { store in
                #expect(try await store.appliedMigrations() == Migrations.all.map(\.id))
                let results = try await store.results(ResultFilter())
                #expect(Set(results.map(\.id)) == ["r1", "r-failed", "r2", "s1", "old.micro-0.gemm"])
                #expect(try await store.result(id: "r-failed")?.result == failed, "documents read back exactly")
                #expect(try await store.result(id: "s1")?.status == .accepted)
                #expect(try await store.submission(id: "sub-1")?.resultCount == 1)
                #expect(try await store.tokens().map(\.id) == ["tok-1"])
                #expect(try await store.chips().map(\.id) == ["x-1"])
                #expect(try await store.assessment(id: "as-1")?.title == "t")
                #expect(try await store.vendorKeys(vendor: nil).map(\.id) == ["0011223344556677"])
                #expect(try await store.campaign(name: "old")?.plan == "plan")
                let tasks = try await store.campaignTasks(campaign: "old")
                #expect(tasks.map(\.task) == ["micro-0", "srv-0.chat", "srv-1"])
                #expect(tasks.map(\.state) == [.done, .done, .failed])
                #expect(try await store.campaignResults(campaign: "old").map(\.id) == ["old.micro-0.gemm"])
                #expect(try await store.campaignDocuments(campaign: "old")["srv-0.chat"] != nil)
                let serving = try await store.servingResults(ServingResultFilter()).map(\.id)
                #expect(
                    Set(serving)
                        == (release == "005-serving-results"
                            ? ["old.srv-0.chat.serve", "srv-local"] : ["old.srv-0.chat.serve"])
                )
                // Migration 006 read the failed check from the document: the 9e14 row is not the h20 GEMM best.
                let summaries = try await store.measurementSummaries(ResultFilter())
                #expect(summaries == MeasurementSummary.summarize(results))
                let h20 = try #require(summaries.first { $0.chip == "h20" && $0.benchmark == .gemm })
                #expect(h20.count == 3 && h20.passing == 2)
                #expect(h20.best?.id == "old.micro-0.gemm")
                // Migration 007 summarized the stored rows into result_groups: evidence only and a vendor's view too.
                for filter in [ResultFilter(evidenceOnly: true), ResultFilter(visibleTo: "huawei")] {
                    #expect(
                        try await store.measurementSummaries(filter)
                            == MeasurementSummary.summarize(try await store.results(filter)),
                        "\(filter)"
                    )
                }
            }
        }
    }

    /// The `INSERT` the releases before 006 issued for a result (no `passing` column).
    static func insertResult(_ result: BenchmarkResult, submission: String?, campaign: String?) -> String {
        let row = ResultDocument.Row(result)
        return """
            INSERT INTO results (id, chip, benchmark, precision, backend, unit, median, measured_at, submission_id, \
            document, stored_at, campaign) VALUES (\(quote(row.id)), \(quote(row.chip)), \(quote(row.benchmark)), \
            \(quote(row.precision)), \(quote(row.backend)), \(quote(row.unit)), \(row.median), \
            \(quote(row.measuredAt)), \(quote(submission)), \(quote(row.document)), '2026-09-21T10:00:00.000Z', \
            \(quote(campaign)))
            """
    }

    /// The `INSERT` release 005 issued for a serving result.
    static func insertServing(_ row: ServingDocument.Row, campaign: String?) -> String {
        """
        INSERT INTO serving_results (id, chip, chips, model, scenario, engine, engine_version, output_throughput, \
        measured_at, submission_id, campaign, document, stored_at) VALUES (\(quote(row.id)), \(quote(row.chip)), \
        \(row.chips), \(quote(row.model)), \(quote(row.scenario)), \(quote(row.engine)), \(quote(row.engineVersion)), \
        \(row.outputThroughput), \(quote(row.measuredAt)), NULL, \(quote(campaign)), \(quote(row.document)), \
        '2026-09-21T10:00:00.000Z')
        """
    }

    static func quote(_ text: String?) -> String {
        guard let text else { return "NULL" }
        return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func withStore(
        _ location: StoreLocation,
        migrations: [Migrations.Migration],
        _ body: (any ResultStore) async throws -> Void
    ) async throws {
        switch location {
        case .sqlite(let path):
            let store = try SQLiteStore(path: path)
            try await store.migrate(migrations)
            try await body(store)
            await store.close()
        case .postgres(let url):
            let store = try PostgresStore(url: url)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                try await store.migrate(migrations)
                try await body(store)
            }
        }
    }

    static func execute(_ store: any ResultStore, _ sql: String) async throws {
        if let store = store as? SQLiteStore { try await store.execute(unsafeSQL: sql) }
        if let store = store as? PostgresStore { try await store.execute(unsafeSQL: sql) }
    }
}
