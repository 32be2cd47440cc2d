import Assessment
import Catalogue
import Foundation
import Measure
import ParityTesting
import Reporting
import Store
import Testing

@Suite struct ServerFlowTests {
    @Test(arguments: StoreKind.available)
    func draftsReviewAndVisibility(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let bundle = try harness.bundle([
                StoreFixture.result("flow-1", chip: "ascend-910b"), StoreFixture.result("flow-2", chip: "ascend-910c"),
            ])
            let draft = try await harness.submit(bundle, as: "huawei", key: "draft-1", draft: true)
            #expect(draft.status == 201)
            let created = try draft.json()
            let id = try #require(created["id"] as? String)
            #expect(created["status"] as? String == "draft" && created["resultCount"] as? Int == 2)
            #expect(created["vendor"] as? String == "huawei")
            #expect(draft.header("Location") == "/v1/submissions/\(id)")
            // A retry with the same key and body: 200, the same submission, nothing new.
            let retry = try await harness.submit(bundle, as: "huawei", key: "draft-1", draft: true)
            #expect(retry.status == 200)
            #expect(try retry.json()["id"] as? String == id)
            // The same key with another body: 409.
            let clash = try await harness.submit(
                try harness.bundle([StoreFixture.result("flow-3", chip: "ascend-910b")]),
                as: "huawei",
                key: "draft-1"
            )
            #expect(clash.status == 409)

            // Drafts: the vendor and reviewers see them, other vendors do not.
            #expect(try await harness.request(.GET, "/v1/submissions", token: "huawei").list().count == 1)
            #expect(try await harness.request(.GET, "/v1/submissions", token: "cambricon").list().isEmpty)
            #expect(try await harness.request(.GET, "/v1/submissions", token: "reviewer").list().count == 1)
            #expect(
                try await harness.request(.GET, "/v1/submissions?status=draft", token: "reviewer").list().count == 1
            )
            #expect(try await harness.request(.GET, "/v1/results", token: "cambricon").list().isEmpty)
            #expect(try await harness.request(.GET, "/v1/results?chip=ascend-910b", token: "huawei").list().count == 1)

