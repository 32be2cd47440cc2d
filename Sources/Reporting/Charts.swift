import Assessment
import Catalogue
import Foundation
import PerfModel

/// Inline SVG charts: no scripts, no fonts or images from elsewhere.
enum Charts {
    static let verdictColours: [Verdict: String] = [
        .exceeds: "#1a7f37", .comparable: "#0969da", .below: "#cf222e", .inconclusive: "#8c959f",
    ]

    /// A distinct colour per series.
    static func colour(_ index: Int, of count: Int) -> String {
        let hue = (Double(index) * 360 / Double(max(count, 1)) + 200).truncatingRemainder(dividingBy: 360)
        let lightness = index % 2 == 0 ? 38 : 52
        return "hsl(\(Int(hue)),70%,\(lightness)%)"
    }

    struct LogAxis {
        var lower: Double
        var upper: Double
        var start: Double
        var end: Double

        func position(_ value: Double) -> Double {
            let clamped = min(max(value, lower), upper)
            return start + (log10(clamped) - log10(lower)) / (log10(upper) - log10(lower)) * (end - start)
        }

        /// 1-2-5 ticks inside the range.
        var ticks: [Double] {
            var result: [Double] = []
            var decade = pow(10, floor(log10(lower)))
            while decade <= upper {
                for step in [1.0, 2, 5] where decade * step >= lower && decade * step <= upper {
                    result.append(decade * step)
                }
                decade *= 10
            }
            return result.count > 12 ? result.filter { abs(log10($0).rounded() - log10($0)) < 1e-9 } : result
        }
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func tickLabel(_ value: Double) -> String {
        if value >= 1e15 { return "\(Quantity.trimmed(value / 1e15, digits: 1))P" }
        if value >= 1e12 { return "\(Quantity.trimmed(value / 1e12, digits: 1))T" }
        if value >= 1e9 { return "\(Quantity.trimmed(value / 1e9, digits: 1))G" }
        if value >= 1e6 { return "\(Quantity.trimmed(value / 1e6, digits: 1))M" }
        if value >= 1e4 { return "\(Quantity.trimmed(value / 1e3, digits: 1))k" }
        return Quantity.trimmed(value, digits: value < 1 ? 2 : 0)
    }

