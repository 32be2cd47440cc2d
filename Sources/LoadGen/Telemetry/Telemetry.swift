/// What a run recorded besides its requests: the server's metrics over time, accelerator power, and the client's
/// own CPU time. Times are seconds from the start of the measured run (the recorder starts before the warm-up;
/// `offset` is what was subtracted).
public struct Telemetry: Sendable {
    public var metricsURL: String?
    public var scrapeInterval: Double
    public var serverFamily: String?
    public var server: [ServerSnapshot]
    public var scrapeErrors: [String]
    public var powerTool: PowerTool?
    public var powerCommand: [String]?
    public var powerInterval: Double
    public var power: [PowerSample]
    public var powerNotes: [String]
    public var clientCPU: ClientCPU
    /// Seconds from the recorder's start to its stop.
    public var wallSeconds: Double
    public var offset: Double

    public init(
        metricsURL: String? = nil,
        scrapeInterval: Double = 1,
        serverFamily: String? = nil,
        server: [ServerSnapshot] = [],
        scrapeErrors: [String] = [],
        powerTool: PowerTool? = nil,
        powerCommand: [String]? = nil,
        powerInterval: Double = 0.2,
        power: [PowerSample] = [],
        powerNotes: [String] = [],
        clientCPU: ClientCPU = ClientCPU(user: 0, system: 0),
        wallSeconds: Double = 0,
        offset: Double = 0
    ) {
        self.metricsURL = metricsURL
        self.scrapeInterval = scrapeInterval
        self.serverFamily = serverFamily
        self.server = server
        self.scrapeErrors = scrapeErrors
        self.powerTool = powerTool
        self.powerCommand = powerCommand
        self.powerInterval = powerInterval
        self.power = power
        self.powerNotes = powerNotes
        self.clientCPU = clientCPU
        self.wallSeconds = wallSeconds
        self.offset = offset
    }

    /// Energy in joules from `start` to `end`: each device's power integrated by the trapezoid rule between its
    /// samples (held at the first and last sample outside them), summed over devices; nil without samples.
    public func energy(from start: Double, to end: Double) -> Double? {
        guard end > start else { return nil }
        var series: [String: [(Double, Double)]] = [:]
        for sample in power {
            for reading in sample.readings { series[reading.device, default: []].append((sample.time, reading.watts)) }
        }
        guard !series.isEmpty else { return nil }
        return series.values.map { Self.integrate($0.sorted { $0.0 < $1.0 }, from: start, to: end) }.reduce(0, +)
    }

    /// ∫ power dt of one device's points over [start, end], linear between points, constant beyond them.
    static func integrate(_ points: [(Double, Double)], from start: Double, to end: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        func at(_ t: Double) -> Double {
            if t <= first.0 { return first.1 }
            if t >= last.0 { return last.1 }
            var low = 0
            var high = points.count - 1
            while high - low > 1 {
                let middle = (low + high) / 2
                if points[middle].0 <= t { low = middle } else { high = middle }
            }
            let (t0, w0) = points[low]
            let (t1, w1) = points[high]
            return t1 == t0 ? w1 : w0 + (w1 - w0) * (t - t0) / (t1 - t0)
        }
        var knots = [start] + points.map(\.0).filter { $0 > start && $0 < end } + [end]
        knots.sort()
        var total = 0.0
        for index in 1..<knots.count {
            let (a, b) = (knots[index - 1], knots[index])
            total += (at(a) + at(b)) / 2 * (b - a)
        }
        return total
    }

    /// The result's `parity.telemetry` object. `requests` are the measured requests (for CPU per request);
    /// `window` is where energy is counted (the steady-state window, or the whole run) with the output tokens
    /// finished in it.
    public func json(
        requests: Int,
        window: (start: Double, end: Double, outputTokens: Int, rule: String)?
    ) -> JSONValue {
        func number(_ value: Double?) -> JSONValue { value.map(JSONValue.number) ?? .null }
        var object: [String: JSONValue] = [
            "client_cpu": .object([
                "user_s": .number(clientCPU.user),
                "system_s": .number(clientCPU.system),
                "total_s": .number(clientCPU.total),
                "wall_s": .number(wallSeconds),
                "requests": .number(Double(requests)),
                "per_request_ms": requests > 0 ? .number(clientCPU.total / Double(requests) * 1000) : .null,
                "definition": .string(
                    "getrusage(RUSAGE_SELF) user + system time of the whole client process from before the "
                        + "warm-up to the end of the run, divided by the measured requests"
                ),
            ]),
            "time_origin": .string("seconds from the start of the measured run"),
        ]
        if let metricsURL {
            var series: [String: JSONValue] = [:]
            for (name, _) in ServerMetricNames.common {
                guard server.contains(where: { $0.common[name] != nil }) else { continue }
                series[name] = .array(server.map { number($0.common[name]) })
            }
            var raw: [String: JSONValue] = [:]
            for key in Set(server.flatMap { $0.raw.keys }) {
                raw[key] = .array(server.map { number($0.raw[key]) })
            }
            var peaks: [String: JSONValue] = [:]
            for (name, _) in ServerMetricNames.common where name != "preemptions" {
                if let peak = server.compactMap({ $0.common[name] }).max() { peaks[name] = .number(peak) }
            }
            if let first = server.first?.common["preemptions"], let last = server.last?.common["preemptions"] {
                peaks["preemptions_during_run"] = .number(last - first)
            }
            object["server_metrics"] = .object([
                "url": .string(metricsURL),
                "family": serverFamily.map(JSONValue.string) ?? .null,
                "interval_s": .number(scrapeInterval),
                "times": .array(server.map { .number($0.time) }),
                "series": .object(series),
                "peaks": .object(peaks),
                "raw": .object(raw),
                "errors": .array(scrapeErrors.map(JSONValue.string)),
            ])
        }
        if powerTool != nil || !power.isEmpty || !powerNotes.isEmpty {
            var devices: [String: JSONValue] = [:]
            for device in Set(power.flatMap { $0.readings.map(\.device) }) {
                devices[device] = .array(
                    power.map { sample in number(sample.readings.first { $0.device == device }?.watts) }
                )
            }
            var section: [String: JSONValue] = [
                "tool": powerTool.map { .string($0.rawValue) } ?? .null,
                "command": powerCommand.map { .string($0.joined(separator: " ")) } ?? .null,
                "interval_s": .number(powerInterval),
                "times": .array(power.map { .number($0.time) }),
                "total_watts": .array(power.map { .number($0.totalWatts) }),
                "devices": .object(devices),
                "notes": .array(powerNotes.map(JSONValue.string)),
            ]
            if let window, let joules = energy(from: window.start, to: window.end) {
                let tokens = Double(window.outputTokens)
                section["energy"] = .object([
                    "window_start": .number(window.start),
                    "window_end": .number(window.end),
                    "window_rule": .string(window.rule),
                    "joules": .number(joules),
                    "mean_watts": .number(joules / (window.end - window.start)),
                    "output_tokens": .number(tokens),
                    "joules_per_output_token": tokens > 0 ? .number(joules / tokens) : .null,
                    "output_tokens_per_joule": joules > 0 ? .number(tokens / joules) : .null,
                ])
            }
            object["power"] = .object(section)
        }
        return .object(object)
    }
}
