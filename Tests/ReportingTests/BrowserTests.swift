import Foundation
import ParityTesting
import Testing

@testable import Reporting

@Suite(.serialized) struct BrowserTests {
    /// The report's ratio bars: the verdict colours at 80 % opacity over white.
    static let verdictBars: [String: [Int]] = [
        "exceeds": [0x1a, 0x7f, 0x37], "below": [0xcf, 0x22, 0x2e], "inconclusive": [0x8c, 0x95, 0x9f],
    ].mapValues { $0.map { Int((0.8 * Double($0) + 0.2 * 255).rounded()) } }

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parity-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func reportRendersItsChartsWithoutNetworkRequests() throws {
        guard Browser.path != nil else {
            #expect(!Browser.required, "chromium is required (PARITY_REQUIRE_BROWSER=1) but not installed")
            return
        }
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let written = try ReportWriter.write(try Fixture.builtIn(), to: dir)
        let screenshot = dir.appendingPathComponent("shot.png")
        let netLog = dir.appendingPathComponent("net.json")
        try Browser.render(written.html, screenshot: screenshot, netLog: netLog, height: 1700)
        let analysis = try Browser.analyse(screenshot: screenshot, netLog: netLog, targets: Self.verdictBars)
        #expect(analysis.width == 1200 && analysis.height == 1700)
        // A blank or text-only page has a handful of colours; the verdict badges, bars and grids give many.
        #expect(analysis.colours > 500, "only \(analysis.colours) colours")
        #expect(analysis.nonwhite > 0.05, "only \(analysis.nonwhite) of the page is not white")
        // The ratio bars are drawn in the verdict colours at 80 % opacity: those pixels come from the SVG.
        #expect((analysis.bars["inconclusive"] ?? 0) > 500, "no inconclusive bars: \(analysis.bars)")
        #expect(
            (analysis.bars["below"] ?? 0) + (analysis.bars["exceeds"] ?? 0) > 500,
            "no decided bars: \(analysis.bars)"
        )
        #expect(analysis.requests.isEmpty, "the report made requests: \(analysis.requests)")
    }

    /// The network check can fail: a page that loads an image from elsewhere is caught.
    @Test func networkCheckCatchesARequest() throws {
        guard Browser.path != nil else {
            #expect(!Browser.required, "chromium is required (PARITY_REQUIRE_BROWSER=1) but not installed")
            return
        }
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("leaky.html")
        try #"<html><body><p>text</p><img src="http://127.0.0.1:9/pixel.png"></body></html>"#.write(
            to: page,
            atomically: true,
            encoding: .utf8
        )
        let screenshot = dir.appendingPathComponent("shot.png")
        let netLog = dir.appendingPathComponent("net.json")
        try Browser.render(page, screenshot: screenshot, netLog: netLog, height: 400)
        let analysis = try Browser.analyse(screenshot: screenshot, netLog: netLog, targets: Self.verdictBars)
        #expect(analysis.requests.contains("http://127.0.0.1:9/pixel.png"))
        // Text only: no chart bars.
        #expect(analysis.bars.values.reduce(0, +) < 50)
    }
}
