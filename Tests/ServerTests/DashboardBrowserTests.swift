import Assessment
import Foundation
import ParityTesting
import Reporting
import Store
import Testing

/// The dashboard in headless Chromium: it renders (header, pills, tables) and makes no request but to itself.
@Suite(.serialized) struct DashboardBrowserTests {
    @Test func dashboardRendersInChromium() async throws {
        guard Browser.path != nil else {
            #expect(!Browser.required, "chromium is required (PARITY_REQUIRE_BROWSER=1) but not installed")
            return
        }
        try await Harness.withServer(.sqlite) { harness in
            let assessment = try ServerFixture.assessment()
            try await harness.store.saveAssessment(
                StoredAssessment(
                    id: "asm-dash",
                    title: "dashboard test",
                    document: try CanonicalJSON.encode(assessment),
                    createdAt: assessment.generatedAt
                )
            )
            let created = try await harness.submit(
                try harness.bundle([StoreFixture.result("dash-1", chip: "ascend-910b")]),
                as: "huawei",
                key: "dash"
            )
            let id = try #require(try created.json()["id"] as? String)
            _ = try await harness.request(
                .POST,
                "/v1/submissions/\(id)/review",
                token: "reviewer",
                body: Data(#"{"decision":"accepted","reason":"ok"}"#.utf8)
            )
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("parity-dash-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let screenshot = folder.appendingPathComponent("dashboard.png")
            let netLog = folder.appendingPathComponent("net.json")
            let page = try #require(URL(string: "http://127.0.0.1:\(harness.port)/"))
            try Browser.render(page, screenshot: screenshot, netLog: netLog, height: 1400)
            let analysis = try Browser.analyse(
                screenshot: screenshot,
                netLog: netLog,
                targets: [
                    "header": [0x1d, 0x2b, 0x4f], "accepted": [0x1f, 0x8f, 0x4e], "background": [0xf4, 0xf6, 0xfa],
                ],
                site: "http://127.0.0.1",
                allowed: ["http://127.0.0.1:\(harness.port)/", "data:"]
            )
            #expect(analysis.width == 1200 && analysis.height == 1400)
            // The header band spans the page width for ~60 px; the accepted pill and the page background show.
            #expect((analysis.bars["header"] ?? 0) > 1200 * 40, "header pixels: \(analysis.bars)")
            #expect((analysis.bars["accepted"] ?? 0) > 100, "accepted pill pixels: \(analysis.bars)")
            #expect((analysis.bars["background"] ?? 0) > 50_000, "\(analysis.bars)")
            #expect(analysis.colours > 100, "only \(analysis.colours) colours: text and tables should anti-alias")
            #expect(analysis.requests.isEmpty, "the dashboard made requests: \(analysis.requests)")
        }
    }
}
