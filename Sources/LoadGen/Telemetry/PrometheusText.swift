import Foundation

/// One sample of the Prometheus text exposition format: `name{label="value",…} value [timestamp]`.
public struct PrometheusSample: Sendable, Hashable {
    public var name: String
    public var labels: [String: String]
    public var value: Double

    public init(name: String, labels: [String: String] = [:], value: Double) {
        self.name = name
        self.labels = labels
        self.value = value
    }

    /// `name{a="1",b="2"}` with the labels sorted: one key per series.
    public var key: String {
        guard !labels.isEmpty else { return name }
        let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }
        return name + "{" + pairs.joined(separator: ",") + "}"
    }
}

/// Why a `/metrics` body could not be read: the line and what was wrong with it.
public struct PrometheusParseError: Error, CustomStringConvertible, Sendable, Equatable {
    public var line: Int
    public var reason: String
    public var description: String { "metrics text, line \(line): \(reason)" }
}

/// A small parser of the Prometheus text exposition format (version 0.0.4), as vLLM, SGLang and the simulator
/// serve it at `/metrics`: counters, gauges, histograms and summaries as their plain samples (`_sum`, `_count`,
/// `_bucket{le=…}`), labels with `\\`, `\"` and `\n` escapes, `+Inf`/`-Inf`/`NaN`, an optional timestamp.
public enum PrometheusText {
    /// The samples in order, and each metric family's declared type (`# TYPE name counter`).
    public static func parse(
        _ text: String
    ) throws(PrometheusParseError) -> (
        samples: [PrometheusSample], types: [String: String]
    ) {
        var samples: [PrometheusSample] = []
        var types: [String: String] = [:]
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count >= 4, words[1] == "TYPE" { types[String(words[2])] = String(words[3]) }
                continue
            }
            samples.append(try sample(Array(line.utf8), line: number))
        }
        return (samples, types)
    }

    static func sample(_ bytes: [UInt8], line: Int) throws(PrometheusParseError) -> PrometheusSample {
        func fail(_ reason: String) -> PrometheusParseError { PrometheusParseError(line: line, reason: reason) }
        var i = 0
        while i < bytes.count, bytes[i] != UInt8(ascii: "{"), bytes[i] != UInt8(ascii: " "),
            bytes[i] != UInt8(ascii: "\t")
        {
            i += 1
        }
        let name = String(decoding: bytes[0..<i], as: UTF8.self)
        guard !name.isEmpty else { throw fail("a sample without a metric name") }
        var labels: [String: String] = [:]
        if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
            i += 1
            while true {
                while i < bytes.count, bytes[i] == UInt8(ascii: " ") || bytes[i] == UInt8(ascii: ",") { i += 1 }
                guard i < bytes.count else { throw fail("labels of \(name) not closed with }") }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    break
                }
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: " ") { i += 1 }
                let label = String(decoding: bytes[start..<i], as: UTF8.self)
                while i < bytes.count, bytes[i] == UInt8(ascii: " ") { i += 1 }
                guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "="), bytes[i + 1] == UInt8(ascii: "\"") else {
                    throw fail("label \(label) of \(name) has no quoted value")
                }
                i += 2
                var value: [UInt8] = []
                var closed = false
                while i < bytes.count {
                    let byte = bytes[i]
                    if byte == UInt8(ascii: "\\"), i + 1 < bytes.count {
                        let next = bytes[i + 1]
                        value.append(next == UInt8(ascii: "n") ? UInt8(ascii: "\n") : next)
                        i += 2
                        continue
                    }
                    i += 1
                    if byte == UInt8(ascii: "\"") {
                        closed = true
                        break
                    }
                    value.append(byte)
                }
                guard closed else { throw fail("value of label \(label) of \(name) not closed with \"") }
                labels[label] = String(decoding: value, as: UTF8.self)
            }
        }
        let rest = String(decoding: bytes[i...], as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let text = rest.first.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) }) else {
            throw fail("\(name) has no value")
        }
        guard let value = Self.value(text) else { throw fail("\(name) has value \"\(text)\", not a number") }
        return PrometheusSample(name: name, labels: labels, value: value)
    }

    static func value(_ text: String) -> Double? {
        switch text {
        case "+Inf", "Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
