import Foundation

/// External probes (`--backend probe:COMMAND`) print one JSON measurement per line on standard output, in the
/// `parity.measurement/1` schema. Other lines (logs, progress) are allowed and skipped; a line that looks like
/// JSON but is not a valid measurement is reported with its line number, never fatal to the others.
public enum ProbeProtocol {
    public struct Parsed: Sendable {
        public var results: [BenchmarkResult]
        /// `line N: reason` for each rejected JSON line.
        public var rejected: [String]
        /// Non-JSON lines skipped (probe logs).
        public var skipped: Int
    }

    public static func parse(_ output: String) -> Parsed {
        var parsed = Parsed(results: [], rejected: [], skipped: 0)
        for (index, line) in output.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard text.hasPrefix("{") else {
                parsed.skipped += 1
                continue
            }
            do {
                parsed.results += try ResultFile.decode(Data(text.utf8), path: "probe")
            } catch {
                let reason = "\(error)".replacingOccurrences(of: "probe: record 1: ", with: "")
                    .replacingOccurrences(of: "probe: ", with: "")
                parsed.rejected.append("line \(index + 1): \(reason)")
            }
        }
        return parsed
    }

    /// Runs a probe command through `/bin/sh -c` and parses what it prints.
    public static func run(command: String, arguments: [String] = []) throws -> Parsed {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", ([command] + arguments).joined(separator: " ")]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var parsed = parse(String(decoding: data, as: UTF8.self))
        if process.terminationStatus != 0 {
            parsed.rejected.append("the probe exited with status \(process.terminationStatus)")
        }
        return parsed
    }
}
