import Catalogue
import Foundation

/// Why a measurement cannot run.
public enum MeasureError: Error, Sendable, Equatable, CustomStringConvertible {
    case libraryNotFound(what: String, lookedFor: [String])
    case invalid(String)
    case probeFailed(String)

    public var description: String {
        switch self {
        case .libraryNotFound(let what, let lookedFor):
            "no \(what) found (looked for \(lookedFor.joined(separator: ", ")))"
        case .invalid(let message), .probeFailed(let message):
            message
        }
    }
}

/// How much to measure: `quick` for a smoke run, `full` for reportable figures.
public enum Suite: String, Sendable, Hashable, Codable, CaseIterable {
    case quick, full
}

/// A measurement backend: one device family, the same result type for all.
public protocol Backend: Sendable {
    var name: String { get }
    func device() -> BenchmarkResult.Device
    /// Runs the suite; `progress` receives one line per benchmark as it starts.
    func run(
        _ suite: Suite,
        chip: String,
        progress: @Sendable (String) -> Void
    ) throws(MeasureError) -> [BenchmarkResult]
}

/// Loads a shared library at run time, trying each name in turn.
final class SharedLibrary: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let path: String

    init(names: [String], what: String) throws(MeasureError) {
        for name in names {
            if let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) {
                self.handle = handle
                self.path = name
                return
            }
        }
        throw .libraryNotFound(what: what, lookedFor: names)
    }

    func symbol<T>(_ name: String, as type: T.Type) throws(MeasureError) -> T {
        guard let pointer = dlsym(handle, name) else {
            throw .invalid("\(path) has no symbol \(name)")
        }
        return unsafeBitCast(pointer, to: type)
    }
}

extension BenchmarkResult {
    /// A stable id: backend, benchmark, precision, host and time.
    static func makeID(backend: String, benchmark: Benchmark, precision: Precision?, time: Date) -> String {
        let stamp = Int(time.timeIntervalSince1970)
        let host = ProcessInfo.processInfo.hostName.replacingOccurrences(of: " ", with: "-")
        return "\(backend)-\(benchmark.rawValue)\(precision.map { "-\($0.rawValue)" } ?? "")-\(host)-\(stamp)"
    }
}
