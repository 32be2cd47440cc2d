import Foundation
import Measure
import ParityTesting
import Store
import Testing

/// `GET /v1/results` copies stored documents into its pages instead of parsing and encoding them again; the pages
/// are byte for byte what encoding the parsed rows gives, for every caller's view, and page through every row once.
@Suite struct ResultPageTests {
    /// The server's encoding of parsed rows (`JSON.encode` in the Server module): sorted keys, unescaped slashes,
    /// ISO 8601 dates.
    static func encoded(_ rows: [StoredResult]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(rows), as: UTF8.self) + "\n"
    }

    @Test(arguments: StoreKind.available)
    func pagesAreTheEncodedRowsByteForByte(kind: StoreKind) async throws {
        let base = Date(timeIntervalSince1970: 1_790_000_000.25)
        let prepare: @Sendable (any ResultStore) async throws -> Void = { store in
            _ = try await store.importResults([
                StoreFixture.result("local-1", chip: "h20", time: base),
                StoreFixture.result(#"local "quoted" \ slash/ü-名"#, chip: "ascend-910b", time: base + 1),
                StoreFixture.result("local-3", chip: "ascend-910b", benchmark: .streamTriad, time: base + 1),
            ])
        }
        try await Harness.withServer(kind, prepare: prepare) { harness in
            let pending = try await harness.submit(
                try harness.bundle([StoreFixture.result("vendor-1", chip: "ascend-910c", time: base + 2)]),
                as: "huawei",
                key: "page-1"
            )
            #expect(pending.status == 201)
            for (caller, visibleTo) in [("reviewer", nil), ("huawei", "huawei"), ("cambricon", "cambricon")] {
                for query in ["", "?chip=ascend-910b", "?benchmark=gemm", "?limit=2"] {
                    let reply = try await harness.request(.GET, "/v1/results\(query)", token: caller)
                    #expect(reply.status == 200)
                    var filter = ResultFilter(visibleTo: visibleTo, limit: query == "?limit=2" ? 2 : 100)
                    if query == "?chip=ascend-910b" { filter.chip = "ascend-910b" }
                    if query == "?benchmark=gemm" { filter.benchmark = .gemm }
                    let expected = try Self.encoded(try await harness.store.results(filter))
                    #expect(reply.text == expected, "\(caller) \(query)")
                }
            }
            // The vendor sees its own pending row with its origin; another vendor does not see it.
            let mine = try await harness.request(.GET, "/v1/results?chip=ascend-910c", token: "huawei").list()
            #expect(mine.count == 1 && mine.first?["status"] as? String == "submitted")
            #expect(mine.first?["vendor"] as? String == "huawei")
            #expect(try await harness.request(.GET, "/v1/results?chip=ascend-910c", token: "cambricon").list().isEmpty)

            // Following the Link header from pages of one yields every visible row once, in list order.
            var seen: [String] = []
            var next: String? = "/v1/results?limit=1"
            while let path = next {
                let reply = try await harness.request(.GET, path, token: "reviewer")
                seen += try reply.list().compactMap { $0["id"] as? String }
                next = reply.header("Link").flatMap { link in
                    link.split(separator: ">").first.map { String($0.dropFirst()) }
                }
            }
            #expect(seen == (try await harness.store.results(ResultFilter())).map(\.id))
            #expect(seen.count == 4)
        }
    }

    /// Stored times keep milliseconds that documents drop; pages of serving results follow the stored time, so rows
    /// measured within one second each come once (a cursor from the document's whole second would return them on
    /// every page, for ever).
    @Test(arguments: StoreKind.available)
    func rowsWithinOneSecondPageOnce(kind: StoreKind) async throws {
        let base = Date(timeIntervalSince1970: 1_790_000_000)
        let prepare: @Sendable (any ResultStore) async throws -> Void = { store in
            _ = try await store.importServingResults(
                (0..<4).map { StoreFixture.serving("s-\(3 - $0)", time: base + 0.2 * Double($0 + 1)) }
            )
            _ = try await store.importResults(
                (0..<4).map { StoreFixture.result("r-\(3 - $0)", time: base + 0.2 * Double($0 + 1)) }
            )
        }
        try await Harness.withServer(kind, prepare: prepare) { harness in
            for list in ["serving-results", "results"] {
                var seen: [String] = []
                var next: String? = "/v1/\(list)?limit=1"
                while let path = next, seen.count < 10 {
                    let reply = try await harness.request(.GET, path, token: "reviewer")
                    #expect(reply.status == 200)
                    seen += try reply.list().compactMap { $0["id"] as? String }
                    next = reply.header("Link").flatMap { link in
                        link.split(separator: ">").first.map { String($0.dropFirst()) }
                    }
                }
                let prefix = list == "results" ? "r" : "s"
                #expect(seen == ["3", "2", "1", "0"].map { "\(prefix)-\($0)" }, "\(list)")
            }
        }
    }
}
