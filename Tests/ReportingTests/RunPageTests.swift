import Foundation
import ParityTesting
import Testing

@testable import Reporting

/// The run page made from a real `bench serve` result (Tests/Fixtures/serving/parity-bench-serve.json) with a
/// telemetry section added: its structure, its escaping, and how Chromium draws it.
@Suite(.serialized) struct RunPageTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/serving/parity-bench-serve.json")

    /// The fixture with a hostile model name and label, and a telemetry section like the recorder's.
    func result(model: String = "llama <b>&</b> \"8b\"") throws -> [String: Any] {
        var result = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture)) as? [String: Any]
        )
        result["model_id"] = model
        var parity = result["parity"] as? [String: Any] ?? [:]
        parity["base_url"] = "http://x/<script>alert(1)</script>"
        parity["telemetry"] = [
            "client_cpu": ["user_s": 1.5, "system_s": 0.5, "total_s": 2.0, "wall_s": 10.0, "per_request_ms": 50.0],
            "server_metrics": [
                "url": "http://x/metrics", "times": [0.0, 1, 2, 3],
                "series": ["running": [0.0, 16, 16, 0], "kv_cache_usage": [0.0, 0.4, 0.5, 0]],
                "errors": ["late </p> scrape"],
            ],
            "power": [
                "tool": "nvidia-smi", "times": [0.0, 1, 2, 3], "total_watts": [300.0, 650, 700, 320],
                "devices": ["0": [150.0, 320, 350, 160], "1": [150.0, 330, 350, 160]],
                "energy": [
                    "joules": 1800.0, "window_start": 0.5, "window_end": 2.5, "window_rule": "steady <state>",
                    "joules_per_output_token": 0.9, "output_tokens_per_joule": 1.111,
                ],
                "notes": [String](),
            ],
        ]
        result["parity"] = parity
        return result
    }

    func page(_ object: [String: Any]) throws -> String {
        try RunPage.html(resultJSON: try JSONSerialization.data(withJSONObject: object))
    }

    @Test func structureAndEscaping() throws {
        let html = try page(try result())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("Serving run: llama &lt;b&gt;&amp;&lt;/b&gt; &quot;8b&quot;"))
        #expect(!html.contains("<script>"), "the base URL's markup must be escaped")
        #expect(html.contains("http://x/&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("late </p> scrape") && html.contains("late &lt;/p&gt; scrape"))
        #expect(!html.contains("steady <state>"))
        for title in [
            "TTFT CDF", "TPOT CDF", "ITL CDF", "E2E latency CDF", "Throughput", "Requests in flight",
            "Server: running", "Server: kv cache usage", "Power (nvidia-smi)",
        ] {
            #expect(html.contains("<title>\(title)</title>"), "missing chart \(title)")
        }
        #expect(html.components(separatedBy: "<svg").count - 1 == 9)
        #expect(html.contains("0.9000 J per output token"))
        #expect(html.contains("2.00 s (user 1.50 s"))
        // Self-contained: nothing to fetch, no script.
        #expect(!html.contains("src=") && !html.contains("href=\"http") && !html.contains("<script"))
        // The TTFT CDF ends at the slowest request: its last point is at fraction 1 (y = top of the plot).
        let ttfts = try #require(try result()["ttfts"] as? [Double])
        let cdf = RunChart.cdf(ttfts.map { $0 * 1000 })
        #expect(cdf.count == ttfts.count && cdf.last?.y == 1 && cdf.last?.x == (ttfts.max() ?? 0) * 1000)
    }

    @Test func sweepAndMissingTelemetry() throws {
        var plain = try result(model: "a")
        var parity = plain["parity"] as? [String: Any] ?? [:]
        parity["telemetry"] = nil
        plain["parity"] = parity
        let html = try page(["sweep": [plain, plain]])
        #expect(html.contains("Point 1 of 2") && html.contains("Point 2 of 2"))
        #expect(!html.contains("Telemetry"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 12)
        #expect(throws: RunPageError.self) { try RunPage.html(resultJSON: Data("[1]".utf8)) }
    }

    @Test func rendersInChromiumWithoutNetworkRequests() throws {
        guard Browser.path != nil else {
            #expect(!Browser.required, "chromium is required (PARITY_REQUIRE_BROWSER=1) but not installed")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("parity-runpage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("run.html")
        try page(try result()).write(to: file, atomically: true, encoding: .utf8)
        let screenshot = dir.appendingPathComponent("shot.png")
        let netLog = dir.appendingPathComponent("net.json")
        try Browser.render(file, screenshot: screenshot, netLog: netLog, height: 1800)
        // The first series colour of every chart, hsl(200,70%,38%), as RGB.
        let line = ["line": [29, 120, 165]]
        let analysis = try Browser.analyse(screenshot: screenshot, netLog: netLog, targets: line)
        #expect(analysis.width == 1200 && analysis.height == 1800)
        #expect(analysis.requests.isEmpty, "the page fetched \(analysis.requests)")
        #expect(analysis.colours > 200, "only \(analysis.colours) colours")
        #expect(analysis.nonwhite > 0.03, "only \(analysis.nonwhite) of the page is not white")
        // The charts' lines are drawn: many pixels of the first series colour.
        #expect((analysis.bars["line"] ?? 0) > 300, "series pixels: \(analysis.bars)")
    }
}
