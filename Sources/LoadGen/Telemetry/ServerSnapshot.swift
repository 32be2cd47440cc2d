/// One scrape of the server's `/metrics`: when (seconds from the recorder's start), the common series and the
/// raw samples kept.
public struct ServerSnapshot: Sendable, Hashable {
    public var time: Double
    public var common: [String: Double]
    public var raw: [String: Double]

    public init(time: Double, common: [String: Double], raw: [String: Double]) {
        self.time = time
        self.common = common
        self.raw = raw
    }

    /// Reads one `/metrics` body.
    public static func parse(_ text: String, time: Double) throws(PrometheusParseError) -> ServerSnapshot {
        let samples = try PrometheusText.parse(text).samples
        var raw: [String: Double] = [:]
        for sample in samples where ServerMetricNames.keepsRaw(sample) { raw[sample.key] = sample.value }
        return ServerSnapshot(time: time, common: ServerMetricNames.commonValues(samples), raw: raw)
    }
}
