public import Catalogue
public import Foundation

/// Why a serving results file cannot be read: the file, the record (counting from 1) and the field.
public enum ServingFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unknownSchema(path: String, record: Int, schema: String?)
    case invalid(path: String, record: Int, field: String?, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "\(path): cannot read: \(reason)"
        case .unknownSchema(let path, let record, let schema):
            "\(path): record \(record) has schema \(schema.map { "'\($0)'" } ?? "(none)"); this Parity reads "
                + "\(ServingMeasurement.currentSchema) records and parity.serving/1 `parity bench serve` results"
        case .invalid(let path, let record, let field, let reason):
            "\(path): record \(record): " + (field.map { "field '\($0)' " } ?? "") + reason
        }
    }
}

/// Reads serving results: files of `parity.serving/2` records (a JSON array, one object, or one object per
/// line), and `parity bench serve` result files (vLLM's keys plus a `parity` object of schema
/// `parity.serving/1`, a single run or a `sweep`). A bench-serve file that embeds its typed record
/// (`parity.measurement`) gives that record; an older one is converted, and what it does not say (chip count,
/// engine, weight precision) must come from the `Context` — it is never guessed.
public enum ServingFile {
    /// The schema family; a record whose major version this Parity does not know is refused.
    static let family = "parity.serving/"

    /// What the caller knows about runs whose file does not say it (`--chip`, `--chips`, `--engine`, …). A value
    /// given here fills a field the file lacks; where the file has the field, the file wins, except `model` and
    /// `scenario`, which rename (a served model name is often not a catalogue model ID).
    public struct Context: Sendable, Hashable {
        public var chip: String?
        public var chips: Int?
        public var engine: String?
        public var engineVersion: String?
        /// Catalogue model ID, when the served name is not one.
        public var model: String?
        public var weightPrecision: Precision?
        public var kvPrecision: Precision?
        public var tensorParallel: Int?
        public var pipelineParallel: Int?
        public var expertParallel: Int?
        public var dataParallel: Int?
        public var mode: ServingMeasurement.Deployment.Mode?
        public var host: String?
        public var scenario: String?
        /// The record ID (a sweep's points get `.1`, `.2`, … appended); default: derived from scenario, chip and time.
        public var id: String?
        /// The record's provenance; default: `parity bench serve (parity.serving/1)`.
        public var provenance: String?
        /// Mean input length in tokens, for files that do not record it (MLPerf logs).
        public var inputTokens: Double?
        /// When the run started, for files that do not record it (SGLang's `bench_serving`).
        public var time: Date?

        public init(
            chip: String? = nil,
            chips: Int? = nil,
            engine: String? = nil,
            engineVersion: String? = nil,
            model: String? = nil,
            weightPrecision: Precision? = nil,
            kvPrecision: Precision? = nil,
            tensorParallel: Int? = nil,
            pipelineParallel: Int? = nil,
            expertParallel: Int? = nil,
            dataParallel: Int? = nil,
            mode: ServingMeasurement.Deployment.Mode? = nil,
            host: String? = nil,
            scenario: String? = nil,
            id: String? = nil,
            provenance: String? = nil,
            inputTokens: Double? = nil,
            time: Date? = nil
        ) {
            self.chip = chip
            self.chips = chips
            self.engine = engine
            self.engineVersion = engineVersion
            self.model = model
            self.weightPrecision = weightPrecision
            self.kvPrecision = kvPrecision
            self.tensorParallel = tensorParallel
            self.pipelineParallel = pipelineParallel
            self.expertParallel = expertParallel
            self.dataParallel = dataParallel
            self.mode = mode
            self.host = host
            self.scenario = scenario
            self.id = id
            self.provenance = provenance
            self.inputTokens = inputTokens
            self.time = time
        }

        /// The deployment the options describe (TP and PP 1 unless given).
        public var deployment: ServingMeasurement.Deployment {
            ServingMeasurement.Deployment(
                tensorParallel: tensorParallel ?? 1,
                pipelineParallel: pipelineParallel ?? 1,
                expertParallel: expertParallel,
                dataParallel: dataParallel,
                mode: mode ?? .aggregated
            )
        }
    }

    // MARK: - Reading

    /// The serving results of a file that needs nothing from the caller (typed records, or bench-serve files
    /// that embed theirs).
    public static func read(path: String) throws -> [ServingMeasurement] {
        try read(path: path, context: Context())
    }

