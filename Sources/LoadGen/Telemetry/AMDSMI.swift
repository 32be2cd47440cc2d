import Foundation

/// `amd-smi metric --power --json`: a list with one object per GPU, `{"gpu": 0, "power": {"socket_power":
/// {"value": 10, "unit": "W"}, …}}` (ROCm 6.1's form, read on AMD's own published sample; later releases put the
/// list under `"gpu_data"`, and releases before units came give bare numbers: both read too). The text form
/// (`amd-smi metric --power` without `--json`: a `GPU: N` block per device with `SOCKET_POWER: 20 W` under
/// `POWER:`) is read when the output is not JSON. `CURRENT_SOCKET_POWER` or `AVERAGE_SOCKET_POWER` stand in on
/// some versions and devices. One snapshot per run.
public enum AMDSMI {
    public static let executable = "amd-smi"

    public static func arguments(intervalMilliseconds: Int) -> [String] { ["metric", "--power", "--json"] }

    static let powerKeys = ["SOCKET_POWER", "CURRENT_SOCKET_POWER", "AVERAGE_SOCKET_POWER"]

    /// One reading per GPU: its first socket power in watts (`N/A` skipped), from the JSON form or the text form.
    public static func parse(_ text: String) -> [PowerReading] {
        parseJSON(text) ?? parseText(text)
    }

    /// The JSON form, or nil when `text` holds no JSON document (lines before it, such as warnings, are skipped).
    static func parseJSON(_ text: String) -> [PowerReading]? {
        guard let start = text.firstIndex(where: { $0 == "[" || $0 == "{" }),
            let document = try? JSONSerialization.jsonObject(with: Data(text[start...].utf8))
        else { return nil }
        let gpus: [Any]
        if let list = document as? [Any] {
            gpus = list
        } else if let wrapped = (document as? [String: Any])?["gpu_data"] as? [Any] {
            gpus = wrapped
        } else {
            return nil
        }
        var readings: [PowerReading] = []
        for case let gpu as [String: Any] in gpus {
            guard let power = gpu["power"] as? [String: Any] else { continue }
            let device = (gpu["gpu"] as? NSNumber).map { "\($0.intValue)" } ?? String(readings.count)
            for key in powerKeys {
                if let watts = watts(power[key.lowercased()]) {
                    readings.append(PowerReading(device: device, watts: watts))
                    break
                }
            }
        }
        return readings
    }

    /// `{"value": 10, "unit": "W"}` (milliwatts converted) or a bare number; nil for `"N/A"` and the like.
    static func watts(_ field: Any?) -> Double? {
        if let object = field as? [String: Any] {
            guard let value = object["value"] as? NSNumber else { return nil }
            return (object["unit"] as? String) == "mW" ? value.doubleValue / 1000 : value.doubleValue
        }
        return (field as? NSNumber)?.doubleValue
    }

    /// The text form: one reading per `GPU: N` block.
    static func parseText(_ text: String) -> [PowerReading] {
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
