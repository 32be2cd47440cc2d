import Foundation

/// Cambricon `cnmon info -p`: per card a `Card N` line and a power section with `Usage : N W`, as described by
/// projects that read it (SwanLab's Cambricon collector: "功耗使用 `cnmon info -p` 的 `power` 段，解析 `usage: <W>`").
/// No published sample of its output was found, so this reader is untested on real output and `--power auto`
/// does not choose it; `--power cnmon` runs it when asked.
public enum CNMon {
    public static let executable = "cnmon"

    public static func arguments(intervalMilliseconds: Int) -> [String] { ["info", "-p"] }

    public static func parse(_ text: String) -> [PowerReading] {
        var device: String?
        var inPower = false
        var readings: [PowerReading] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let lower = trimmed.lowercased()
            if lower.hasPrefix("card") {
                device = trimmed.split(whereSeparator: { $0 == " " || $0 == ":" }).last.map(String.init)
                inPower = false
                continue
            }
            if lower.hasPrefix("power") {
                inPower = true
                continue
            }
            guard inPower, let device, lower.hasPrefix("usage") else { continue }
            let value = trimmed.split(separator: ":", maxSplits: 1).last?.split(separator: " ").first
            if let value, let watts = Double(value) {
                readings.append(PowerReading(device: device, watts: watts))
                inPower = false
            }
        }
        return readings
    }
}
