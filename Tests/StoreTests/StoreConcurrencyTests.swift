import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// Two stores opened on one database — two processes or two servers: on SQLite two GRDB pools on one file, on
/// PostgreSQL two connection pools — writing at once. Every row is written exactly once and every call's answer
/// says what it did.
@Suite struct StoreConcurrencyTests {
    @Test(arguments: StoreKind.available)
    func twoStoresOnOneDatabaseWriteEveryRowOnce(kind: StoreKind) async throws {
        try await StoreFixture.withEmptyDatabase(kind) { location in
            try await location.withStore { first in
                try await location.withStore { second in
                    let stores = [first, second]
                    // Overlapping imports through both: results 0..<1,500 in three batches of 1,000 that overlap.
                    let imports = try await withThrowingTaskGroup(of: ImportSummary.self) { group in
                        for (batch, start) in [0, 250, 500].enumerated() {
                            group.addTask {
                                let results = (start..<(start + 1_000)).map { StoreFixture.result("m-\($0)") }
                                return try await stores[batch % 2].importResults(results)
                            }
                        }
                        var total = ImportSummary(inserted: 0, unchanged: 0)
                        for try await summary in group {
                            total.inserted += summary.inserted
                            total.unchanged += summary.unchanged
                        }
                        return total
                    }
                    #expect(imports.inserted == 1_500, "\(imports)")
                    #expect(imports.unchanged == 1_500, "\(imports)")
                    // Each submission sent to both stores at once under one idempotency key: one creates, one replays.
                    let outcomes = try await withThrowingTaskGroup(of: SubmitOutcome.self) { group in
                        for index in 0..<40 {
                            let new = StoreFixture.submission(
                                "sub-\(index)",
                                key: "key-\(index)",
                                results: [StoreFixture.result("s-\(index)")]
                            )
                            for store in stores { group.addTask { try await store.submit(new) } }
                        }
                        var all: [SubmitOutcome] = []
                        for try await outcome in group { all.append(outcome) }
                        return all
                    }
                    let created = outcomes.filter { if case .created = $0 { true } else { false } }
                    #expect(created.count == 40 && outcomes.count == 80)
                    // One campaign task completed through both stores at once: stored once, done once.
                    _ = try await first.registerCampaign(
                        StoredCampaign(name: "c", plan: "p", overrideReason: nil, createdAt: Date())
                    )
                    let completions = try await withThrowingTaskGroup(of: TaskCompletion.self) { group in
                        for store in stores {
                            group.addTask {
                                try await store.completeCampaignTask(
                                    campaign: "c",
                                    task: "t0",
                                    index: 0,
                                    results: [StoreFixture.result("c.t0.gemm")],
                                    document: nil,
                                    at: Date()
                                )
                            }
                        }
                        var all: [TaskCompletion] = []
                        for try await completion in group { all.append(completion) }
                        return all
                    }
                    #expect(completions.filter { $0 == .stored(1) }.count == 1, "\(completions)")
                    #expect(completions.filter { $0 == .alreadyDone }.count == 1, "\(completions)")
                    for store in stores {
                        let stored = try await store.results(ResultFilter())
                        #expect(stored.count == 1_500 + 40 + 1)
                        #expect(Set(stored.map(\.id)).count == stored.count)
                        #expect(try await store.submissions(SubmissionFilter()).count == 40)
                        #expect(try await store.campaignTasks(campaign: "c").map(\.attempts) == [1])
                    }
                }
            }
        }
    }

    /// A write that fails leaves nothing behind, and the store stays usable: the failed transaction was rolled back
    /// before the next one began.
    @Test(arguments: StoreKind.available)
    func aFailedTransactionIsRolledBackBeforeTheNext(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.importResults([StoreFixture.result("a")])
            let changed = StoreFixture.result("a", value: 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        if index % 2 == 0 {
                            await #expect(throws: StoreError.self) {
                                try await store.importResults([StoreFixture.result("x-\(index)"), changed])
                            }
                        } else {
                            _ = try await store.importResults([StoreFixture.result("y-\(index)")])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let ids = Set(try await store.results(ResultFilter()).map(\.id))
            #expect(ids == Set(["a"] + stride(from: 1, to: 20, by: 2).map { "y-\($0)" }))
        }
    }
}
