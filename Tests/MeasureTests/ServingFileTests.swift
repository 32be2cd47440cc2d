import Catalogue
import Foundation
import Testing

@testable import Measure

@Suite struct ServingFileTests {
    static let record = ServingMeasurement(
        id: "run-1",
        chip: "h20",
        chips: 8,
        deployment: .init(tensorParallel: 8, expertParallel: 8, mode: .aggregated),
        scenario: .init(
            model: "deepseek-v3",
            weightPrecision: .fp8,
            kvPrecision: .bf16,
            input: .fixed(2048),
            output: .init(mean: 256, min: 200, max: 300),
            load: .init(requestRate: 4, maxConcurrency: 64, burstiness: 1),
            limits: .init(ttftMilliseconds: 2000, tpotMilliseconds: 50),
            dataset: "random",
            name: "ds-decode"
        ),
        engine: .init(name: "sglang", version: "0.5.2"),
        host: "node-7",
        time: Date(timeIntervalSince1970: 1_790_000_000),
        metrics: .init(
            durationSeconds: 100,
            completed: 400,
            failed: 2,
            requestsPerSecond: 4,
            outputTokensPerSecond: 1024,
            totalTokensPerSecond: 9216,
            goodputRequestsPerSecond: 3.5,
            maxConcurrentRequests: 40,
            ttft: .init(meanMilliseconds: 900, medianMilliseconds: 850, p90Milliseconds: 1500, p99Milliseconds: 1900),
            tpot: .init(meanMilliseconds: 40, medianMilliseconds: 39, p99Milliseconds: 49),
            itl: .init(meanMilliseconds: 40),
            e2el: .init(meanMilliseconds: 11_100)
        ),
        provenance: "test",
        requests: [.init(start: 0, ttftSeconds: 0.9, latencySeconds: 11.1, inputTokens: 2048, outputTokens: 256)]
    )

    @Test func typedRecordsRoundTripAsLinesArraysAndSingleObjects() throws {
        let lines = ServingFile.encode([Self.record, Self.record])
        #expect(try ServingFile.decode(lines, path: "x") == [Self.record, Self.record])
        let one = ServingFile.line(Self.record)
        #expect(try ServingFile.decode(Data("[".utf8) + one + Data("]".utf8), path: "x") == [Self.record])
        #expect(try ServingFile.decode(one, path: "x") == [Self.record])
        #expect(ServingFile.isServing(one))
        #expect(String(decoding: one, as: UTF8.self).contains(#""schema":"parity.serving/2""#))
    }

    @Test func unknownMajorVersionsAreRefused() {
        let future = String(decoding: ServingFile.line(Self.record), as: UTF8.self)
            .replacingOccurrences(of: "parity.serving/2", with: "parity.serving/3")
        #expect(throws: ServingFileError.unknownSchema(path: "f.jsonl", record: 2, schema: "parity.serving/3")) {
            try ServingFile.decode(ServingFile.line(Self.record) + Data("\n\(future)\n".utf8), path: "f.jsonl")
        }
        #expect(throws: ServingFileError.unknownSchema(path: "f", record: 1, schema: nil)) {
            try ServingFile.decode(Data(#"{"duration": 1}"#.utf8), path: "f")
        }
    }

    @Test func errorsNameFileRecordAndField() throws {
        var object = try #require(
            try JSONSerialization.jsonObject(with: ServingFile.line(Self.record)) as? [String: Any]
        )
        object.removeValue(forKey: "chips")
        let missing = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: ServingFileError.invalid(path: "f", record: 1, field: "chips", reason: "is missing")) {
            try ServingFile.decode(missing, path: "f")
        }
        #expect(
            ServingFileError.invalid(path: "f", record: 1, field: "chips", reason: "is missing").description
                == "f: record 1: field 'chips' is missing"
        )
        var metrics = try #require(object["metrics"] as? [String: Any])
        metrics["output_throughput"] = "fast"
        object["metrics"] = metrics
        object["chips"] = 8
        #expect(
            throws: ServingFileError.invalid(
                path: "f",
                record: 1,
                field: "metrics.output_throughput",
                reason: "has the wrong type"
            )
        ) {
            try ServingFile.decode(try JSONSerialization.data(withJSONObject: object), path: "f")
        }
        var empty = Self.record
        empty.metrics.completed = 0
        #expect(throws: ServingFileError.invalid(path: "f", record: 1, field: nil, reason: "no request completed")) {
            try ServingFile.decode(ServingFile.line(empty), path: "f")
        }
        #expect(throws: ServingFileError.invalid(path: "f", record: 2, field: nil, reason: "is not a JSON object")) {
            try ServingFile.decode(Data("[".utf8) + ServingFile.line(Self.record) + Data(", 3]".utf8), path: "f")
        }
    }
}
