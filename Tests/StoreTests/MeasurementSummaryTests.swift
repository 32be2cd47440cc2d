import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// The store's per-group summaries equal the summaries computed from full rows, on both databases.
@Suite struct MeasurementSummaryTests {
    static func rows() -> [BenchmarkResult] {
        var failed = StoreFixture.result("h20-gemm-failed", chip: "h20", value: 9e14)
        failed.check = .failed
        return [
            StoreFixture.result("h20-gemm-a", chip: "h20", value: 1.0e14),
            StoreFixture.result("h20-gemm-b", chip: "h20", value: 1.2e14),
            failed,
            StoreFixture.result("h20-gemm-tie-z", chip: "h20", value: 1.2e14),
            StoreFixture.result("h20-triad", chip: "h20", benchmark: .streamTriad, value: 3.5e12),
            StoreFixture.result("910b-gemm", chip: "ascend-910b", value: 2.0e14),
        ]
    }

    @Test func bestIsTheHighestPassingMedianWithTiesToTheSmallestID() throws {
        let stored = Self.rows().map { StoredResult(result: $0, storedAt: Date(timeIntervalSince1970: 0)) }
        let summaries = MeasurementSummary.summarize(stored)
        #expect(summaries.map(\.chip) == ["ascend-910b", "h20", "h20"])
        let gemm = try #require(summaries.first { $0.chip == "h20" && $0.benchmark == .gemm })
        #expect(gemm.count == 4)
        #expect(gemm.passing == 3)
        // h20-gemm-b and h20-gemm-tie-z share the highest passing median (1.2e14); the failed 9e14 row is skipped.
        #expect(gemm.best?.id == "h20-gemm-b")
    }

    @Test(arguments: StoreKind.available)
    func storeSummariesEqualRowSummaries(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.importResults(Self.rows())
            let rows = try await store.results(ResultFilter())
            #expect(try await store.measurementSummaries(ResultFilter()) == MeasurementSummary.summarize(rows))
            let h20 = try await store.measurementSummaries(ResultFilter(chip: "h20"))
            #expect(h20.map(\.benchmark) == [.gemm, .streamTriad])
        }
    }

    /// The summaries kept in `result_groups` as rows are stored equal the summaries of every row, under every filter
    /// an assessment or a vendor uses, through imports in several batches, campaign tasks, submissions that are
    /// accepted, rejected or pending, failed checks, and ties on the best median across batches and origins.
    @Test(arguments: StoreKind.available)
    func keptGroupsEqualEveryRowsSummaries(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            var failed = StoreFixture.result("a-failed-high", chip: "h20", value: 9e14)
            failed.check = .failed
            // Batch 1 and 2: the tie on 1.2e14 is met first by the larger ID, then by a smaller one.
            _ = try await store.importResults([
                StoreFixture.result("h20-m", chip: "h20", value: 1.2e14), failed,
                StoreFixture.result("h20-low", chip: "h20", value: 1.0e14),
            ])
            _ = try await store.importResults([
                StoreFixture.result("h20-c", chip: "h20", value: 1.2e14),
                StoreFixture.result("h20-z", chip: "h20", value: 1.2e14),
                StoreFixture.result("triad", chip: "h20", benchmark: .streamTriad, value: 3e12),
            ])
            // Only failed rows in a group: counted, no best.
            var onlyFailed = StoreFixture.result("910b-failed", chip: "ascend-910b", value: 2e14)
            onlyFailed.check = .failed
            _ = try await store.importResults([onlyFailed])
            // Submissions: an accepted one with a higher best, a rejected and a pending one with higher still, and
            // an accepted one tying the local best with a smaller ID.
            let higher = StoreFixture.result("sub-high", chip: "h20", value: 1.5e14)
            let rejected = StoreFixture.result("sub-rejected", chip: "h20", value: 5e14)
            let pending = StoreFixture.result("sub-pending", chip: "ascend-910b", value: 3e14)
            let tie = StoreFixture.result("h20-a-tie", chip: "h20", value: 1.5e14)
            for (id, rows, status) in [
                ("s-accepted", [higher], Submission.Status.accepted), ("s-rejected", [rejected], .rejected),
                ("s-pending", [pending], .submitted), ("s-tie", [tie], .accepted),
            ] {
                _ = try await store.submit(StoreFixture.submission(id, key: id, results: rows))
                if status != .submitted {
                    _ = try await store.updateSubmission(
                        id: id,
                        to: status,
                        reason: "checked",
                        reviewer: "tok-r",
                        at: Date(timeIntervalSince1970: 1_790_000_200)
                    )
                }
            }
            let filters = [
                ResultFilter(), ResultFilter(evidenceOnly: true), ResultFilter(visibleTo: "huawei"),
                ResultFilter(visibleTo: "cambricon"), ResultFilter(chip: "h20", evidenceOnly: true),
                ResultFilter(benchmark: .gemm), ResultFilter(since: Date(timeIntervalSince1970: 0), evidenceOnly: true),
            ]
            for filter in filters {
                let kept = try await store.measurementSummaries(filter)
                #expect(kept == MeasurementSummary.summarize(try await store.results(filter)), "\(filter)")
            }
            let evidence = try await store.measurementSummaries(ResultFilter(evidenceOnly: true))
            let gemm = try #require(evidence.first { $0.chip == "h20" && $0.benchmark == .gemm })
            // h20 GEMM: 5 local rows (one failed) and 2 accepted; the rejected row is not evidence.
            #expect(gemm.count == 7 && gemm.passing == 6)
            #expect(gemm.best?.id == "h20-a-tie", "1.5e14 twice; the smaller ID of the two")
            let ascend = try #require(evidence.first { $0.chip == "ascend-910b" })
            #expect(ascend.count == 1 && ascend.passing == 0 && ascend.best == nil)
        }
    }
}
