import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// When a scheduler cancels a task or its time runs out, it sends SIGTERM. The handler writes the task's
/// marker ("terminated by the scheduler") with the async-signal-safe open/write/close, from bytes prepared
/// beforehand, and exits 143 — so the outcome is known even after the scheduler has forgotten the job.
enum TerminationMarker {
    /// Prepared before the handler is installed and only read by it; never freed while armed.
    nonisolated(unsafe) static var path: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) static var bytes: UnsafeMutableRawBufferPointer?

    static func arm(path: String, marker: CampaignLayout.Marker) {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard let data = try? encoder.encode(marker) else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count, alignment: 1)
        buffer.copyBytes(from: data)
        bytes = buffer
        self.path = strdup(path)
        signal(SIGTERM) { _ in
            if let path = TerminationMarker.path, let bytes = TerminationMarker.bytes {
                let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
                if fd >= 0 {
                    _ = write(fd, bytes.baseAddress, bytes.count)
                    _ = close(fd)
                }
            }
            _exit(143)
        }
    }

    static func disarm() {
        signal(SIGTERM, SIG_DFL)
    }
}
