import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// `refreshStatistics` (called by `parity results import` after it stored rows) gives PostgreSQL's planner the new
/// row count; without it, a bulk-imported table reads as never analysed and filtered pages were planned as scans
/// (p99 342 ms at 1,000,000 rows against 54 ms after `ANALYZE`, docs/benchmarks.md).
@Suite struct StatisticsRefreshTests {
    @Test(arguments: StoreKind.available)
    func refreshingStatisticsCountsTheImportedRows(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            let results = (0..<3_000).map { StoreFixture.result("r-\($0)", chip: $0 % 2 == 0 ? "h20" : "mi308x") }
            _ = try await store.importResults(results)
            let sqlStore = try #require(store as? any SQLStore)
            switch kind {
            case .postgres:
                let tuples = "SELECT reltuples::float8 FROM pg_class WHERE relname = 'results'"
                let before = try await sqlStore.database.query(tuples)[0].real(0)
                #expect(before < 3_000, "a fresh table is not analysed yet (reltuples \(before))")
                try await store.refreshStatistics()
                #expect(try await sqlStore.database.query(tuples)[0].real(0) == 3_000)
            case .sqlite:
                try await store.refreshStatistics()
            }
            // Nothing of the data changes.
            #expect(try await store.results(ResultFilter()).count == 3_000)
            #expect(try await store.results(ResultFilter(chip: "h20")).count == 1_500)
        }
    }
}
