import Foundation

/// `amd-smi metric --power` (text): a `GPU: N` block per device with `SOCKET_POWER: 20 W` under `POWER:`
/// (`CURRENT_SOCKET_POWER` or `AVERAGE_SOCKET_POWER` on some versions and devices). One snapshot per run.
public enum AMDSMI {
    public static let executable = "amd-smi"

    public static func arguments(intervalMilliseconds: Int) -> [String] { ["metric", "--power"] }

    static let powerKeys = ["SOCKET_POWER", "CURRENT_SOCKET_POWER", "AVERAGE_SOCKET_POWER"]

    /// One reading per GPU block: its first socket power in watts (`N/A` skipped).
    public static func parse(_ text: String) -> [PowerReading] {
        var device: String?
        var readings: [PowerReading] = []
        var seen: Set<String> = []
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let parts = trimmed.split(separator: ":", maxSplits: 1).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2 else { continue }
            if parts[0] == "GPU" {
                device = parts[1]
                continue
            }
            guard let device, !seen.contains(device), powerKeys.contains(parts[0]) else { continue }
            let words = parts[1].split(separator: " ")
            guard let first = words.first, let watts = Double(first) else { continue }
            let unit = words.count > 1 ? words[1] : "W"
            readings.append(PowerReading(device: device, watts: unit == "mW" ? watts / 1000 : watts))
            seen.insert(device)
        }
        return readings
    }
}
