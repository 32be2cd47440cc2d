import Foundation
import Testing

@testable import Reporting

/// Opens reports in headless Chromium (Debian's `chromium`, installed by scripts/test), takes a screenshot and
/// records the browser's network log.
enum Browser {
    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["PARITY_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// scripts/test sets PARITY_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["PARITY_REQUIRE_BROWSER"] == "1"

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// Renders `page` to a PNG and a net log.
    static func render(_ page: URL, screenshot: URL, netLog: URL, height: Int) throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "parity-chromium-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try run(
            "/usr/bin/timeout",
            [
                "120", try #require(path), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--user-data-dir=\(profile.path)", "--window-size=1200,\(height)",
                "--screenshot=\(screenshot.path)", "--log-net-log=\(netLog.path)", page.absoluteString,
            ]
        )
        #expect(
            FileManager.default.fileExists(atPath: screenshot.path),
            "chromium failed: \(result.output.suffix(500))"
        )
    }

    /// Decodes the PNG and reads the net log with Python's standard library; prints one JSON object.
    static let analyse = #"""
        import json, struct, sys, zlib
        png = open(sys.argv[1], 'rb').read()
        assert png[:8] == b'\x89PNG\r\n\x1a\n'
        pos, idat, width = 8, b'', 0
        while pos < len(png):
            length, kind = struct.unpack('>I4s', png[pos:pos + 8])
            body = png[pos + 8:pos + 8 + length]
            if kind == b'IHDR':
                width, height, depth, ctype = struct.unpack('>IIBB', body[:10])
                assert depth == 8 and ctype in (2, 6)
                bpp = 3 if ctype == 2 else 4
            elif kind == b'IDAT':
                idat += body
            pos += 12 + length
        raw, stride = zlib.decompress(idat), width * bpp
        prev, rows, i = bytearray(stride), [], 0
        for _ in range(height):
            f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
                if f == 1: line[x] = (line[x] + a) & 255
                elif f == 2: line[x] = (line[x] + b) & 255
                elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
                elif f == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            rows.append(line); prev = line
        colours, nonwhite = set(), 0
        targets = {k: tuple(round(0.8 * v + 0.2 * 255) for v in rgb) for k, rgb in
                   {'exceeds': (0x1a, 0x7f, 0x37), 'below': (0xcf, 0x22, 0x2e), 'inconclusive': (0x8c, 0x95, 0x9f)}.items()}
        bars = {k: 0 for k in targets}
        for line in rows:
            for x in range(0, stride, bpp):
                px = tuple(line[x:x + 3]); colours.add(px)
                if px != (255, 255, 255): nonwhite += 1
                for k, t in targets.items():
                    if all(abs(p - q) <= 3 for p, q in zip(px, t)): bars[k] += 1
        requests = []
        log = json.load(open(sys.argv[2]))
        names = {v: k for k, v in log['constants']['logEventTypes'].items()}
        for event in log['events']:
            params = event.get('params', {})
            if names.get(event['type']) == 'URL_REQUEST_START_JOB' and 'file://' in params.get('network_isolation_key', ''):
                if not params.get('url', '').startswith(('file:', 'data:')): requests.append(params['url'])
        print(json.dumps({'width': width, 'height': height, 'colours': len(colours),
                          'nonwhite': nonwhite / (width * height), 'bars': bars, 'requests': requests}))
        """#

    struct Analysis: Decodable {
        var width: Int
        var height: Int
        var colours: Int
        var nonwhite: Double
        var bars: [String: Int]
        var requests: [String]
    }

    static func analyse(screenshot: URL, netLog: URL) throws -> Analysis {
        let result = try run("/usr/bin/env", ["python3", "-c", analyse, screenshot.path, netLog.path])
        #expect(result.status == 0, "analysis failed: \(result.output.suffix(800))")
        let line = try #require(result.output.split(separator: "\n").last)
        return try JSONDecoder().decode(Analysis.self, from: Data(line.utf8))
    }
}

@Suite(.serialized) struct BrowserTests {
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
        let analysis = try Browser.analyse(screenshot: screenshot, netLog: netLog)
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
        let analysis = try Browser.analyse(screenshot: screenshot, netLog: netLog)
        #expect(analysis.requests.contains("http://127.0.0.1:9/pixel.png"))
        // Text only: no chart bars.
        #expect(analysis.bars.values.reduce(0, +) < 50)
    }
}
