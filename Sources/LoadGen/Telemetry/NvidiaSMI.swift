import Foundation

/// `nvidia-smi --query-gpu=index,power.draw --format=csv,noheader,nounits -lms N`: one CSV line per GPU per
/// interval. The parser also reads the header-and-units form (`--format=csv`: `power.draw [W]`, `83.92 W`), where
/// the header names the columns.
public enum NvidiaSMI {
    public static let executable = "nvidia-smi"
    /// The columns asked for, in order.
    public static let fields = ["index", "power.draw"]

    public static func arguments(intervalMilliseconds: Int) -> [String] {
        [
            "--query-gpu=" + fields.joined(separator: ","), "--format=csv,noheader,nounits",
            "-lms", String(max(1, intervalMilliseconds)),
        ]
    }

    /// The readings in `text`. Without a header line, columns are `fields`; with one, its names (units in
    /// brackets dropped). A GPU is named by its `index` column, or without one by its row's place after the
    /// header. `[N/A]` and `[Not Supported]` values are skipped.
    public static func parse(_ text: String, fields: [String] = fields) -> [PowerReading] {
        var columns = fields
        var row = 0
        var readings: [PowerReading] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if cells.contains(where: { $0.hasPrefix("power.draw") }) {
                columns = cells.map { cell in
                    cell.split(separator: " ").first.map(String.init) ?? cell
                }
                row = 0
                continue
            }
            defer { row += 1 }
            guard let power = columns.firstIndex(where: { $0.hasPrefix("power.draw") }), power < cells.count else {
                continue
            }
            let text = cells[power].hasSuffix(" W") ? String(cells[power].dropLast(2)) : cells[power]
            guard let watts = Double(text.trimmingCharacters(in: .whitespaces)) else { continue }
            let device = columns.firstIndex(of: "index").flatMap { $0 < cells.count ? cells[$0] : nil }
            readings.append(PowerReading(device: device ?? String(row), watts: watts))
        }
        return readings
    }
}
