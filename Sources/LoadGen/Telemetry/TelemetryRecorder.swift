import Foundation

/// Records telemetry during a run: `let recorder = try TelemetryRecorder.start(config)` before the run,
/// `await recorder.stop(runDuration:)` after it. Scraping and power sampling run off the client's event loop.
public final class TelemetryRecorder: Sendable {
    let config: TelemetryConfig
    let origin: ContinuousClock.Instant
    let cpuAtStart: ClientCPU
    let scraper: MetricsScraper?
    let sampler: PowerSampler?
    let powerTool: PowerTool?
    let powerCommand: [String]?
    let powerNotes: [String]

    private init(_ config: TelemetryConfig) throws {
        self.config = config
        let start = ContinuousClock.now
        origin = start
        cpuAtStart = .now()
        scraper = try config.metricsURL.map {
            try MetricsScraper(url: $0, interval: config.scrapeInterval, origin: start)
        }
        var notes: [String] = []
        var chosen: (PowerTool, String)?
        switch config.power {
        case .off: break
        case .auto:
            chosen = PowerTool.detect(path: config.path)
            if chosen == nil {
                notes.append(
                    "no power tool on PATH (looked for "
                        + PowerTool.automatic.map(\.rawValue).joined(separator: ", ") + ")"
                )
            }
        case .tool(let tool):
            guard let found = tool.locate(path: config.path) else {
                throw LoadClientError("--power \(tool.rawValue): \(tool.executable) is not on PATH")
            }
            chosen = (tool, found)
        }
        powerNotes = notes
        powerTool = chosen?.0
        powerCommand = chosen.map { [$0.1] + $0.0.arguments(intervalMilliseconds: Int(config.powerInterval * 1000)) }
        sampler = chosen.map {
            PowerSampler(tool: $0.0, executable: $0.1, interval: config.powerInterval, origin: start)
        }
    }

    /// Starts the scraper and the power tool, and notes the CPU time so far.
    public static func start(_ config: TelemetryConfig) throws -> TelemetryRecorder {
        let recorder = try TelemetryRecorder(config)
        recorder.scraper?.start()
        recorder.sampler?.start()
        return recorder
    }

    /// Stops recording. With `runDuration` (the measured run's, which ended just now) times are shifted so that
    /// 0 is the measured run's start; the shift is the warm-up and probe before it.
    public func stop(runDuration: Double? = nil) async -> Telemetry {
        let cpu = ClientCPU.now() - cpuAtStart
        let (seconds, attoseconds) = (ContinuousClock.now - origin).components
        let wall = Double(seconds) + Double(attoseconds) / 1e18
        let offset = runDuration.map { max(0, wall - $0) } ?? 0
        let scraped = await scraper?.stop()
        let powered = await sampler?.stop()
        return Telemetry(
            metricsURL: config.metricsURL,
            scrapeInterval: config.scrapeInterval,
            serverFamily: scraped?.family,
            server: (scraped?.snapshots ?? []).map { snapshot in
                var shifted = snapshot
                shifted.time -= offset
                return shifted
            },
            scrapeErrors: scraped?.errors ?? [],
            powerTool: powerTool,
            powerCommand: powerCommand,
            powerInterval: config.powerInterval,
            power: (powered?.samples ?? []).map { PowerSample(time: $0.time - offset, readings: $0.readings) },
            powerNotes: powerNotes + (powered?.errors ?? []),
            clientCPU: cpu,
            wallSeconds: wall,
            offset: offset
        )
    }
}
