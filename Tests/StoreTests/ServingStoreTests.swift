import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// Serving results (`serving_results`, migration 005) on SQLite and PostgreSQL alike.
@Suite struct ServingStoreTests {
    static let day: TimeInterval = 86_400
    static let base = Date(timeIntervalSince1970: 1_790_000_000)

    @Test(arguments: StoreKind.available)
    func importRoundTripsAndFilters(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let records = [
                StoreFixture.serving("a", chip: "h20", time: Self.base),
                StoreFixture.serving(
                    "b",
                    chip: "h20",
                    model: "deepseek-v3",
                    scenario: "ds-decode",
                    time: Self.base + Self.day
                ),
                StoreFixture.serving("c", chip: "ascend-910c", engine: "sglang", time: Self.base + 2 * Self.day),
                StoreFixture.serving("d", chip: "ascend-910c", scenario: nil, time: Self.base + 3 * Self.day),
            ]
            #expect(try await store.importServingResults(records) == ImportSummary(inserted: 4, unchanged: 0))
            let all = try await store.servingResults(ServingResultFilter())
            #expect(all.map(\.measurement) == records, "records read back exactly, oldest first")
            #expect(all.allSatisfy { $0.origin == .local && $0.isEvidence && $0.isMeasuredHere })
            func ids(_ filter: ServingResultFilter) async throws -> [String] {
                try await store.servingResults(filter).map(\.id)
            }
            #expect(try await ids(ServingResultFilter(chip: "h20")) == ["a", "b"])
            #expect(try await ids(ServingResultFilter(model: "deepseek-v3")) == ["b"])
            #expect(try await ids(ServingResultFilter(scenario: "chat-70b")) == ["a", "c"])
            #expect(try await ids(ServingResultFilter(engine: "sglang")) == ["c"])
            #expect(
                try await ids(ServingResultFilter(since: Self.base + Self.day, until: Self.base + 3 * Self.day)) == [
                    "b", "c",
                ]
            )
            // Keyset pagination: two pages of two, then nothing.
            let first = try await store.servingResults(ServingResultFilter(limit: 2))
            #expect(first.map(\.id) == ["a", "b"])
            let cursor = try #require(first.last.map { ResultCursor(measuredAt: $0.measurement.time, id: $0.id) })
            #expect(try await ids(ServingResultFilter(limit: 2, after: cursor)) == ["c", "d"])
            #expect(try await store.servingResult(id: "c")?.measurement == records[2])
            #expect(try await store.servingResult(id: "zz") == nil)
            // The same records again: skipped, not doubled.
            #expect(try await store.importServingResults(records) == ImportSummary(inserted: 0, unchanged: 4))
            #expect(try await store.servingResults(ServingResultFilter()).count == 4)
            // Micro-benchmark results are a separate list.
            #expect(try await store.results(ResultFilter()).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func aConflictingImportWritesNothing(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.importServingResults([StoreFixture.serving("a")])
            let changed = StoreFixture.serving("a", outputTokensPerSecond: 2100)
            await #expect(throws: StoreError.conflict("serving result a is already stored with different content")) {
                try await store.importServingResults([StoreFixture.serving("new"), changed])
            }
            #expect(try await store.servingResults(ServingResultFilter()).map(\.id) == ["a"], "rolled back")
        }
    }

    @Test(arguments: StoreKind.available)
    func submittedServingResultsAreNamespacedReviewedAndVisibleLikeMeasurements(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.importServingResults([StoreFixture.serving("local")])
            var huawei = StoreFixture.submission(
                "sub-h",
                key: "h",
                vendor: "huawei",
                results: [StoreFixture.result("h1", chip: "ascend-910c")],
                serving: [StoreFixture.serving("run-1", chip: "ascend-910c")]
            )
            huawei.namespace = "huawei"
            var cambricon = StoreFixture.submission(
                "sub-c",
                key: "c",
                vendor: "cambricon",
                results: [],
                serving: [StoreFixture.serving("run-1", chip: "mlu590")]
            )
            cambricon.namespace = "cambricon"
            let created = try await store.submit(huawei)
            #expect(created.submission.resultCount == 2, "one measurement and one serving result")
            _ = try await store.submit(cambricon)
            // Both vendors used the ID run-1: stored apart, as VENDOR:ID.
            let all = try await store.servingResults(ServingResultFilter())
            #expect(Set(all.map(\.id)) == ["local", "huawei:run-1", "cambricon:run-1"])
            let stored = try #require(try await store.servingResult(id: "huawei:run-1"))
            #expect(stored.origin == .submission && stored.submissionID == "sub-h" && stored.vendor == "huawei")
            #expect(stored.status == .submitted && !stored.isEvidence && !stored.isMeasuredHere)
            #expect(stored.measurement.id == "run-1", "the record stays as signed")
            // Visibility: a vendor sees local rows, its own, and others' accepted ones.
            func visible(_ vendor: String) async throws -> Set<String> {
                Set(try await store.servingResults(ServingResultFilter(visibleTo: vendor)).map(\.id))
            }
            #expect(try await visible("huawei") == ["local", "huawei:run-1"])
            #expect(try await visible("cambricon") == ["local", "cambricon:run-1"])
            #expect(Set(try await store.servingResults(ServingResultFilter(evidenceOnly: true)).map(\.id)) == ["local"])
            _ = try await store.updateSubmission(id: "sub-h", to: .accepted, reason: "ok", reviewer: "r", at: Date())
            #expect(try await visible("cambricon") == ["local", "huawei:run-1", "cambricon:run-1"])
            let evidence = try await store.servingResults(ServingResultFilter(evidenceOnly: true))
            #expect(Set(evidence.map(\.id)) == ["local", "huawei:run-1"])
            #expect(evidence.first { $0.id == "huawei:run-1" }?.isEvidence == true)
            // The same vendor cannot submit the same ID twice: nothing of the second bundle is written.
            var again = StoreFixture.submission(
                "sub-h2",
                key: "h2",
                vendor: "huawei",
                results: [StoreFixture.result("h2", chip: "ascend-910c")],
                serving: [StoreFixture.serving("run-1", chip: "ascend-910c")]
            )
            again.namespace = "huawei"
            await #expect(throws: StoreError.conflict("serving result huawei:run-1 is already stored")) {
                try await store.submit(again)
            }
            #expect(try await store.submission(id: "sub-h2") == nil)
            #expect(try await store.result(id: "huawei:h2") == nil)
        }
    }

    /// A serving task's bench-serve document becomes one typed row, in the task's transaction: a retried or
    /// collected task stores nothing twice.
    @Test(arguments: StoreKind.available)
    func campaignServeTasksStoreTypedRowsOnce(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.registerCampaign(
                StoredCampaign(name: "verify", plan: "plan", overrideReason: nil, createdAt: Self.base)
            )
            let document = Data(Self.benchServeDocument.utf8)
            for _ in 0..<2 {
                _ = try await store.completeCampaignTask(
                    campaign: "verify",
                    task: "srv-0.chat",
                    index: 0,
                    results: [],
                    document: document,
                    at: Self.base
                )
            }
            let rows = try await store.servingResults(ServingResultFilter(campaign: "verify"))
            #expect(rows.map(\.id) == ["verify.srv-0.chat.serve"])
            let row = try #require(rows.first)
            #expect(row.origin == .campaign && row.isMeasuredHere && row.campaign == "verify")
            #expect(row.measurement.chip == "h20")
            #expect(row.measurement.metrics.outputTokensPerSecond == 1280.5)
            #expect(row.measurement.engine.name == "unknown", "the campaign does not say; nothing is guessed")
            #expect(row.measurement.provenance.contains("not recorded by the campaign"))
            #expect(try await store.campaignDocuments(campaign: "verify")["srv-0.chat"] == document)
        }
    }

    /// The shape `parity bench serve --chip h20 --scenario …` wrote (parity.serving/1), trimmed to the fields read:
    /// 100 requests of 1024 → 128 tokens; 12,800 output tokens in 9.996 s is 1,280.5 tokens/s (rounded as written).
    static let benchServeDocument = """
        {"completed":100,"date":"2026-09-21T10:00:00Z","duration":9.996,"failed":0,"max_concurrency":16,\
        "max_concurrent_requests":16,"mean_e2el_ms":1590.2,"mean_itl_ms":11.1,"mean_tpot_ms":11.1,\
        "mean_ttft_ms":180.4,"median_ttft_ms":170.2,"median_tpot_ms":11.0,"model_id":"llama-3.1-8b",\
        "output_throughput":1280.5,"p90_ttft_ms":250.0,"p99_ttft_ms":400.1,"request_goodput":null,\
        "request_rate":"inf","request_throughput":10.004,"total_input_tokens":102400,"total_output_tokens":12800,\
        "total_token_throughput":11524.6,"burstiness":1,\
        "parity":{"schema":"parity.serving/1","chip":"h20","scenario":"verify.srv-0.chat","dataset":"fixed(input=1024, output=128)"}}
        """
}
