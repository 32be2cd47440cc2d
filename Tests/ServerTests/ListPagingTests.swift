import Foundation
import ParityTesting
import Store
import Testing

/// The lists that grow with use — assessments, tokens, vendor keys — are paged like results: following the `Link`
/// header from a small first page yields every item once, in list order.
@Suite struct ListPagingTests {
    @Test(arguments: StoreKind.available)
    func assessmentsTokensAndKeysPageThroughLinkHeaders(kind: StoreKind) async throws {
        let created = Date(timeIntervalSince1970: 1_790_000_000)
        let prepare: @Sendable (any ResultStore) async throws -> Void = { store in
            for index in 0..<7 {
                // Two at each instant, so that a page boundary falls between equal times.
                let time = created + Double(index / 2)
                try await store.saveAssessment(
                    StoredAssessment(id: "as-\(index)", title: "t", document: Data("{}".utf8), createdAt: time)
                )
                try await store.createToken(
                    AccessToken(id: "tok-x\(index)", name: "x", role: .reviewer, hash: "h\(index)", createdAt: time)
                )
                try await store.registerVendorKey(
                    VendorKey(
                        id: "key-\(index)",
                        vendor: "huawei",
                        name: "k",
                        publicKey: "pk-\(index)",
                        registeredBy: "tok-admin",
                        createdAt: time
                    )
                )
            }
        }
        try await Harness.withServer(kind, prepare: prepare) { harness in
            func follow(_ first: String, as token: String) async throws -> [String] {
                var ids: [String] = []
                var next: String? = first
                var pages = 0
                while let path = next, pages < 20 {
                    let page = try await harness.request(.GET, path, token: token)
                    #expect(page.status == 200, "\(path): \(page.text)")
                    ids += try page.list().compactMap { $0["id"] as? String }
                    next = page.header("Link").flatMap { link in
                        link.split(separator: ">").first.map { String($0.dropFirst()) }
                    }
                    pages += 1
                }
                return ids
            }
            let assessments = try await follow("/v1/assessments?limit=3", as: "reviewer")
            #expect(assessments == ["as-6", "as-4", "as-5", "as-2", "as-3", "as-0", "as-1"], "newest first")
            let tokens = try await follow("/v1/tokens?limit=2", as: "admin")
            let storedTokens = try await harness.store.tokens().map(\.id)
            #expect(tokens == storedTokens, "\(tokens) vs \(storedTokens)")
            #expect(tokens.count == 12 && Set(tokens).count == 12)
            let keys = try await follow("/v1/keys?limit=2", as: "huawei")
            let storedKeys = try await harness.store.vendorKeys(vendor: "huawei").map(\.id)
            #expect(keys == storedKeys, "\(keys) vs \(storedKeys)")
            #expect(keys.count == 8)
            #expect(try await harness.request(.GET, "/v1/tokens?after=nonsense", token: "admin").status == 400)
        }
    }
}
