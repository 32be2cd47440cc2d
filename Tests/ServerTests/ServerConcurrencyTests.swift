import Foundation
import Measure
import ParityTesting
import Reporting
import Store
import Testing

@Suite struct ServerConcurrencyTests {
    /// 50 concurrent clients submit 10,000 results in 2,000 signed bundles through HTTP; every fifth bundle is
    /// sent twice with the same idempotency key. Afterwards exactly 2,000 submissions and 10,000 results exist.
    @Test(arguments: StoreKind.available)
    func fiftyClientsSubmitTenThousandResults(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let clients = 50
            let bundlesPerClient = 40
            let resultsPerBundle = 5
            let vendors = [("huawei", "ascend-910b"), ("cambricon", "mlu590"), ("nvidia", "h20")]
            let counts = try await withThrowingTaskGroup(of: [Int: Int].self) { group in
                for client in 0..<clients {
                    group.addTask {
                        var statuses: [Int: Int] = [:]
                        let (token, chip) = vendors[client % vendors.count]
                        for index in 0..<bundlesPerClient {
                            let results = (0..<resultsPerBundle).map {
                                StoreFixture.result("c\(client)-b\(index)-r\($0)", chip: chip)
                            }
                            let bundle = try harness.bundle(results)
                            let key = "client-\(client)-bundle-\(index)"
                            for _ in 0..<(index % 5 == 0 ? 2 : 1) {
                                let reply = try await harness.submit(bundle, as: token, key: key)
                                statuses[reply.status, default: 0] += 1
                            }
                        }
                        return statuses
                    }
                }
                var total: [Int: Int] = [:]
                for try await statuses in group { total.merge(statuses, uniquingKeysWith: +) }
                return total
            }
            let bundles = clients * bundlesPerClient
            #expect(counts[201] == bundles, "created: \(counts)")
            #expect(counts[200] == bundles / 5, "replayed: \(counts)")
            #expect(counts.keys.allSatisfy { $0 == 200 || $0 == 201 }, "\(counts)")
            let submissions = try await harness.store.submissions(SubmissionFilter())
            #expect(submissions.count == bundles)
            #expect(Set(submissions.map(\.idempotencyKey)).count == bundles)
            let results = try await harness.store.results(ResultFilter())
            #expect(results.count == bundles * resultsPerBundle)
            #expect(Set(results.map(\.result.id)).count == results.count)
            // Pages of at most 1,000, followed through their Link headers.
            var listed: [[String: Any]] = []
            var next: String? = "/v1/results?limit=1000"
            while let path = next {
                let page = try await harness.request(.GET, path, token: "reviewer")
                listed += try page.list()
                next = page.header("Link").flatMap { link in
                    link.split(separator: ">").first.map { String($0.dropFirst()) }
                }
            }
            #expect(listed.count == 10_000)
            #expect(Set(listed.compactMap { $0["id"] as? String }).count == 10_000)
            #expect(try await harness.request(.GET, "/v1/results?limit=1001", token: "reviewer").status == 400)
        }
    }
}
