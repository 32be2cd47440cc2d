import Foundation
import Synchronization

/// Runs a power tool during a run on its own thread (never the client's event loop): `nvidia-smi -lms` as one
/// long process whose lines are read as they come, the snapshot tools once per interval. Each sample is stamped
/// when its output is read.
final class PowerSampler: Sendable {
    let tool: PowerTool
    let executable: String
    let interval: Double
    let origin: ContinuousClock.Instant
    private let state = Mutex(State())
    private let done = DispatchSemaphore(value: 0)

    struct State {
        var samples: [PowerSample] = []
        var errors: [String] = []
        var stopping = false
        var process: Process?
    }

    init(tool: PowerTool, executable: String, interval: Double, origin: ContinuousClock.Instant) {
        self.tool = tool
        self.executable = executable
        self.interval = max(0.01, interval)
        self.origin = origin
    }

    func start() {
        let thread = Thread { [self] in
            if tool.streams { stream() } else { poll() }
            done.signal()
        }
        thread.name = "parity-power"
        thread.start()
    }

    /// Stops the tool and returns what it gave.
    func stop() async -> (samples: [PowerSample], errors: [String]) {
        let process = state.withLock { state in
            state.stopping = true
            return state.process
        }
        if let process, process.isRunning { process.terminate() }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async { [done] in
                done.wait()
                continuation.resume()
            }
        }
        return state.withLock { ($0.samples, $0.errors) }
    }

    private var elapsed: Double {
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private func makeProcess() -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = tool.arguments(intervalMilliseconds: Int((interval * 1000).rounded()))
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        return (process, pipe)
    }

    /// The readings of `text` as samples: a device seen again starts the next sample (two intervals read
    /// together).
    private func record(_ text: String) {
        let readings = tool.parse(text)
        guard !readings.isEmpty else { return }
        let time = elapsed
        var groups: [[PowerReading]] = [[]]
        for reading in readings {
            if groups[groups.count - 1].contains(where: { $0.device == reading.device }) { groups.append([]) }
            groups[groups.count - 1].append(reading)
        }
        state.withLock { state in
            for group in groups { state.samples.append(PowerSample(time: time, readings: group)) }
        }
    }

    private func fail(_ message: String) {
        state.withLock { $0.errors.append(message) }
    }

    /// One long process; a sample per group of lines read together (nvidia-smi writes every GPU's line of an
    /// interval at once).
    private func stream() {
        let (process, pipe) = makeProcess()
        do {
            try process.run()
        } catch {
            fail("\(executable) could not start: \(error)")
            return
        }
        let stopping = state.withLock { state in
            state.process = process
            return state.stopping
        }
        if stopping { process.terminate() }
        var pending = Data()
        let handle = pipe.fileHandleForReading
        while true {
            let data = handle.availableData
            if data.isEmpty { break }
            pending.append(data)
            guard let last = pending.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            let complete = pending[pending.startIndex...last]
            record(String(decoding: complete, as: UTF8.self))
            pending = Data(pending[(last + 1)...])
        }
        process.waitUntilExit()
        if state.withLock({ $0.samples.isEmpty }) {
            fail("\(executable) gave no power readings (exit status \(process.terminationStatus))")
        }
    }

    /// The snapshot tools: run, read, wait for the next tick.
    private func poll() {
        var next = elapsed
        while !state.withLock({ $0.stopping }) {
            let (process, pipe) = makeProcess()
            do {
                try process.run()
            } catch {
                fail("\(executable) could not start: \(error)")
                return
            }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let text = String(decoding: data, as: UTF8.self)
            if tool.parse(text).isEmpty {
                fail("\(executable) printed no power reading (exit status \(process.terminationStatus))")
                return
            }
            record(text)
            next += interval
            let wait = next - elapsed
            if wait > 0 { Thread.sleep(forTimeInterval: wait) } else { next = elapsed }
        }
    }
}
