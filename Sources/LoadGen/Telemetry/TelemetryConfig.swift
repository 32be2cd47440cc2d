/// What to record during a run besides the requests.
public struct TelemetryConfig: Sendable {
    /// Which power tool to run.
    public enum Power: Sendable, Hashable {
        case off
        /// The first of `PowerTool.automatic` on `PATH`, if any.
        case auto
        case tool(PowerTool)

        /// `off`, `auto`, or a tool's name.
        public init?(_ text: String) {
            switch text {
            case "off": self = .off
            case "auto": self = .auto
            default:
                guard let tool = PowerTool(rawValue: text) else { return nil }
                self = .tool(tool)
            }
        }
    }

    /// The server's Prometheus endpoint, or nil not to scrape.
    public var metricsURL: String?
    public var scrapeInterval: Double
    public var power: Power
    public var powerInterval: Double
    /// Searched for the power tools (default: the process's `PATH`).
    public var path: String?

    public init(
        metricsURL: String? = nil,
        scrapeInterval: Double = 1,
        power: Power = .off,
        powerInterval: Double = 0.2,
        path: String? = nil
    ) {
        self.metricsURL = metricsURL
        self.scrapeInterval = scrapeInterval
        self.power = power
        self.powerInterval = powerInterval
        self.path = path
    }
}