            // A reviewer cannot put a vendor's draft up; the vendor does; then the reviewer rejects it.
            #expect(try await harness.request(.POST, "/v1/submissions/\(id)/submit", token: "reviewer").status == 403)
            let up = try await harness.request(.POST, "/v1/submissions/\(id)/submit", token: "huawei")
            #expect(try up.status == 200 && up.json()["status"] as? String == "submitted")
            let rejected = try await harness.request(
                .POST,
                "/v1/submissions/\(id)/review",
                token: "reviewer",
                body: Data(#"{"decision":"rejected","reason":"clocks not recorded"}"#.utf8)
            )
            #expect(rejected.status == 200)
            let body = try rejected.json()
            #expect(body["status"] as? String == "rejected" && body["reason"] as? String == "clocks not recorded")
            #expect(body["reviewer"] as? String == "tok-reviewer")
            #expect(try await harness.request(.GET, "/v1/results", token: "cambricon").list().isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func chipsTokensHealthAndMetrics(kind: StoreKind) async throws {
        try await Harness.withServer(kind) { harness in
            let chips = try await harness.request(.GET, "/v1/chips", token: "huawei").list()
            #expect(chips.count == Harness.catalogue.chips.count)
            let h20 = try await harness.request(.GET, "/v1/chips/h20", token: "huawei")
            #expect(try h20.status == 200 && h20.json()["vendorSlug"] as? String == "nvidia")
            #expect(try await harness.request(.GET, "/v1/chips/none", token: "huawei").status == 404)

            // A vendor adds its own chip in the catalogue's YAML format, not another vendor's.
            let source = try String(
                contentsOf: try #require(CatalogueFiles.builtInDirectory("chips")).appendingPathComponent(
                    "ascend-910b.yaml"
                ),
                encoding: .utf8
            )
            let custom = source.replacingOccurrences(of: "id: ascend-910b", with: "id: ascend-910b-lab")
            #expect(
                try await harness.request(.POST, "/v1/chips", token: "cambricon", body: Data(custom.utf8)).status == 403
            )
            let added = try await harness.request(.POST, "/v1/chips", token: "huawei", body: Data(custom.utf8))
            #expect(added.status == 201, "\(added.text)")
            #expect(try await harness.request(.GET, "/v1/chips", token: "huawei").list().count == chips.count + 1)
            #expect(
                try await harness.request(.POST, "/v1/chips", token: "huawei", body: Data(custom.utf8)).status == 409
            )
            #expect(
                try await harness.request(.POST, "/v1/chips", token: "huawei", body: Data("id: [".utf8)).status == 400
            )
            #expect(try await harness.store.chips().map(\.id) == ["ascend-910b-lab"])

            // An admin creates a token; it works at once.
            let created = try await harness.request(
                .POST,
                "/v1/tokens",
                token: "admin",
                body: Data(#"{"role":"vendor:metax","name":"metax ci"}"#.utf8)
            )
            #expect(created.status == 201)
            let secret = try #require(try created.json()["token"] as? String)
            #expect(try await harness.request(.GET, "/v1/chips", token: secret).status == 200)
            let badRole = try await harness.request(
                .POST,
                "/v1/tokens",
                token: "admin",
                body: Data(#"{"role":"root","name":"x"}"#.utf8)
            )
            #expect(badRole.status == 400)

            let health = try await harness.request(.GET, "/healthz")
            #expect(health.status == 200)
            #expect(try health.json()["store"] as? String == kind.rawValue)
            let metrics = try await harness.request(.GET, "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"parity_http_requests_total{method="GET",status="200"}"#))
            #expect(
                metrics.text.contains(#"status="401""#) == false || metrics.text.contains("parity_http_requests_total")
            )
            #expect(metrics.text.contains("parity_http_request_duration_seconds_bucket"))
        }
    }

    @Test func assessmentsAreServedAsJSONAndHTML() async throws {
        try await Harness.withServer(.sqlite) { harness in
            let assessment = try ServerFixture.assessment()
            let stored = StoredAssessment(
                id: "asm-test",
                title: "H20 vs Ascend 910C",
                document: try CanonicalJSON.encode(assessment),
                createdAt: assessment.generatedAt
            )
            try await harness.store.saveAssessment(stored)
            let list = try await harness.request(.GET, "/v1/assessments", token: "cambricon").list()
            #expect(list.map { $0["id"] as? String } == ["asm-test"])
            #expect(list.first?["report"] as? String == "/v1/assessments/asm-test/report")
            let json = try await harness.request(.GET, "/v1/assessments/asm-test", token: "cambricon")
            #expect(json.body == stored.document)
            let html = try await harness.request(.GET, "/v1/assessments/asm-test/report", token: "cambricon")
            #expect(html.status == 200 && html.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(html.text.contains("<svg"))
            #expect(try await harness.request(.GET, "/v1/assessments/asm-test/report").status == 401)
            #expect(try await harness.request(.GET, "/reports/asm-test").text == html.text)
            #expect(try await harness.request(.GET, "/reports/none").status == 404)
            let dashboard = try await harness.request(.GET, "/")
            #expect(dashboard.status == 200)
            #expect(dashboard.text.contains("href=\"/reports/asm-test\""))
            #expect(dashboard.text.contains("ascend-910c"))
            for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
                #expect(!dashboard.text.contains(external), "the dashboard loads nothing from elsewhere")
            }
        }
    }
}

enum ServerFixture {
    /// A small real assessment: Ascend 910C against H20 on two spec workloads.
    static func assessment() throws -> Assessment {
        let chips = try ChipCatalogue.load()
        let options = AssessmentOptions(
            candidates: [try chips.chip("ascend-910c")],
            references: [try chips.chip("h20")],
            suite: Array(Workload.defaultSuite().prefix(2)),
            tolerance: 0.1,
            resamples: 200,
            seed: 7,
            measurements: []
        )
        return try Assessor.run(
            options,
            models: try ModelCatalogue.load(),
            generatedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }
}
