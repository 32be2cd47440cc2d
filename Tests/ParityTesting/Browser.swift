public import Foundation

/// Opens reports in headless Chromium (Debian's `chromium`, installed by scripts/test), takes a screenshot and
/// records the browser's network log.
public enum Browser {
    public static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [environment["PARITY_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// scripts/test sets PARITY_REQUIRE_BROWSER=1 so that a missing browser fails instead of skipping.
    public static let required = ProcessInfo.processInfo.environment["PARITY_REQUIRE_BROWSER"] == "1"

    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
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

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Renders `page` to a PNG and a net log.
    public static func render(_ page: URL, screenshot: URL, netLog: URL, height: Int) throws {
        guard let path else { throw Failure(description: "chromium is not installed") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "parity-chromium-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: profile) }
        let result = try run(
            "/usr/bin/timeout",
            [
                "120", path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--user-data-dir=\(profile.path)", "--window-size=1200,\(height)",
                "--screenshot=\(screenshot.path)", "--log-net-log=\(netLog.path)", page.absoluteString,
            ]
        )
        guard FileManager.default.fileExists(atPath: screenshot.path) else {
            throw Failure(description: "chromium failed: \(result.output.suffix(500))")
        }
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
        targets = {k: tuple(v) for k, v in json.loads(sys.argv[3]).items()}
        site, allowed = sys.argv[4], tuple(json.loads(sys.argv[5]))
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
            if names.get(event['type']) == 'URL_REQUEST_START_JOB' and site in params.get('network_isolation_key', ''):
                if not params.get('url', '').startswith(allowed): requests.append(params['url'])
        print(json.dumps({'width': width, 'height': height, 'colours': len(colours),
                          'nonwhite': nonwhite / (width * height), 'bars': bars, 'requests': requests}))
        """#

    public struct Analysis: Decodable {
        public var width: Int
        public var height: Int
        /// Distinct colours in the screenshot.
        public var colours: Int
        /// Share of pixels that are not white.
        public var nonwhite: Double
        /// Pixels within 3 of each target colour.
        public var bars: [String: Int]
        /// Requests the page made to anything but `allowed` prefixes.
        public var requests: [String]
    }

    /// Counts colours and pixels near each of `targets` (RGB), and lists the requests made by pages of `site`
    /// (a schemeful site as Chromium's network isolation key writes it) to URLs outside `allowed`.
    public static func analyse(
        screenshot: URL,
        netLog: URL,
        targets: [String: [Int]],
        site: String = "file://",
        allowed: [String] = ["file:", "data:"]
    ) throws -> Analysis {
        let encoder = JSONEncoder()
        let result = try run(
            "/usr/bin/env",
            [
                "python3", "-c", analyse, screenshot.path, netLog.path,
                String(decoding: try encoder.encode(targets), as: UTF8.self), site,
                String(decoding: try encoder.encode(allowed), as: UTF8.self),
            ]
        )
        guard result.status == 0, let line = result.output.split(separator: "\n").last else {
            throw Failure(description: "analysis failed: \(result.output.suffix(800))")
        }
        return try JSONDecoder().decode(Analysis.self, from: Data(line.utf8))
    }
}
