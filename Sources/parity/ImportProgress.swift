import Foundation

/// The progress line of `parity results import` on a terminal: records stored and how far through the file, redrawn
/// in place on standard error. Silent when disabled (not a terminal, or `--quiet`).
struct ImportProgress {
    let enabled: Bool

    func show(file: String, records: Int, bytes: Int, of size: Int?) {
        guard enabled else { return }
        var line = "\r\(file): \(records.formatted()) record(s)"
        if let size, size > 0 {
            line += ", \(Int((Double(bytes) / Double(size) * 100).rounded(.down)))% of \(size.formatted()) bytes"
        }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func end() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
