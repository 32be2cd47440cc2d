import Foundation

/// Huawei Ascend `npu-smi info`: a table with two rows per chip; the first row of each NPU names it and gives
/// its health and `Power(W)`. Chips without their own reading print `-` (the board's power is on chip 0).
public enum NPUSMI {
    public static let executable = "npu-smi"

    public static func arguments(intervalMilliseconds: Int) -> [String] { ["info"] }

    /// One reading per NPU ID: the first numeric `Power(W)` of its rows.
    public static func parse(_ text: String) -> [PowerReading] {
        var readings: [PowerReading] = []
        var seen: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            // "| 0     Ascend910 | OK | 178.5   36   0 / 0 |": ID and name, health, power first.
            guard cells.count >= 4 else { continue }
            let identity = cells[1].split(separator: " ")
            guard identity.count >= 2, let id = Int(identity[0]), Int(identity[1]) == nil else { continue }
            let health = cells[2]
            guard !health.isEmpty, health.first?.isLetter == true, !health.hasPrefix("Health") else { continue }
            guard let first = cells[3].split(separator: " ").first, let watts = Double(first) else { continue }
            let device = String(id)
            guard !seen.contains(device) else { continue }
            seen.insert(device)
            readings.append(PowerReading(device: device, watts: watts))
        }
        return readings
    }
}
