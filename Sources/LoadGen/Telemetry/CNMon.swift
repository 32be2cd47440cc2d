import Foundation

/// Cambricon `cnmon` (no arguments): a table like `nvidia-smi`'s, two rows per card: the first starts with the card
/// index (`| 0     /   MLU370-X8    v1.1.6 |`), the second carries `Pwr:Usage/Cap` (`|  0%   28C        107 W/ 250 W |`).
/// Read on a real capture (cnmon v5.10.31, eight cards, `Tests/Fixtures/telemetry`); the `Processes:` table
/// after the cards is ignored. One snapshot per run.
public enum CNMon {
    public static let executable = "cnmon"

    public static func arguments(intervalMilliseconds: Int) -> [String] { [] }

    public static func parse(_ text: String) -> [PowerReading] {
        var device: String?
        var readings: [PowerReading] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.contains("Processes:") { break }
            guard trimmed.hasPrefix("|") else { continue }
            let cells = trimmed.split(separator: "|", omittingEmptySubsequences: true).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let first = cells.first else { continue }
            let words = first.split(separator: " ")
            if let index = words.first, Int(index) != nil {
                device = String(index)
                continue
            }
            // The card's second row: `Fan Temp Pwr:Usage/Cap`, the usage the number before the first `W/`.
            guard let current = device, let slash = first.range(of: "W/") else { continue }
            let usage = first[..<slash.lowerBound].split(separator: " ").last
            if let usage, let watts = Double(usage) {
                readings.append(PowerReading(device: current, watts: watts))
            }
            device = nil
        }
        return readings
    }
}