    public static func read(path: String, context: Context) throws(ServingFileError) -> [ServingMeasurement] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: error.localizedDescription)
        }
        return try decode(data, path: path, context: context)
    }

    /// The records of a file's bytes: a JSON array, a single object, or JSON lines.
    public static func decode(
        _ data: Data,
        path: String,
        context: Context = Context()
    ) throws(ServingFileError) -> [ServingMeasurement] {
        let objects = try objects(data, path: path)
        if objects.isEmpty {
            throw .invalid(path: path, record: 0, field: nil, reason: "no serving results in the file")
        }
        var records: [ServingMeasurement] = []
        for (index, object) in objects.enumerated() {
            records += try measurements(object, path: path, record: index + 1, context: context)
        }
        return records
    }

    /// Whether the bytes look like serving results (a typed record or a bench-serve file) rather than
    /// micro-benchmark measurements: decides which reader `parity results import` uses.
    public static func isServing(_ data: Data) -> Bool {
        guard let first = try? objects(data, path: "").first else { return false }
        if let schema = first["schema"] as? String { return schema.hasPrefix(family) }
        return first["parity"] is [String: Any] || first["sweep"] is [Any]
    }

    /// The top-level JSON objects of a file; a value that is not an object is kept as an empty marker so that
    /// its record number is reported.
    static func objects(_ data: Data, path: String) throws(ServingFileError) -> [[String: Any]] {
        let trimmed = data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if trimmed.first == UInt8(ascii: "[") {
            guard let array = try? JSONSerialization.jsonObject(with: data) as? [Any] else {
                throw .invalid(path: path, record: 1, field: nil, reason: "is not valid JSON")
            }
            return try array.enumerated().map { index, value throws(ServingFileError) in
                guard let object = value as? [String: Any] else {
                    throw .invalid(path: path, record: index + 1, field: nil, reason: "is not a JSON object")
                }
                return object
            }
        }
        if trimmed.first == UInt8(ascii: "{"), let object = try? JSONSerialization.jsonObject(with: data) {
            guard let object = object as? [String: Any] else {
                throw .invalid(path: path, record: 1, field: nil, reason: "is not a JSON object")
            }
            return [object]
        }
        var objects: [[String: Any]] = []
        for line in data.split(separator: 0x0A) where line.contains(where: { $0 > 0x20 }) {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else {
                throw .invalid(path: path, record: objects.count + 1, field: nil, reason: "is not a JSON object")
            }
            objects.append(object)
        }
        return objects
    }

    static func measurements(
        _ object: [String: Any],
        path: String,
        record: Int,
        context: Context
    ) throws(ServingFileError) -> [ServingMeasurement] {
        if let schema = object["schema"] as? String {
            guard schema == ServingMeasurement.currentSchema else {
                throw .unknownSchema(path: path, record: record, schema: schema)
            }
            return [try typed(object, path: path, record: record)]
        }
        if let sweep = object["sweep"] as? [Any] {
            var measurements: [ServingMeasurement] = []
            for (index, point) in sweep.enumerated() {
                guard let point = point as? [String: Any] else {
                    throw .invalid(path: path, record: record, field: "sweep[\(index)]", reason: "is not an object")
                }
                var pointContext = context
                if let id = context.id { pointContext.id = "\(id).\(index + 1)" }
                measurements.append(
                    try benchServe(point, path: path, record: record, context: pointContext, sweepIndex: index + 1)
                )
            }
            return measurements
        }
        if object["parity"] is [String: Any] {
            return [try benchServe(object, path: path, record: record, context: context, sweepIndex: nil)]
        }
        throw .unknownSchema(path: path, record: record, schema: nil)
    }

    /// A `parity.serving/2` record, checked.
    static func typed(_ object: [String: Any], path: String, record: Int) throws(ServingFileError) -> ServingMeasurement
    {
        let measurement: ServingMeasurement
        do {
            let data = try JSONSerialization.data(withJSONObject: object)
            measurement = try decoder.decode(ServingMeasurement.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw .invalid(path: path, record: record, field: field, reason: "is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalid(path: path, record: record, field: field(context), reason: "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalid(path: path, record: record, field: field(context), reason: "is null")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalid(path: path, record: record, field: field(context), reason: context.debugDescription)
        } catch {
            throw .invalid(path: path, record: record, field: nil, reason: "\(error)")
        }
        if let problem = measurement.problem() {
            throw .invalid(path: path, record: record, field: nil, reason: problem)
        }
        return measurement
    }

    static func field(_ context: DecodingError.Context) -> String? {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        return path.isEmpty ? nil : path
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    // MARK: - parity bench serve (parity.serving/1)

    /// One run of a `parity bench serve` result file.
    static func benchServe(
        _ object: [String: Any],
        path: String,
        record: Int,
        context: Context,
        sweepIndex: Int?
    ) throws(ServingFileError) -> ServingMeasurement {
        let parity = object["parity"] as? [String: Any] ?? [:]
        let schema = parity["schema"] as? String
        guard schema == "parity.serving/1" else { throw .unknownSchema(path: path, record: record, schema: schema) }
        if let embedded = parity["measurement"] as? [String: Any] {
            return try typed(embedded, path: path, record: record)
        }
        let fields = Fields(object: object, path: path, record: record)
        func missing(_ field: String, _ option: String) -> ServingFileError {
            .invalid(path: path, record: record, field: field, reason: "is not in the file; pass \(option)")
        }
        guard let chip = context.chip ?? (parity["chip"] as? String) else { throw missing("parity.chip", "--chip") }
        guard let chips = context.chips else { throw missing("chips", "--chips") }
        guard let engine = context.engine else { throw missing("engine", "--engine") }
        guard let weightPrecision = context.weightPrecision else {
            throw missing("weight_precision", "--weight-precision")
        }
        guard let model = context.model ?? (object["model_id"] as? String) else { throw missing("model_id", "--model") }
        guard let dateText = object["date"] as? String, let time = date(dateText) else {
            throw .invalid(path: path, record: record, field: "date", reason: "is missing or not an ISO 8601 time")
        }
        let completed = try fields.int("completed")
        var limits: ServingMeasurement.Limits?
        if let goodput = parity["goodput_ms"] as? [String: Any] {
            limits = ServingMeasurement.Limits(
                ttftMilliseconds: (goodput["ttft"] as? NSNumber)?.doubleValue,
                tpotMilliseconds: (goodput["tpot"] as? NSNumber)?.doubleValue,
                e2elMilliseconds: (goodput["e2el"] as? NSNumber)?.doubleValue
            )
        }
        let scenarioName = context.scenario ?? (parity["scenario"] as? String)
        let scenario = ServingMeasurement.Scenario(
            model: model,
            weightPrecision: weightPrecision,
            kvPrecision: context.kvPrecision,
            input: try fields.lengths("input_lens", total: "total_input_tokens", completed: completed),
            output: try fields.lengths("output_lens", total: "total_output_tokens", completed: completed),
            load: ServingMeasurement.Load(
                requestRate: fields.optionalDouble("request_rate"),
                maxConcurrency: fields.optionalDouble("max_concurrency").map { Int($0) },
                burstiness: fields.optionalDouble("burstiness")
            ),
            limits: limits,
            dataset: parity["dataset"] as? String,
            name: scenarioName
        )
        let metrics = ServingMeasurement.Metrics(
            durationSeconds: try fields.double("duration"),
            completed: completed,
            failed: try fields.int("failed"),
            requestsPerSecond: try fields.double("request_throughput"),
            outputTokensPerSecond: try fields.double("output_throughput"),
            totalTokensPerSecond: try fields.double("total_token_throughput"),
            goodputRequestsPerSecond: fields.optionalDouble("request_goodput"),
            maxConcurrentRequests: fields.optionalDouble("max_concurrent_requests").map { Int($0) },
            ttft: try fields.latency("ttft"),
            tpot: try fields.latency("tpot"),
            itl: fields.optionalLatency("itl"),
            e2el: fields.optionalLatency("e2el")
        )
        let requests = (parity["requests"] as? [Any]).map { list in
            list.compactMap { $0 as? [String: Any] }.map { request in
                ServingMeasurement.Request(
                    start: (request["start"] as? NSNumber)?.doubleValue ?? 0,
                    ttftSeconds: (request["ttft"] as? NSNumber)?.doubleValue,
                    latencySeconds: (request["latency"] as? NSNumber)?.doubleValue,
                    inputTokens: (request["prompt_tokens"] as? NSNumber)?.intValue ?? 0,
                    outputTokens: (request["output_tokens"] as? NSNumber)?.intValue ?? 0,
                    error: request["error"] as? String
                )
            }
        }
        let id =
            context.id
            ?? defaultID(scenario: scenarioName ?? model, chip: chip, time: time, sweepIndex: sweepIndex)
        let measurement = ServingMeasurement(
            id: id,
            chip: chip,
            chips: chips,
            deployment: context.deployment,
            scenario: scenario,
            engine: ServingMeasurement.Engine(name: engine, version: context.engineVersion),
            host: context.host,
            time: time,
            metrics: metrics,
            provenance: context.provenance ?? "parity bench serve (parity.serving/1)",
            requests: requests
        )
        if let problem = measurement.problem() {
            throw .invalid(path: path, record: record, field: nil, reason: problem)
        }
        return context.id == nil ? fingerprinted(measurement) : measurement
    }

    /// A record whose ID was derived (`defaultID`) gets its metrics' fingerprint appended, so that two runs started
    /// in the same second stay apart while the same file imported twice still gives the same ID.
    static func fingerprinted(_ measurement: ServingMeasurement) -> ServingMeasurement {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let bytes = (try? encoder.encode(measurement.metrics)) ?? Data()
        // FNV-1a, 32 bits: an ID suffix, not a security property.
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        var copy = measurement
        copy.id += "." + String(hash, radix: 16).leftPadded(to: 8)
        return copy
    }

    /// `<scenario>.<chip>.<UTC time>[.<sweep point>]` (then a fingerprint of the metrics, `fingerprinted`): the
    /// same file imported twice gives the same IDs.
    public static func defaultID(scenario: String, chip: String, time: Date, sweepIndex: Int? = nil) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let base = "\(scenario).\(chip).\(formatter.string(from: time))"
        return sweepIndex.map { "\(base).\($0)" } ?? base
    }

    /// ISO 8601 (Parity), or vLLM's `YYYYmmdd-HHMMSS` (taken as UTC).
    public static func date(_ text: String) -> Date? {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = fractional.date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.date(from: text)
    }

    /// Typed access to a vLLM-style result object, with errors that name the field.
    struct Fields {
        let object: [String: Any]
        let path: String
        let record: Int

        func double(_ key: String) throws(ServingFileError) -> Double {
            guard let value = object[key], let number = Self.number(value) else {
                throw .invalid(path: path, record: record, field: key, reason: "is missing or not a number")
            }
            return number
        }

        func int(_ key: String) throws(ServingFileError) -> Int {
            let value = try double(key)
            guard value >= 0, value == value.rounded(), value < 1e15 else {
                throw .invalid(path: path, record: record, field: key, reason: "is not a whole number")
            }
            return Int(value)
        }

        /// A number, or `nil` for a missing key, `null` or a string such as `"inf"`.
        func optionalDouble(_ key: String) -> Double? {
            guard let value = object[key], let number = Self.number(value) else { return nil }
            return number.isFinite ? number : nil
        }

        /// A JSON number (not `true` or `false`, which Foundation may also hand over as numbers).
        static func number(_ value: Any) -> Double? {
            guard type(of: value) != Bool.self, let number = value as? NSNumber else { return nil }
            return number.doubleValue
        }

        func latency(_ name: String) throws(ServingFileError) -> ServingMeasurement.Latency {
            ServingMeasurement.Latency(
                meanMilliseconds: try double("mean_\(name)_ms"),
                medianMilliseconds: optionalDouble("median_\(name)_ms"),
                p90Milliseconds: optionalDouble("p90_\(name)_ms"),
                p99Milliseconds: optionalDouble("p99_\(name)_ms")
            )
        }

        func optionalLatency(_ name: String) -> ServingMeasurement.Latency? {
            guard let mean = optionalDouble("mean_\(name)_ms") else { return nil }
            return ServingMeasurement.Latency(
                meanMilliseconds: mean,
                medianMilliseconds: optionalDouble("median_\(name)_ms"),
                p90Milliseconds: optionalDouble("p90_\(name)_ms"),
                p99Milliseconds: optionalDouble("p99_\(name)_ms")
            )
        }

        /// Lengths from the per-request list when there is one, else the total over the completed requests.
        func lengths(
            _ listKey: String,
            total totalKey: String,
            completed: Int
        ) throws(ServingFileError) -> ServingMeasurement.Lengths {
            let list = (object[listKey] as? [Any])?.compactMap { ($0 as? NSNumber)?.intValue } ?? []
            if !list.isEmpty, let low = list.min(), let high = list.max() {
                return ServingMeasurement.Lengths(
                    mean: Double(list.reduce(0, +)) / Double(list.count),
                    min: low,
                    max: high
                )
            }
            let total = try double(totalKey)
            return ServingMeasurement.Lengths(mean: completed > 0 ? total / Double(completed) : 0)
        }
    }

    // MARK: - Writing

    /// JSON lines, one record per line, keys sorted, times in ISO 8601.
    public static func encode(_ measurements: [ServingMeasurement]) -> Data {
        var data = Data()
        for measurement in measurements {
            data += line(measurement)
            data.append(0x0A)
        }
        return data
    }

    /// One record as one line of JSON (no newline): what the store keeps as the record's document.
    public static func line(_ measurement: ServingMeasurement) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding plain value types with finite numbers cannot fail; a non-finite number is refused by `problem()`.
        return (try? encoder.encode(measurement)) ?? Data("{}".utf8)
    }
}

extension String {
    /// Zeros in front up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
