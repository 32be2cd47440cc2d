import Foundation
import Measure
import ParityTesting
import Reporting
import Store
import Testing

/// Serving results travel in signed bundles (`parity.results/2`) and are submitted, reviewed and shown as
/// measurements are: vendor namespacing, registered keys, visibility.
@Suite struct ServingSubmissionTests {
    @Test(arguments: StoreKind.available)
    func servingResultsAreSubmittedReviewedAndShown(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let bundle = try SignedBundle.sign(
                [StoreFixture.result("m-1", chip: "ascend-910c")],
                serving: [StoreFixture.serving("serve-1", chip: "ascend-910c", scenario: "ds-decode")],
                with: harness.key(for: "ascend-910c")
            )
            let created = try await harness.submit(bundle, as: "huawei", key: "serve-1")
            #expect(created.status == 201)
            let body = try created.json()
            let id = try #require(body["id"] as? String)
            #expect(body["payloadType"] as? String == "parity.results/2" && body["resultCount"] as? Int == 2)
            // Pending: the vendor sees its own, another vendor does not.
            #expect(try await harness.request(.GET, "/v1/serving-results", token: "huawei").list().count == 1)
            #expect(try await harness.request(.GET, "/v1/serving-results", token: "cambricon").list().isEmpty)
            #expect(try await harness.request(.GET, "/v1/serving-results/serve-1", token: "huawei").status == 200)
            #expect(
                try await harness.request(.GET, "/v1/serving-results/huawei:serve-1", token: "cambricon").status == 404
            )
            let accepted = try await harness.request(
                .POST,
                "/v1/submissions/\(id)/review",
                token: "reviewer",
                body: Data(#"{"decision":"accepted","reason":"log and setup checked"}"#.utf8)
            )
            #expect(accepted.status == 200)
            let shown = try await harness.request(
                .GET,
                "/v1/serving-results?chip=ascend-910c&scenario=ds-decode",
                token: "cambricon"
            ).list()
            #expect(shown.map { $0["id"] as? String } == ["huawei:serve-1"])
            #expect(shown.first?["submissionID"] as? String == id)
            let stored = try #require(
                try await harness.store.servingResult(id: "huawei:serve-1")
            )
            #expect(stored.origin == .submission && stored.isEvidence && stored.vendor == "huawei")
            #expect(stored.measurement == StoreFixture.serving("serve-1", chip: "ascend-910c", scenario: "ds-decode"))
        }
    }

    @Test(arguments: StoreKind.available)
    func aVendorCannotSubmitServingResultsForAnotherVendorsChip(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let bundle = try SignedBundle.sign(
                [],
                serving: [StoreFixture.serving("h20-run", chip: "h20")],
                with: harness.key(for: "ascend-910c")
            )
            let refused = try await harness.submit(bundle, as: "huawei", key: "other-chip")
            #expect(refused.status == 403)
            #expect(try await harness.store.servingResults(ServingResultFilter()).isEmpty)
        }
    }
}
