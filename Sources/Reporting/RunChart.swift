import Foundation

/// Line charts for a run's page: linear axes with 1-2-5 ticks, inline SVG, no script.
enum RunChart {
    /// One named line.
    struct Series {
        var name: String
        var points: [(x: Double, y: Double)]
    }

    /// A "nice" 1-2-5 step giving about `count` ticks over `span`.
    static func step(_ span: Double, count: Int = 6) -> Double {
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= raw { return factor * magnitude }
        return 10 * magnitude
    }

    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e6 { return String(format: "%.3gM", value / 1e6) }
        if abs(value) >= 1e4 { return String(format: "%.3gk", value / 1e3) }
        return String(format: "%.4g", value)
    }

    /// The chart, or a short note when no series has a point.
    static func line(title: String, x xLabel: String, y yLabel: String, series: [Series], yFloor: Double? = 0) -> String
    {
        let drawn = series.map { Series(name: $0.name, points: $0.points.filter { $0.x.isFinite && $0.y.isFinite }) }
            .filter { !$0.points.isEmpty }
        guard !drawn.isEmpty else {
            return "<p class=\"muted\">\(HTMLText.escape(title)): no data.</p>"
        }
        let width = 520.0
        let height = 260.0
        let (left, right, top, bottom) = (58.0, width - 14, 30.0, height - 38)
        let xs = drawn.flatMap { $0.points.map(\.x) }
        let ys = drawn.flatMap { $0.points.map(\.y) }
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1)
        var (y0, y1) = (min(yFloor ?? .infinity, ys.min() ?? 0), ys.max() ?? 1)
        if x1 <= x0 { (x0, x1) = (x0 - 1, x0 + 1) }
        if y1 <= y0 { (y0, y1) = (y0 - 1, y0 + 1) }
        let xStep = step(x1 - x0)
        let yStep = step(y1 - y0)
        y1 = (y1 / yStep).rounded(.up) * yStep
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * (right - left) }
        func py(_ y: Double) -> Double { bottom - (y - y0) / (y1 - y0) * (bottom - top) }
        func f(_ value: Double) -> String { String(format: "%.1f", value) }
        let escapedTitle = HTMLText.escape(title)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="\(Int(width))" height="\(Int(height))" aria-label="\(escapedTitle)"><title>\(escapedTitle)</title>
            <text x="\(f(left))" y="18" class="chart-title">\(escapedTitle)</text>

            """
        var tick = (y0 / yStep).rounded(.up) * yStep
        while tick <= y1 + yStep * 1e-9 {
            svg +=
                "<line class=\"grid\" x1=\"\(f(left))\" x2=\"\(f(right))\" y1=\"\(f(py(tick)))\" y2=\"\(f(py(tick)))\"/>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(py(tick) + 4))\" text-anchor=\"end\">\(label(tick))</text>\n"
            tick += yStep
        }
        tick = (x0 / xStep).rounded(.up) * xStep
        while tick <= x1 + xStep * 1e-9 {
            svg +=
                "<line class=\"grid\" x1=\"\(f(px(tick)))\" x2=\"\(f(px(tick)))\" y1=\"\(f(top))\" y2=\"\(f(bottom))\"/>"
            svg += "<text x=\"\(f(px(tick)))\" y=\"\(f(bottom + 14))\" text-anchor=\"middle\">\(label(tick))</text>\n"
            tick += xStep
        }
        svg += "<text x=\"\(f((left + right) / 2))\" y=\"\(f(height - 6))\" text-anchor=\"middle\">"
        svg += "\(HTMLText.escape(xLabel))</text>\n"
        svg += "<text x=\"12\" y=\"\(f((top + bottom) / 2))\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 12 \(f((top + bottom) / 2)))\">\(HTMLText.escape(yLabel))</text>\n"
        for (index, line) in drawn.enumerated() {
            let colour = Charts.colour(index, of: drawn.count)
            let path = line.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.6\" points=\"\(path)\">"
            svg += "<title>\(HTMLText.escape(line.name))</title></polyline>\n"
            if drawn.count > 1 {
                let y = top + 4 + Double(index) * 14
                svg += "<rect x=\"\(f(right - 150))\" y=\"\(f(y))\" width=\"10\" height=\"3\" fill=\"\(colour)\"/>"
                svg += "<text x=\"\(f(right - 136))\" y=\"\(f(y + 5))\">\(HTMLText.escape(line.name))</text>\n"
            }
        }
        return svg + "</svg>"
    }

    /// The empirical CDF of `values`, thinned to at most `limit` points (evenly spaced quantiles).
    static func cdf(_ values: [Double], limit: Int = 400) -> [(x: Double, y: Double)] {
        let sorted = values.filter(\.isFinite).sorted()
        guard !sorted.isEmpty else { return [] }
        let count = sorted.count
        let picks = count <= limit ? Array(0..<count) : (0..<limit).map { $0 * (count - 1) / (limit - 1) }
        return picks.map { (sorted[$0], Double($0 + 1) / Double(count)) }
    }
}
