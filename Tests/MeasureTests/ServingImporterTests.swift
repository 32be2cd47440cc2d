import Catalogue
import Foundation
import Testing

@testable import Measure

/// Other tools' result files, as those tools wrote them against Parity's simulator (Tests/Fixtures/serving/README.md
/// has each command). Every figure both sides define must convert exactly: the expected values are read from the
/// fixture itself, units converted where the tool's differ.
@Suite struct ServingImporterTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/serving")
    static let context = ServingFile.Context(
        chip: "h20",
        chips: 1,
        engine: "simulator",
        engineVersion: "parity 2026.11",
        weightPrecision: .bf16,
        scenario: "chat-8b"
    )

    /// Mean, median, p90 and p99 in nanoseconds as a latency in milliseconds.
    static func milliseconds(nanoseconds values: [Double]) -> ServingMeasurement.Latency {
        ServingMeasurement.Latency(
            meanMilliseconds: values[0] / 1e6,
            medianMilliseconds: values[1] / 1e6,
            p90Milliseconds: values[2] / 1e6,
            p99Milliseconds: values[3] / 1e6
        )
    }

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func json(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static func number(_ value: Any?) throws -> Double {
        try #require((value as? NSNumber)?.doubleValue)
    }

    @Test(arguments: ServingImporter.Tool.allCases.filter { $0 != .mlperf })
    func whatAFileLacksIsRequiredNotGuessed(tool: ServingImporter.Tool) throws {
        let file =
            switch tool {
            case .aiperf: "aiperf-profile_export_aiperf.json"
            case .guidellm: "guidellm-benchmarks.json"
            case .vllm: "vllm-bench-serve.json"
            case .sglang: "sglang-bench-serving.jsonl"
            case .mlperf: ""
            }
        guard FileManager.default.fileExists(atPath: Self.path(file)) else { return }
        var context = Self.context
        context.chips = nil
        #expect(throws: ServingFileError.self) {
            try ServingImporter.read(path: Self.path(file), tool: tool, context: context, toolVersion: "x")
        }
        do {
            _ = try ServingImporter.read(path: Self.path(file), tool: tool, context: context, toolVersion: "x")
        } catch {
            #expect(error.description.hasSuffix("field 'chips' is not in the file; pass --chips"))
        }
    }

    @Test func aiperfProfileExportConvertsExactly() throws {
        let name = "aiperf-profile_export_aiperf.json"
        let records = try ServingImporter.read(path: Self.path(name), tool: .aiperf, context: Self.context)
        let record = try #require(records.first)
        #expect(records.count == 1)
        let file = try Self.json(name)
        func metric(_ key: String, _ statistic: String = "avg") throws -> Double {
            try Self.number((file[key] as? [String: Any])?[statistic])
        }
        let m = record.metrics
        #expect(m.durationSeconds == (try metric("benchmark_duration")))
        #expect(Double(m.completed) == (try metric("completed_request_count")))
        #expect(m.failed == 0 && (file["error_summary"] as? [Any])?.isEmpty == true)
        #expect(m.requestsPerSecond == (try metric("request_throughput")))
        #expect(m.outputTokensPerSecond == (try metric("output_token_throughput")))
        #expect(m.totalTokensPerSecond == (try metric("total_token_throughput")))
        let pairs: [(String, ServingMeasurement.Latency?)] = [
            ("time_to_first_token", m.ttft), ("inter_token_latency", m.tpot), ("inter_chunk_latency", m.itl),
            ("request_latency", m.e2el),
        ]
        for (key, latency) in pairs {
            let latency = try #require(latency, "\(key)")
            #expect(latency.meanMilliseconds == (try metric(key)))
            #expect(latency.medianMilliseconds == (try metric(key, "p50")))
            #expect(latency.p90Milliseconds == (try metric(key, "p90")))
            #expect(latency.p99Milliseconds == (try metric(key, "p99")))
        }
        #expect(record.scenario.input.mean == (try metric("input_sequence_length")))
        #expect(record.scenario.input.min == Int(try metric("input_sequence_length", "min")))
        #expect(record.scenario.output.mean == (try metric("output_sequence_length")))
        #expect(record.scenario.output.max == Int(try metric("output_sequence_length", "max")))
        #expect(record.scenario.load.maxConcurrency == 8, "the profiling phase's concurrency")
        #expect(record.scenario.model == "llama-3.1-8b")
        #expect(record.provenance == "imported from aiperf 0.13.0 (profile_export_aiperf.json)")
        #expect(record.chip == "h20" && record.chips == 1 && record.engine.name == "simulator")
        // 2026-11-30T04:59:51.258816, no zone: UTC.
        #expect(abs(record.time.timeIntervalSince1970 - 1_796_014_791.258816) < 0.001)
    }

    @Test func guidellmBenchmarksConvertExactly() throws {
        let name = "guidellm-benchmarks.json"
        let records = try ServingImporter.read(path: Self.path(name), tool: .guidellm, context: Self.context)
        let file = try Self.json(name)
        let benchmarks = try #require(file["benchmarks"] as? [[String: Any]])
        #expect(records.count == benchmarks.count)
        let record = try #require(records.first)
        let benchmark = benchmarks[0]
        let metrics = try #require(benchmark["metrics"] as? [String: Any])
        func successful(_ key: String) throws -> [String: Any] {
            try #require((metrics[key] as? [String: Any])?["successful"] as? [String: Any])
        }
        func stat(_ key: String, _ statistic: String) throws -> Double {
            try Self.number(try successful(key)[statistic])
        }
        func percentile(_ key: String, _ p: String) throws -> Double {
            try Self.number((try successful(key)["percentiles"] as? [String: Any])?[p])
        }
        let totals = try #require(metrics["request_totals"] as? [String: Any])
        let m = record.metrics
        #expect(m.durationSeconds == (try Self.number(benchmark["duration"])))
        #expect(Double(m.completed) == (try Self.number(totals["successful"])))
        #expect(
            Double(m.failed) == (try Self.number(totals["errored"])) + (try Self.number(totals["incomplete"]))
        )
        #expect(m.requestsPerSecond == (try stat("requests_per_second", "mean")))
        #expect(m.outputTokensPerSecond == (try stat("output_tokens_per_second", "mean")))
        #expect(m.totalTokensPerSecond == (try stat("tokens_per_second", "mean")))
        for (key, latency, scale) in [
            ("time_to_first_token_ms", m.ttft, 1.0), ("inter_token_latency_ms", m.tpot, 1.0),
            ("request_latency", try #require(m.e2el), 1000.0),
        ] {
            #expect(latency.meanMilliseconds == (try stat(key, "mean")) * scale)
            #expect(latency.medianMilliseconds == (try stat(key, "median")) * scale)
            #expect(latency.p90Milliseconds == (try percentile(key, "p90")) * scale)
            #expect(latency.p99Milliseconds == (try percentile(key, "p99")) * scale)
        }
        #expect(m.itl == nil, "GuideLLM reports no per-gap inter-token latency")
        #expect(record.scenario.input.mean == (try stat("prompt_token_count", "mean")))
        #expect(record.scenario.output.mean == (try stat("output_token_count", "mean")))
        #expect(record.scenario.output.min == Int(try stat("output_token_count", "min")))
        #expect(record.scenario.load.maxConcurrency == 8)
        #expect(record.time == Date(timeIntervalSince1970: try Self.number(benchmark["start_time"])))
        #expect(record.provenance == "imported from guidellm 0.8.1 (benchmarks.json)")
    }

    /// MLPerf Inference v4.1, NVIDIA H200-SXM-141GBx8 (TensorRT-LLM), Llama 2 70B (99%), Server, run 1:
    /// mlcommons/inference_results_v4.1 at 198fc467, closed/NVIDIA/results/H200-SXM-141GBx8_TRT/llama2-70b-99/Server/
    /// performance/run_1/mlperf_log_summary.txt and mlperf_log_detail.txt. Expected values are the log's own lines.
    @Test func mlperfLogsConvertExactly() throws {
        let path = Self.path("mlperf-h200-llama2-70b-server/mlperf_log_summary.txt")
        var context = ServingFile.Context(
            chip: "h200-sxm",
            chips: 8,
            engine: "trt-llm",
            model: "llama-2-70b",
            weightPrecision: .fp8,
            tensorParallel: 1,
            dataParallel: 8,
            scenario: "mlperf-llama2-70b-server"
        )
        #expect(
            throws: ServingFileError.invalid(
                path: path,
                record: 1,
                field: "input tokens",
                reason: "is not in the file; pass --input-tokens"
            )
        ) {
            try ServingImporter.read(path: path, tool: .mlperf, context: context)
        }
        context.inputTokens = 294
        let record = try #require(try ServingImporter.read(path: path, tool: .mlperf, context: context).first)
        let m = record.metrics
        // "Completed samples per second    : 100.35", "Completed tokens per second: 29228.22".
        #expect(m.requestsPerSecond == 100.35 && m.outputTokensPerSecond == 29228.22)
        // result_query_count 245760 (detail log); duration = 245760 / 100.35 s.
        #expect(m.completed == 245_760 && m.failed == 0)
        #expect(m.durationSeconds == 245_760 / 100.35)
        #expect(m.totalTokensPerSecond == 29228.22 + 100.35 * 294)
        // "Mean First Token latency (ns) : 198269106", 50/90/99 percentiles 180758928, 309533241, 452744202.
        let ttftExpected = Self.milliseconds(nanoseconds: [198_269_106, 180_758_928, 309_533_241, 452_744_202])
        #expect(m.ttft == ttftExpected)
        // "Mean Time to Output Token (ns) : 123263268", percentiles 124285539, 133468231, 146040006.
        let tpotExpected = Self.milliseconds(nanoseconds: [123_263_268, 124_285_539, 133_468_231, 146_040_006])
        #expect(m.tpot == tpotExpected)
        // "Mean latency (ns) : 35854894885", percentiles 31107282906, 65052046419, 118861461715.
        let e2elExpected = Self.milliseconds(nanoseconds: [
            35_854_894_885, 31_107_282_906, 65_052_046_419, 118_861_461_715,
        ])
        #expect(m.e2el == e2elExpected)
        // "ttft_latency (ns): 2000000000", "tpot_latency (ns): 200000000", "target_qps : 101".
        #expect(record.scenario.limits == .init(ttftMilliseconds: 2000, tpotMilliseconds: 200))
        #expect(record.scenario.load.requestRate == 101)
        #expect(record.scenario.output.mean == 29228.22 / 100.35)
        #expect(record.scenario.input.mean == 294)
        // loadgen_version "4.1 @ c60103b05a", test_datetime "2024-07-16T23:25:31Z".
        #expect(record.provenance == "imported from mlperf loadgen 4.1 @ c60103b05a (mlperf_log_summary.txt, Server)")
        #expect(record.time == ServingFile.date("2024-07-16T23:25:31Z"))
        #expect(record.outputTokensPerSecondPerChip == 29228.22 / 8)
    }

    @Test func vllmBenchServeConvertsExactly() throws {
        let name = "vllm-bench-serve.json"
        #expect(
            throws: ServingFileError.invalid(
                path: Self.path(name),
                record: 1,
                field: "version",
                reason: "is not in the file; pass --tool-version"
            )
        ) {
            try ServingImporter.read(path: Self.path(name), tool: .vllm, context: Self.context)
        }
        let records = try ServingImporter.read(
            path: Self.path(name),
            tool: .vllm,
            context: Self.context,
            toolVersion: "0.33.0"
        )
        let record = try #require(records.first)
        #expect(records.count == 1)
        let file = try Self.json(name)
        // vLLM's keys are the ones Parity's bench-serve file shares, less the per-request length lists.
        let m = record.metrics
        #expect(m.durationSeconds == (try Self.number(file["duration"])))
        #expect(Double(m.completed) == (try Self.number(file["completed"])))
        #expect(Double(m.failed) == (try Self.number(file["failed"])))
        #expect(m.requestsPerSecond == (try Self.number(file["request_throughput"])))
        #expect(m.outputTokensPerSecond == (try Self.number(file["output_throughput"])))
        #expect(m.totalTokensPerSecond == (try Self.number(file["total_token_throughput"])))
        #expect(m.goodputRequestsPerSecond == nil && file["request_goodput"] is NSNull)
        #expect(Double(m.maxConcurrentRequests ?? -1) == (try Self.number(file["max_concurrent_requests"])))
        let latencies: [(String, ServingMeasurement.Latency?)] = [
            ("ttft", m.ttft), ("tpot", m.tpot), ("itl", m.itl), ("e2el", m.e2el),
        ]
        for (key, latency) in latencies {
            let latency = try #require(latency)
            #expect(latency.meanMilliseconds == (try Self.number(file["mean_\(key)_ms"])))
            #expect(latency.medianMilliseconds == (try Self.number(file["median_\(key)_ms"])))
            #expect(latency.p90Milliseconds == (try Self.number(file["p90_\(key)_ms"])))
            #expect(latency.p99Milliseconds == (try Self.number(file["p99_\(key)_ms"])))
        }
        // No length lists: the means are the totals over completed requests (5120 / 40, 640 / 40).
        #expect(record.scenario.input.mean == 128 && record.scenario.output.mean == 16)
        #expect(record.scenario.load == .init(requestRate: nil, maxConcurrency: 8, burstiness: 1))
        #expect(record.scenario.model == "llama-3.1-8b")
        #expect(record.time == ServingFile.date("20261130-051124"))
        #expect(record.provenance == "imported from vllm 0.33.0 (bench serve)")
    }

    @Test func sglangBenchServingConvertsExactly() throws {
        let name = "sglang-bench-serving.jsonl"
        var context = Self.context
        context.model = "llama-3.1-8b"
        #expect(
            throws: ServingFileError.invalid(
                path: Self.path(name),
                record: 1,
                field: "date",
                reason: "is not in the file; pass --measured-at"
            )
        ) {
            try ServingImporter.read(path: Self.path(name), tool: .sglang, context: context, toolVersion: "0.5.23")
        }
        // The run of the README's command started at 05:13:39 UTC (the file was written at 05:13:40).
        context.time = ServingFile.date("2026-11-30T05:13:39Z")
        let records = try ServingImporter.read(
            path: Self.path(name),
            tool: .sglang,
            context: context,
            toolVersion: "0.5.23"
        )
        let record = try #require(records.first)
        #expect(records.count == 1)
        let text = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
        // The file says `"request_rate": Infinity`, which is Python's, not JSON's.
        #expect(text.contains(#""request_rate": Infinity"#))
        let file = try #require(
            try JSONSerialization.jsonObject(with: ServingImporter.pythonJSON(Data(text.utf8))) as? [String: Any]
        )
        let m = record.metrics
        #expect(m.durationSeconds == (try Self.number(file["duration"])))
        #expect(Double(m.completed) == (try Self.number(file["completed"])))
        #expect(m.requestsPerSecond == (try Self.number(file["request_throughput"])))
        #expect(m.outputTokensPerSecond == (try Self.number(file["output_throughput"])))
        #expect(m.totalTokensPerSecond == (try Self.number(file["total_throughput"])))
        #expect(Double(m.maxConcurrentRequests ?? -1) == (try Self.number(file["max_concurrent_requests"])))
        let latencies: [(String, ServingMeasurement.Latency?)] = [
            ("ttft", m.ttft), ("tpot", m.tpot), ("itl", m.itl), ("e2e_latency", m.e2el),
        ]
        for (key, latency) in latencies {
            let latency = try #require(latency)
            #expect(latency.meanMilliseconds == (try Self.number(file["mean_\(key)_ms"])))
            #expect(latency.medianMilliseconds == (try Self.number(file["median_\(key)_ms"])))
            #expect(latency.p90Milliseconds == (try Self.number(file["p90_\(key)_ms"])))
            #expect(latency.p99Milliseconds == (try Self.number(file["p99_\(key)_ms"])))
        }
        // 5120 input and 640 output tokens over 40 completed requests.
        #expect(record.scenario.input.mean == 128 && record.scenario.output.mean == 16)
        #expect(record.scenario.load == .init(requestRate: nil, maxConcurrency: 8))
        #expect(record.scenario.dataset == "random-ids")
        #expect(record.provenance == "imported from sglang 0.5.23 (bench_serving)")
    }
}
