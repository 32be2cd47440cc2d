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
}
