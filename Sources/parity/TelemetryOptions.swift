import ArgumentParser
import Foundation
import LoadGen

/// `bench serve`'s telemetry options: the server's Prometheus metrics, accelerator power, the run's HTML page.
struct TelemetryOptions: ParsableArguments {
    @Flag(help: "Scrape the server's Prometheus metrics during the run (at --metrics-url, default <base-url>/metrics).")
    var scrapeMetrics = false

    @Option(help: "Prometheus endpoint to scrape (implies --scrape-metrics).")
    var metricsURL: String?

    @Option(help: "Time between scrapes, e.g. 1s or 500ms.")
    var scrapeInterval = Duration(seconds: 1)

    @Option(
        help: """
            Accelerator power during the run: auto (the first of nvidia-smi, amd-smi, npu-smi, cnmon on PATH), off, \
            or one of nvidia-smi, amd-smi, npu-smi, cnmon.
            """
    )
    var power = "auto"

    @Option(help: "Time between power samples, e.g. 200ms.")
    var powerInterval = Duration(seconds: 0.2)

    @Option(help: "Write the run's HTML page here (default: next to the result file, .json replaced by .html).")
    var html: String?

    @Flag(help: "Write no HTML page.")
    var noHtml = false

    func validate() throws {
        if TelemetryConfig.Power(power) == nil {
            throw ValidationError(
                "--power takes auto, off, " + PowerTool.allCases.map(\.rawValue).joined(separator: ", ")
            )
        }
    }

    /// What to record around each run against `baseURL`.
    func config(baseURL: String) -> TelemetryConfig {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return TelemetryConfig(
            metricsURL: metricsURL ?? (scrapeMetrics ? base + "/metrics" : nil),
            scrapeInterval: scrapeInterval.seconds,
            power: TelemetryConfig.Power(power) ?? .off,
            powerInterval: powerInterval.seconds
        )
    }

    /// The page's path: --html, or the result file's with .html for .json; nil with --no-html or no file.
    func htmlPath(result: String?) -> String? {
        if noHtml { return nil }
        if let html { return html }
        guard let result else { return nil }
        return (result.hasSuffix(".json") ? String(result.dropLast(5)) : result) + ".html"
    }
}
