public import Foundation

/// Why a run page could not be made: what in the result was wrong.
public struct RunPageError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// A `bench serve` run as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched), made
/// from its JSON result (vLLM's keys plus `parity`): the summary, latency CDFs (TTFT, TPOT, ITL, E2E),
/// throughput and requests in flight over time, and the server metrics and power when the run recorded them.
/// A sweep gets one section per point.
public enum RunPage {
    public static func html(resultJSON data: Data) throws -> String {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RunPageError(description: "run page: the result is not a JSON object")
        }
        let runs = (document["sweep"] as? [[String: Any]]) ?? [document]
        let model = (runs.first?["model_id"] as? String) ?? "?"
        var body = "<h1>Serving run: \(HTMLText.escape(model))</h1>\n"
        for (index, run) in runs.enumerated() {
            if runs.count > 1 { body += "<h2>Point \(index + 1) of \(runs.count)</h2>\n" }
            body += section(run)
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Parity run: \(HTMLText.escape(model))</title>
            <style>\(HTMLReport.style)
            .charts{display:flex;flex-wrap:wrap;gap:8px}</style></head><body>
            \(body)<p class="muted small">Made by parity bench serve from its JSON result. Times in the charts are \
            seconds from the start of the measured run.</p>
            </body></html>

            """
    }

    static func numbers(_ value: Any?) -> [Double] {
        (value as? [Any])?.map { ($0 as? NSNumber)?.doubleValue ?? .nan } ?? []
    }

    static func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    static func format(_ value: Double?, _ digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.\(digits)f", value)
    }

    static func section(_ run: [String: Any]) -> String {
        let parity = run["parity"] as? [String: Any] ?? [:]
        let ttfts = numbers(run["ttfts"])
        let latencies = numbers(run["latencies"])
        let outputs = numbers(run["output_lens"])
        let starts = numbers(run["start_times"])
        let queues = numbers(run["queue_times"])
        let itls = (run["itls"] as? [Any])?.flatMap { numbers($0) } ?? []
        var tpots: [Double] = []
        for index in 0..<min(ttfts.count, latencies.count, outputs.count) where outputs[index] > 1 {
            tpots.append((latencies[index] - ttfts[index]) / (outputs[index] - 1))
        }
        var html = "<table>\n"
        let rows: [(String, String)] = [
            ("Server", (parity["base_url"] as? String) ?? "—"),
            ("Dataset", (parity["dataset"] as? String) ?? "—"),
            ("Date", (run["date"] as? String) ?? "—"),
            ("Max concurrency", number(run["max_concurrency"]).map { format($0, 0) } ?? "none"),
            ("Completed / failed", "\(format(number(run["completed"]), 0)) / \(format(number(run["failed"]), 0))"),
            ("Duration (s)", format(number(run["duration"]))),
            ("Request throughput (req/s)", format(number(run["request_throughput"]))),
            ("Output throughput (tok/s)", format(number(run["output_throughput"]))),
            ("Peak requests in flight", format(number(parity["peak_in_flight"]), 0)),
        ]
        for (label, value) in rows {
            html += "<tr><th>\(HTMLText.escape(label))</th><td>\(HTMLText.escape(value))</td></tr>\n"
        }
        html += "</table>\n<table><tr><th>ms</th><th>median</th><th>mean</th><th>p99</th></tr>\n"
        for (label, key) in [("TTFT", "ttft"), ("TPOT", "tpot"), ("ITL", "itl"), ("E2E", "e2el")] {
            html += "<tr><th>\(label)</th>"
            for prefix in ["median", "mean", "p99"] {
                html += "<td class=\"num\">\(format(number(run["\(prefix)_\(key)_ms"])))</td>"
            }
            html += "</tr>\n"
        }
        html += "</table>\n<h3>Latency distributions</h3>\n<div class=\"charts\">\n"
        for (title, values) in [("TTFT", ttfts), ("TPOT", tpots), ("ITL", itls), ("E2E latency", latencies)] {
            html += RunChart.line(
                title: "\(title) CDF",
                x: "ms",
                y: "fraction of \(title == "ITL" ? "gaps" : "requests")",
                series: [.init(name: title, points: RunChart.cdf(values.map { $0 * 1000 }))]
            )
        }
        html += "</div>\n<h3>Over time</h3>\n<div class=\"charts\">\n"
        let (throughput, inFlight) = timeline(starts: starts, queues: queues, latencies: latencies, outputs: outputs)
        html += RunChart.line(
            title: "Throughput",
            x: "s",
            y: "per second",
            series: [
                .init(name: "requests/s", points: throughput.map { ($0.time, $0.requests) }),
                .init(name: "output tokens/s ÷ 100", points: throughput.map { ($0.time, $0.tokens / 100) }),
            ]
        )
        html += RunChart.line(
            title: "Requests in flight",
            x: "s",
            y: "requests",
            series: [.init(name: "in flight", points: inFlight)]
        )
        html += "</div>\n"
        if let telemetry = parity["telemetry"] as? [String: Any] { html += telemetrySection(telemetry) }
        return html
    }

    /// Completions and output tokens per bin (about 60 bins), and requests in flight at each change.
    static func timeline(
        starts: [Double],
        queues: [Double],
        latencies: [Double],
        outputs: [Double]
    ) -> (
        [(time: Double, requests: Double, tokens: Double)], [(x: Double, y: Double)]
    ) {
        let count = min(starts.count, latencies.count)
        guard count > 0 else { return ([], []) }
        var edges: [(Double, Int)] = []
        var ends: [(Double, Double)] = []
        for index in 0..<count {
            let sent = starts[index] + (index < queues.count ? queues[index] : 0)
            let end = sent + latencies[index]
            edges.append((sent, 1))
            edges.append((end, -1))
            ends.append((end, index < outputs.count ? outputs[index] : 0))
        }
        edges.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        var current = 0
        var inFlight: [(x: Double, y: Double)] = []
        for (time, change) in edges {
            inFlight.append((time, Double(current)))
            current += change
            inFlight.append((time, Double(current)))
        }
        if inFlight.count > 2000 {
            let stride = inFlight.count / 1000
            inFlight = inFlight.enumerated().filter { $0.offset % stride == 0 }.map(\.element)
        }
        let last = ends.map(\.0).max() ?? 1
        let width = max(last / 60, 0.001)
        let binCount = Int(last / width) + 1
        var requests = [Double](repeating: 0, count: binCount)
        var tokens = [Double](repeating: 0, count: binCount)
        for (end, output) in ends {
            let bin = min(binCount - 1, max(0, Int(end / width)))
            requests[bin] += 1
            tokens[bin] += output
        }
        var throughput: [(time: Double, requests: Double, tokens: Double)] = []
        for bin in 0..<binCount {
            let time = (Double(bin) + 0.5) * width
            throughput.append((time, requests[bin] / width, tokens[bin] / width))
        }
        return (throughput, inFlight)
    }

    static func telemetrySection(_ telemetry: [String: Any]) -> String {
        var html = "<h3>Telemetry</h3>\n"
        if let cpu = telemetry["client_cpu"] as? [String: Any] {
            html += "<p>Client CPU: \(format(number(cpu["total_s"]))) s (user \(format(number(cpu["user_s"]))) s, "
            html += "system \(format(number(cpu["system_s"]))) s) over \(format(number(cpu["wall_s"]))) s; "
            html += "\(format(number(cpu["per_request_ms"]), 3)) ms per request.</p>\n"
        }
        html += "<div class=\"charts\">\n"
        if let server = telemetry["server_metrics"] as? [String: Any] {
            let times = numbers(server["times"])
            let series = server["series"] as? [String: Any] ?? [:]
            for name in series.keys.sorted() {
                let values = numbers(series[name])
                let points = zip(times, values).map { (x: $0, y: $1) }
                let source = (server["url"] as? String) ?? ""
                html += RunChart.line(
                    title: "Server: \(name.replacingOccurrences(of: "_", with: " "))",
                    x: "s",
                    y: name == "kv_cache_usage" ? "fraction" : "requests",
                    series: [.init(name: "\(name) (\(source))", points: points)]
                )
            }
            if let errors = server["errors"] as? [String], !errors.isEmpty {
                html += "<p class=\"muted\">Scrape errors: \(HTMLText.escape(errors.joined(separator: "; ")))</p>\n"
            }
        }
        html += "</div>\n"
        if let power = telemetry["power"] as? [String: Any] {
            let times = numbers(power["times"])
            let devices = power["devices"] as? [String: Any] ?? [:]
            var series = [
                RunChart.Series(name: "total", points: zip(times, numbers(power["total_watts"])).map { ($0, $1) })
            ]
            for device in devices.keys.sorted() where devices.count > 1 {
                series.append(
                    .init(name: "device \(device)", points: zip(times, numbers(devices[device])).map { ($0, $1) })
                )
            }
            html += RunChart.line(
                title: "Power (\((power["tool"] as? String) ?? "no tool"))",
                x: "s",
                y: "W",
                series: series
            )
            if let energy = power["energy"] as? [String: Any] {
                html += "<p>Energy \(format(number(energy["joules"]), 1)) J over "
                html += "\(format(number(energy["window_start"]))) – \(format(number(energy["window_end"]))) s "
                html += "(\(HTMLText.escape((energy["window_rule"] as? String) ?? ""))): "
                html += "\(format(number(energy["joules_per_output_token"]), 4)) J per output token, "
                html += "\(format(number(energy["output_tokens_per_joule"]), 3)) output tokens per joule.</p>\n"
            }
            for note in (power["notes"] as? [String]) ?? [] {
                html += "<p class=\"muted\">\(HTMLText.escape(note))</p>\n"
            }
        }
        return html
    }
}
