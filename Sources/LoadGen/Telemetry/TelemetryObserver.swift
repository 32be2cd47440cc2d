import Foundation
import Synchronization

/// Records telemetry around each measured run of a serving benchmark (`ServeConfiguration.observers`): a
/// `TelemetryRecorder` is started as a run starts and stopped as it ends, and its findings become the run's
/// `parity.telemetry`.
public final class TelemetryObserver: ServeRunObserver {
    let config: TelemetryConfig
    private let recorder = Mutex<TelemetryRecorder?>(nil)
    private let failure = Mutex<String?>(nil)

    /// Checks what can be checked before a run: the metrics URL's form and a named power tool on PATH.
    public init(_ config: TelemetryConfig) throws {
        if let url = config.metricsURL {
            guard let components = URLComponents(string: url), components.scheme != nil, components.host != nil
            else { throw LoadClientError("--metrics-url: \(url) is not an http URL") }
        }
        if case .tool(let tool) = config.power, tool.locate(path: config.path) == nil {
            throw LoadClientError("--power \(tool.rawValue): \(tool.executable) is not on PATH")
        }
        self.config = config
    }

    public func runStarting(point: Int, run: Int) async {
        do {
            let started = try TelemetryRecorder.start(config)
            recorder.withLock { $0 = started }
            failure.withLock { $0 = nil }
        } catch {
            failure.withLock { $0 = "\(error)" }
        }
    }

    public func runFinished(_ outcome: RunOutcome) async -> [String: JSONValue] {
        let running = recorder.withLock { current -> TelemetryRecorder? in
            defer { current = nil }
            return current
        }
        guard let running else {
            let reason = failure.withLock { $0 } ?? "the recorder did not start"
            return ["telemetry": .object(["error": .string(reason)])]
        }
        let recorded = await running.stop(runDuration: outcome.duration)
        return [
            "telemetry": recorded.json(
                requests: outcome.records.count,
                window: Telemetry.energyWindow(outcome.records, duration: outcome.duration)
            )
        ]
    }
}
