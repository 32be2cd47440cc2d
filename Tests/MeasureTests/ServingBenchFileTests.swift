import Catalogue
import Foundation
import Testing

@testable import Measure

/// `parity bench serve` result files (Tests/Fixtures/serving/README.md says how each was made): every figure the file
/// and the record both define is carried over exactly.
@Suite struct ServingBenchFileTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/serving")

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func number(_ object: [String: Any], _ key: String) throws -> Double {
        try #require((object[key] as? NSNumber)?.doubleValue, "\(key) in the fixture")
    }

    /// Every vLLM-named figure of a bench-serve (or vLLM) result against the record.
    static func expectSameMetrics(_ file: [String: Any], _ record: ServingMeasurement) throws {
        let metrics = record.metrics
        #expect(metrics.durationSeconds == (try number(file, "duration")))
        #expect(Double(metrics.completed) == (try number(file, "completed")))
        #expect(Double(metrics.failed) == (try number(file, "failed")))
        #expect(metrics.requestsPerSecond == (try number(file, "request_throughput")))
        #expect(metrics.outputTokensPerSecond == (try number(file, "output_throughput")))
        #expect(metrics.totalTokensPerSecond == (try number(file, "total_token_throughput")))
        #expect(metrics.goodputRequestsPerSecond == (file["request_goodput"] as? NSNumber)?.doubleValue)
        #expect(Double(metrics.maxConcurrentRequests ?? -1) == (try number(file, "max_concurrent_requests")))
        let latencies: [(String, ServingMeasurement.Latency?)] = [
            ("ttft", metrics.ttft), ("tpot", metrics.tpot), ("itl", metrics.itl), ("e2el", metrics.e2el),
        ]
        for (name, latency) in latencies {
            let latency = try #require(latency, "\(name) in the record")
            #expect(latency.meanMilliseconds == (try number(file, "mean_\(name)_ms")))
            #expect(latency.medianMilliseconds == (try number(file, "median_\(name)_ms")))
            #expect(latency.p90Milliseconds == (file["p90_\(name)_ms"] as? NSNumber)?.doubleValue)
            #expect(latency.p99Milliseconds == (try number(file, "p99_\(name)_ms")))
        }
        let inputs = try #require(file["input_lens"] as? [Int])
        let outputs = try #require(file["output_lens"] as? [Int])
        #expect(record.scenario.input.mean == Double(inputs.reduce(0, +)) / Double(inputs.count))
        #expect(record.scenario.input.min == inputs.min() && record.scenario.input.max == inputs.max())
        #expect(record.scenario.output.mean == Double(outputs.reduce(0, +)) / Double(outputs.count))
        #expect(record.scenario.load.maxConcurrency == (file["max_concurrency"] as? NSNumber)?.intValue)
    }

    @Test func aBenchServeFileNeedsWhatItLacksFromTheCaller() throws {
        let path = Self.directory.appendingPathComponent("parity-bench-serve.json").path
        #expect(
            throws: ServingFileError.invalid(
                path: path,
                record: 1,
                field: "chips",
                reason: "is not in the file; pass --chips"
            )
        ) {
            try ServingFile.read(path: path)
        }
        let context = ServingFile.Context(chips: 1, engine: "simulator", weightPrecision: .bf16)
        let records = try ServingFile.read(path: path, context: context)
        let record = try #require(records.first)
        #expect(records.count == 1)
        let file = try Self.json("parity-bench-serve.json")
        let parity = try #require(file["parity"] as? [String: Any])
        try Self.expectSameMetrics(file, record)
        #expect(record.chip == parity["chip"] as? String && record.chip == "h20")
        #expect(record.scenario.name == "chat-8b" && record.scenario.model == file["model_id"] as? String)
        #expect(record.scenario.dataset == parity["dataset"] as? String)
        #expect(record.time == ServingFile.date(try #require(file["date"] as? String)))
        #expect(record.engine == .init(name: "simulator") && record.chips == 1)
        #expect(record.deployment == .init(tensorParallel: 1, pipelineParallel: 1))
        #expect(record.provenance == "parity bench serve (parity.serving/1)")
        #expect(record.scenario.load.requestRate == nil, "request_rate \"inf\" is no rate")
        // Read twice, the same ID: importing a file again stores it once.
        #expect(try ServingFile.read(path: path, context: context).first?.id == record.id)
    }

    @Test func aBenchServeFileWithItsTypedRecordNeedsNothing() throws {
        let path = Self.directory.appendingPathComponent("parity-bench-serve-typed.json").path
        let record = try #require(try ServingFile.read(path: path).first)
        let file = try Self.json("parity-bench-serve-typed.json")
        try Self.expectSameMetrics(file, record)
        #expect(record.provenance == "parity bench serve")
        #expect(record.engine.name == "simulator" && record.chips == 1 && record.scenario.weightPrecision == .bf16)
        let limits = try #require((file["parity"] as? [String: Any])?["goodput_ms"] as? [String: Any])
        #expect(record.scenario.limits?.tpotMilliseconds == (limits["tpot"] as? NSNumber)?.doubleValue)
        #expect(ServingFile.isServing(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Two runs started in the same second (a quick run of a few requests) must not collide on their derived IDs.
    @Test func runsInTheSameSecondGetDifferentIDs() throws {
        var file = try Self.json("parity-bench-serve.json")
        let context = ServingFile.Context(chips: 1, engine: "simulator", weightPrecision: .bf16)
        let first = try #require(
            try ServingFile.decode(try JSONSerialization.data(withJSONObject: file), path: "a", context: context).first
        )
        file["output_throughput"] = (try Self.number(file, "output_throughput")) + 1
        let second = try #require(
            try ServingFile.decode(try JSONSerialization.data(withJSONObject: file), path: "b", context: context).first
        )
        #expect(first.time == second.time && first.id != second.id)
        #expect(
            first.id.hasPrefix("chat-8b.h20.20261130T045729Z.") && second.id.hasPrefix("chat-8b.h20.20261130T045729Z.")
        )
    }
}