    /// Horizontal bars of ratios on a log axis with interval whiskers and the tolerance band shaded.
    static func ratioBars(
        title: String,
        rows: [(label: String, link: String, ratio: Double, interval: Interval?, verdict: Verdict)],
        tolerance: Double
    ) -> String {
        let width = 760.0
        let rowHeight = 22.0
        let left = 190.0
        let right = width - 20
        let top = 30.0
        let height = top + Double(rows.count) * rowHeight + 34
        let values = rows.flatMap { [$0.ratio, $0.interval?.lower ?? $0.ratio, $0.interval?.upper ?? $0.ratio] }
        let axis = LogAxis(
            lower: max(0.01, min(values.min() ?? 1, 1 - tolerance) / 1.3),
            upper: min(100, max(values.max() ?? 1, 1 + tolerance) * 1.3),
            start: left,
            end: right
        )
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="\(Int(width))" height="\(Int(height))" aria-label="\(Format.escape(title))">
            <title>\(Format.escape(title))</title>
            <text x="\(left)" y="18" class="chart-title">\(Format.escape(title))</text>
            <rect x="\(number(axis.position(1 - tolerance)))" y="\(top - 4)" \
            width="\(number(axis.position(1 + tolerance) - axis.position(1 - tolerance)))" \
            height="\(number(Double(rows.count) * rowHeight + 8))" class="band"/>

            """
        let bottom = top + Double(rows.count) * rowHeight + 4
        for tick in axis.ticks {
            let x = number(axis.position(tick))
            svg += "<line x1=\"\(x)\" y1=\"\(top - 4)\" x2=\"\(x)\" y2=\"\(number(bottom))\" class=\"grid\"/>"
            svg += "<text x=\"\(x)\" y=\"\(number(bottom + 16))\" class=\"tick\" text-anchor=\"middle\">"
            svg += "\(Quantity.trimmed(tick, digits: 2))×</text>\n"
        }
        let one = number(axis.position(1))
        svg += "<line x1=\"\(one)\" y1=\"\(top - 4)\" x2=\"\(one)\" y2=\"\(number(bottom))\" class=\"unity\"/>\n"
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            let colour = verdictColours[row.verdict] ?? "#888"
            let x0 = axis.position(1)
            let x1 = axis.position(row.ratio)
            svg += "<a href=\"#\(row.link)\"><text x=\"\(number(left - 8))\" y=\"\(number(y + 14))\" "
            svg += "class=\"label\" text-anchor=\"end\">\(Format.escape(row.label))</text></a>"
            svg += "<rect x=\"\(number(min(x0, x1)))\" y=\"\(number(y + 4))\" width=\"\(number(abs(x1 - x0)))\" "
            svg += "height=\"\(number(rowHeight - 8))\" fill=\"\(colour)\" opacity=\"0.8\">"
            svg += "<title>\(Format.escape(row.label)): \(Format.ratio(row.ratio)) "
            svg += "\(Format.interval(row.interval)) \(row.verdict.rawValue)</title></rect>"
            if let interval = row.interval {
                let lo = number(axis.position(interval.lower))
                let hi = number(axis.position(interval.upper))
                let mid = number(y + rowHeight / 2)
                svg += "<line x1=\"\(lo)\" y1=\"\(mid)\" x2=\"\(hi)\" y2=\"\(mid)\" class=\"whisker\"/>"
                svg += "<line x1=\"\(lo)\" y1=\"\(number(y + 6))\" x2=\"\(lo)\" y2=\"\(number(y + rowHeight - 6))\" "
                svg += "class=\"whisker\"/>"
                svg += "<line x1=\"\(hi)\" y1=\"\(number(y + 6))\" x2=\"\(hi)\" y2=\"\(number(y + rowHeight - 6))\" "
                svg += "class=\"whisker\"/>"
            }
            svg += "\n"
        }
        svg += "</svg>"
        return svg
    }

    /// Roofline of one chip: attainable throughput against arithmetic intensity, one ceiling per precision.
    static func roofline(_ chip: Assessment.ChipEntry) -> String {
        let width = 340.0
        let height = 230.0
        let left = 52.0
        let right = width - 12
        let top = 26.0
        let bottom = height - 30
        // Precisions with the same peak share one ceiling and one label ("fp8/int8").
        let grouped = Dictionary(grouping: chip.densePeaks.filter { $0.value > 0 }, by: \.value)
        let peaks = grouped.map { value, entries in
            (key: entries.map(\.key).sorted().joined(separator: "/"), value: value)
        }.sorted { $0.value > $1.value }
        guard let highest = peaks.first?.value, chip.memoryBandwidth > 0 else {
            return "<p class=\"muted\">No dense peak figures for \(Format.escape(chip.name)).</p>"
        }
        let lowest = peaks.last?.value ?? highest
        let xAxis = LogAxis(lower: 0.1, upper: 10_000, start: left, end: right)
        let yAxis = LogAxis(
            lower: min(lowest, chip.memoryBandwidth * 0.1) / 2,
            upper: highest * 2,
            start: bottom,
            end: top
        )
        let title = "Roofline: \(chip.name)"
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart roofline" role="img" \
            viewBox="0 0 \(Int(width)) \(Int(height))" width="\(Int(width))" height="\(Int(height))" \
            aria-label="\(Format.escape(title))"><title>\(Format.escape(title))</title>
            <text x="\(left)" y="16" class="chart-title">\(Format.escape(chip.name))</text>

            """
        for tick in xAxis.ticks where abs(log10(tick).rounded() - log10(tick)) < 1e-9 {
            let x = number(xAxis.position(tick))
            svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(bottom)\" class=\"grid\"/>"
            svg += "<text x=\"\(x)\" y=\"\(number(bottom + 14))\" class=\"tick\" text-anchor=\"middle\">"
            svg += "\(tickLabel(tick))</text>"
        }
        for tick in yAxis.ticks where abs(log10(tick).rounded() - log10(tick)) < 1e-9 {
            let y = number(yAxis.position(tick))
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(right)\" y2=\"\(y)\" class=\"grid\"/>"
            svg += "<text x=\"\(number(left - 4))\" y=\"\(y)\" class=\"tick\" text-anchor=\"end\">"
            svg += "\(tickLabel(tick))</text>"
        }
        svg += "<text x=\"\(number((left + right) / 2))\" y=\"\(number(height - 4))\" class=\"tick\" "
        svg += "text-anchor=\"middle\">FLOP per byte</text>\n"
        for (index, peak) in peaks.enumerated() {
            let ridge = peak.value / chip.memoryBandwidth
            let colour = colour(index, of: peaks.count)
            var points: [String] = []
            for step in 0...50 {
                let intensity = pow(10, -1 + Double(step) * 0.1)
                let attainable = min(peak.value, chip.memoryBandwidth * intensity)
                points.append("\(number(xAxis.position(intensity))),\(number(yAxis.position(attainable)))")
            }
            svg += "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" "
            svg += "stroke-width=\"2\"><title>\(peak.key): \(tickLabel(peak.value))OP/s, ridge at "
            svg += "\(Quantity.trimmed(ridge, digits: 0)) FLOP/B</title></polyline>"
            svg += "<text x=\"\(number(right - 2))\" y=\"\(number(yAxis.position(peak.value) - 3))\" "
            svg += "class=\"tick\" text-anchor=\"end\" fill=\"\(colour)\">\(peak.key) "
            svg += "\(tickLabel(peak.value))</text>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// Throughput per chip against interactivity (tokens per second per user), one line per chip.
    static func curves(
        workload: Workload,
        curves: [ServingCurve],
        names: [String: String],
        references: Set<String>
    ) -> String {
        let width = 760.0
        let height = 360.0
        let left = 64.0
        let right = width - 190
        let top = 28.0
        let bottom = height - 36
        let points = curves.flatMap(\.points).filter {
            $0.outputTokensPerSecondPerUser > 0 && $0.outputTokensPerSecondPerChip > 0
        }
        guard !points.isEmpty else { return "<p class=\"muted\">No chip can run this workload.</p>" }
        let xs = points.map(\.outputTokensPerSecondPerUser)
        let ys = points.map(\.outputTokensPerSecondPerChip)
        let xAxis = LogAxis(lower: xs.min()! / 1.5, upper: xs.max()! * 1.5, start: left, end: right)
        let yAxis = LogAxis(lower: ys.min()! / 1.5, upper: ys.max()! * 1.5, start: bottom, end: top)
        let title = "Throughput vs interactivity: \(workload.title)"
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="\(Int(width))" height="\(Int(height))" aria-label="\(Format.escape(title))">
            <title>\(Format.escape(title))</title>
            <text x="\(left)" y="16" class="chart-title">\(Format.escape(workload.title))</text>

            """
        for tick in xAxis.ticks {
            let x = number(xAxis.position(tick))
            svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(bottom)\" class=\"grid\"/>"
            svg += "<text x=\"\(x)\" y=\"\(number(bottom + 14))\" class=\"tick\" text-anchor=\"middle\">"
            svg += "\(tickLabel(tick))</text>"
        }
        for tick in yAxis.ticks {
            let y = number(yAxis.position(tick))
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(right)\" y2=\"\(y)\" class=\"grid\"/>"
            svg += "<text x=\"\(number(left - 4))\" y=\"\(y)\" class=\"tick\" text-anchor=\"end\">"
            svg += "\(tickLabel(tick))</text>"
        }
        svg += "<text x=\"\(number((left + right) / 2))\" y=\"\(number(height - 4))\" class=\"tick\" "
        svg += "text-anchor=\"middle\">output tokens/s per user</text>"
        svg += "<text x=\"12\" y=\"\(number((top + bottom) / 2))\" class=\"tick\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 12 \(number((top + bottom) / 2)))\">output tokens/s per chip</text>\n"
        if let tpot = workload.limits?.tpotSeconds, tpot > 0 {
            let x = number(xAxis.position(1 / tpot))
            svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(bottom)\" class=\"limit\">"
            svg += "<title>TPOT limit \(Quantity.trimmed(tpot * 1000, digits: 0)) ms</title></line>"
            svg += "<text x=\"\(x)\" y=\"\(number(top - 2))\" class=\"tick\" text-anchor=\"middle\">TPOT limit</text>\n"
        }
        for (index, curve) in curves.enumerated() {
            let colour = colour(index, of: curves.count)
            let isReference = references.contains(curve.chip)
            let line = curve.points.filter {
                $0.outputTokensPerSecondPerUser > 0 && $0.outputTokensPerSecondPerChip > 0
            }
            .map {
                "\(number(xAxis.position($0.outputTokensPerSecondPerUser))),"
                    + "\(number(yAxis.position($0.outputTokensPerSecondPerChip)))"
            }
            guard !line.isEmpty else { continue }
            let name = names[curve.chip] ?? curve.chip
            svg += "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" "
            svg += "stroke-width=\"\(isReference ? 3 : 1.5)\"\(isReference ? " stroke-dasharray=\"6 3\"" : "")>"
            svg += "<title>\(Format.escape(name)) (\(Format.escape(curve.deployment)))</title></polyline>"
            let legendY = top + 6 + Double(index) * 14
            svg += "<line x1=\"\(number(right + 12))\" y1=\"\(number(legendY))\" x2=\"\(number(right + 32))\" "
            svg += "y2=\"\(number(legendY))\" stroke=\"\(colour)\" stroke-width=\"\(isReference ? 3 : 1.5)\"/>"
            svg += "<text x=\"\(number(right + 36))\" y=\"\(number(legendY + 4))\" class=\"tick\">"
            svg += "\(Format.escape(name))\(isReference ? " (ref)" : "")</text>\n"
        }
        svg += "</svg>"
        return svg
    }
}
