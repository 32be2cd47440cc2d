import Foundation
import Measure
import ParityTesting
import Testing

@testable import Store

/// Lists that grow — results, serving results, submissions, assessments, tokens, vendor keys — are paged by keyset:
/// following each page's last item through the whole list yields every item once, in list order, including items
/// created at the same instant.
@Suite struct KeysetPageTests {
    static let base = Date(timeIntervalSince1970: 1_790_000_000)
    /// Seven creation times, three of them shared, so that a page boundary falls between equal times.
    static let times = [0, 0, 0, 1, 2, 2, 3].map { base + Double($0) }

    @Test(arguments: StoreKind.available)
    func everyListPagesThroughEveryItemOnce(kind: StoreKind) async throws {
        try await StoreFixture.withStore(kind) { store in
            for (index, time) in Self.times.enumerated() {
                // IDs that do not follow creation order, so that the order is by time first.
                let id = "\(["g", "c", "e", "a", "f", "b", "d"][index])"
                try await store.createToken(
                    AccessToken(id: "tok-\(id)", name: id, role: .admin, hash: "hash-\(id)", createdAt: time)
                )
                try await store.saveAssessment(
                    StoredAssessment(id: "as-\(id)", title: id, document: Data("{}".utf8), createdAt: time)
                )
                try await store.registerVendorKey(
                    VendorKey(
                        id: "key-\(id)",
                        vendor: index % 2 == 0 ? "huawei" : "cambricon",
                        name: id,
                        publicKey: "pk-\(id)",
                        registeredBy: "tok-a",
                        createdAt: time
                    )
                )
                _ = try await store.importResults([StoreFixture.result("r-\(id)", time: time)])
                _ = try await store.importServingResults([StoreFixture.serving("s-\(id)", time: time)])
                var submission = StoreFixture.submission("sub-\(id)", key: "k-\(id)", results: [])
                submission.submission.createdAt = time
                _ = try await store.submit(submission)
            }

            let tokens = try await Self.pages { after in
                try await store.tokens(limit: 3, after: after).map {
                    ($0, CreationCursor(createdAt: $0.createdAt, id: $0.id))
                }
            }
            #expect(tokens.map(\.id) == ["tok-c", "tok-e", "tok-g", "tok-a", "tok-b", "tok-f", "tok-d"])
            #expect(tokens == (try await store.tokens()))

            let assessments = try await Self.pages { after in
                try await store.assessments(limit: 3, after: after).map {
                    ($0, CreationCursor(createdAt: $0.createdAt, id: $0.id))
                }
            }
            #expect(assessments.map(\.id) == ["as-d", "as-b", "as-f", "as-a", "as-c", "as-e", "as-g"], "newest first")
            #expect(assessments == (try await store.assessments(limit: nil)))

            let keys = try await Self.pages { after in
                try await store.vendorKeys(vendor: "huawei", limit: 2, after: after).map {
                    ($0, CreationCursor(createdAt: $0.createdAt, id: $0.id))
                }
            }
            #expect(keys.map(\.id) == ["key-e", "key-g", "key-f", "key-d"])

            let results = try await Self.pages { (after: CreationCursor?) in
                var filter = ResultFilter(limit: 3)
                filter.after = after.map { ResultCursor(measuredAt: $0.createdAt, id: $0.id) }
                return try await store.results(filter).map {
                    ($0, CreationCursor(createdAt: $0.result.time, id: $0.id))
                }
            }
            #expect(results.map(\.id) == ["r-c", "r-e", "r-g", "r-a", "r-b", "r-f", "r-d"])

            let serving = try await Self.pages { (after: CreationCursor?) in
                let filter = ServingResultFilter(
                    limit: 3,
                    after: after.map { ResultCursor(measuredAt: $0.createdAt, id: $0.id) }
                )
                return try await store.servingResults(filter).map {
                    ($0, CreationCursor(createdAt: $0.measurement.time, id: $0.id))
                }
            }
            #expect(serving.map(\.id) == ["s-c", "s-e", "s-g", "s-a", "s-b", "s-f", "s-d"])

            let submissions = try await Self.pages { (after: CreationCursor?) in
                var filter = SubmissionFilter(limit: 3)
                filter.after = after.map { SubmissionCursor(createdAt: $0.createdAt, id: $0.id) }
                return try await store.submissions(filter).map {
                    ($0, CreationCursor(createdAt: $0.createdAt, id: $0.id))
                }
            }
            #expect(submissions.map(\.id) == ["sub-d", "sub-b", "sub-f", "sub-a", "sub-c", "sub-e", "sub-g"])
        }
    }

    /// Every item of a list, page after page, each page continuing after the previous one's last item.
    static func pages<T: Sendable>(
        _ page: (CreationCursor?) async throws -> [(T, CreationCursor)]
    ) async throws -> [T] {
        var all: [T] = []
        var after: CreationCursor?
        for _ in 0..<10 {
            let items = try await page(after)
            all += items.map(\.0)
            guard let last = items.last else { return all }
            after = last.1
        }
        Issue.record("more than 10 pages")
        return all
    }
}

/// Stored times are whole milliseconds whose text survives a round trip, so that a cursor made from a stored time
/// compares equal to it.
@Suite struct TimestampTests {
    @Test func aTimeReadBackGivesTheSameText() throws {
        // 1,790,000,000.345 s is not a binary fraction: it parses back as …0.34499…, which a truncating formatter
        // writes as .344.
        for milliseconds in [0, 1, 345, 999, 500, 123] {
            let date = Date(timeIntervalSince1970: 1_790_000_000 + Double(milliseconds) / 1000)
            let text = Timestamp.text(date)
            #expect(
                text
                    == "2026-09-21T14:13:20.\(String(repeating: "0", count: 3 - String(milliseconds).count))\(milliseconds)Z"
            )
            #expect(Timestamp.text(try Timestamp.date(text)) == text)
        }
        #expect(Timestamp.text(Date(timeIntervalSince1970: 1_790_000_000.0004)) == "2026-09-21T14:13:20.000Z")
        #expect(Timestamp.text(Date(timeIntervalSince1970: 1_790_000_000.9996)) == "2026-09-21T14:13:21.000Z")
    }
}
