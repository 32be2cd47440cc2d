import Catalogue
import Foundation
import PerfModel
import Simulator
import Testing

@testable import LoadGen

/// The telemetry readers on real output of each tool (Tests/Fixtures/telemetry/README.md cites every sample), the
/// energy integral, the client's CPU accounting, and the recorder end to end against the simulator's `/metrics`
/// and against tools found on a given PATH.
@Suite(.serialized) struct TelemetryTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/telemetry")

    func fixture(_ name: String) throws -> String {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
    }

    // MARK: Prometheus

    @Test func vLLMMetricsMapOntoTheCommonSeries() throws {
        let text = try fixture("metrics-vllm-production-stack-318.txt")
        let (samples, types) = try PrometheusText.parse(text)
        #expect(samples.count == 7)
        #expect(types["vllm:num_requests_running"] == "gauge")
        #expect(types["process_cpu_seconds_total"] == "counter")
        #expect(samples.first { $0.name == "process_max_fds" }?.value == 1_048_576)
        #expect(samples.first { $0.name == "process_cpu_seconds_total" }?.value == 439.71999999999997)
        let running = try #require(samples.first { $0.name == "vllm:num_requests_running" })
        #expect(running.labels == ["model_name": "Qwen/Qwen2.5-Coder-32B-Instruct"])
        #expect(ServerMetricNames.family(samples) == "vllm")
        let snapshot = try ServerSnapshot.parse(text, time: 2)
        // V0's name for KV-cache use is read too.
        #expect(snapshot.common == ["kv_cache_usage": 0, "running": 0, "waiting": 0])
        // Raw: the engine's own series only (process_* is the Python client library's).
        #expect(
            snapshot.raw.keys.sorted() == [
                "vllm:gpu_cache_usage_perc{model_name=\"Qwen/Qwen2.5-Coder-32B-Instruct\"}",
                "vllm:num_requests_running{model_name=\"Qwen/Qwen2.5-Coder-32B-Instruct\"}",
                "vllm:num_requests_waiting{model_name=\"Qwen/Qwen2.5-Coder-32B-Instruct\"}",
            ]
        )
    }

    @Test func sglangMetricsMapOntoTheCommonSeries() throws {
        let text = try fixture("metrics-sglang-13485.txt")
        let (samples, _) = try PrometheusText.parse(text)
        #expect(samples.count == 4)
        #expect(ServerMetricNames.family(samples) == "sglang")
        let snapshot = try ServerSnapshot.parse(text, time: 0)
        #expect(snapshot.common["running"] == 1)
        #expect(snapshot.common["kv_cache_usage"] == 0)
        #expect(snapshot.common["waiting"] == nil, "the excerpt ends before num_queue_reqs")
        let key = "sglang:gen_throughput{engine_type=\"unified\",model_name=\"Qwen-32B\",pp_rank=\"0\",tp_rank=\"0\"}"
        #expect(snapshot.raw[key] == 0.8371284457403783)
    }

    @Test func expositionFormatDetails() throws {
        let text = """
            # HELP x A "quoted" help line.
            # TYPE lat histogram
            lat_bucket{le="0.1"} 3
            lat_bucket{le="+Inf"} 5 1700000000000
            lat_sum 0.42
            lat_count 5
            odd:name{path="a\\\\b",quote="say \\"hi\\"",nl="x\\ny"} +Inf
            sglang:num_running_reqs{tp_rank="0",dp_rank="0"} 3
            sglang:num_running_reqs{tp_rank="1",dp_rank="0"} 3
            sglang:num_running_reqs{tp_rank="0",dp_rank="1"} 4
            sglang:token_usage{tp_rank="0",dp_rank="0"} 0.25
            sglang:token_usage{tp_rank="0",dp_rank="1"} 0.5
            vllm:num_preemptions_total NaN

            """
        let (samples, types) = try PrometheusText.parse(text)
        #expect(types["lat"] == "histogram")
        #expect(samples.count == 11)
        #expect(
            samples[1].value == 5 && samples[1].labels["le"] == "+Inf",
            "the timestamp after the value is not the value"
        )
        let odd = samples[4]
        #expect(odd.labels == ["path": "a\\b", "quote": "say \"hi\"", "nl": "x\ny"])
        #expect(odd.value == .infinity)
        #expect(samples.last?.value.isNaN == true)
        // Tensor-parallel rank 1 repeats rank 0 and is skipped; data-parallel ranks add up; KV use is the fullest.
        let common = ServerMetricNames.commonValues(samples)
        #expect(common["running"] == 7)
        #expect(common["kv_cache_usage"] == 0.5)
        let snapshot = try ServerSnapshot.parse(text, time: 0)
        #expect(!snapshot.raw.keys.contains { $0.hasPrefix("lat") }, "no colon: not an engine's series")
        #expect(snapshot.raw.keys.contains { $0.hasPrefix("odd:name") })
    }

    @Test func malformedMetricsNameTheLine() {
        #expect(throws: PrometheusParseError(line: 2, reason: "x has value \"abc\", not a number")) {
            try PrometheusText.parse("ok 1\nx abc\n")
        }
        #expect(throws: PrometheusParseError(line: 1, reason: "labels of y not closed with }")) {
            try PrometheusText.parse("y{a=\"1\"")
        }
    }

    // MARK: Power tools, on their real output

    @Test func nvidiaSMIRealOutput() throws {
        let looped = NvidiaSMI.parse(try fixture("nvidia-smi-ksysguard-gpu-27.csv"))
        #expect(looped.count == 13)
        #expect(Set(looped.map(\.device)) == ["0"])
        #expect(looped.first?.watts == 83.92)
        #expect(looped.last?.watts == 83.43)
        #expect(abs(looped.map(\.watts).reduce(0, +) - 1049.32) < 1e-9)
        let two = NvidiaSMI.parse(try fixture("nvidia-smi-bpytop-26.csv"))
        #expect(two == [PowerReading(device: "0", watts: 106.56), PowerReading(device: "1", watts: 5.68)])
        // The form Parity asks for (noheader, nounits: the same columns without the header line and units), and
        // a GPU without a power sensor.
        #expect(
            NvidiaSMI.parse("0, 83.92\n1, [N/A]\n2, 77.00\n")
                == [PowerReading(device: "0", watts: 83.92), PowerReading(device: "2", watts: 77)]
        )
        #expect(
            NvidiaSMI.arguments(intervalMilliseconds: 200) == [
                "--query-gpu=index,power.draw", "--format=csv,noheader,nounits", "-lms", "200",
            ]
        )
    }

    @Test func amdSMIRealOutput() throws {
        #expect(
            AMDSMI.parse(try fixture("amd-smi-metric-powerjoular-67.txt")) == [PowerReading(device: "0", watts: 20)]
        )
        // The JSON form, as AMD's changelog prints it: `socket_power` in W; the voltages in mV are not power.
        let json = try fixture("amd-smi-metric-p-json-amdsmi-changelog-6.1.0.json")
        #expect(AMDSMI.parseJSON(json) == [PowerReading(device: "0", watts: 10)])
        #expect(AMDSMI.parse(json) == [PowerReading(device: "0", watts: 10)])
        // The same document under the `gpu_data` key of later releases, and after a warning line.
        #expect(AMDSMI.parse("{\"gpu_data\": \(json)}") == [PowerReading(device: "0", watts: 10)])
        #expect(AMDSMI.parse("WARNING: User is missing the following required groups: render\n" + json).count == 1)
        // The text form is not mistaken for JSON.
        #expect(AMDSMI.parseJSON(try fixture("amd-smi-metric-powerjoular-67.txt")) == nil)
        #expect(AMDSMI.arguments(intervalMilliseconds: 200) == ["metric", "--power", "--json"])
    }

    @Test func cnmonRealOutput() throws {
        let cards = CNMon.parse(try fixture("cnmon-paddlenlp-mlu-llama-8-cards-5.10.31.txt"))
        #expect(cards.map(\.device) == ["0", "1", "2", "3", "4", "5", "6", "7"])
        #expect(cards.map(\.watts) == [105, 100, 100, 109, 107, 105, 102, 105])
        #expect(CNMon.arguments(intervalMilliseconds: 200) == [])
    }

    @Test func npuSMIRealOutput() throws {
        let atlas = NPUSMI.parse(try fixture("npu-smi-gpustack-atlas-800-9010-24.1.RC2.txt"))
        #expect(atlas.map(\.device) == ["0", "1", "2", "3", "4", "5", "6", "7"])
        #expect(atlas.map(\.watts) == [70.5, 71.2, 69.0, 206.9, 70.2, 64.9, 69.4, 203.2])
        let b4 = NPUSMI.parse(try fixture("npu-smi-hami-webui-47.txt"))
        #expect(b4 == [PowerReading(device: "0", watts: 91.3), PowerReading(device: "1", watts: 88.1)])
        // Two chips per NPU: the second prints "-" and the board's reading is the first chip's.
        let duo = NPUSMI.parse(try fixture("npu-smi-vllm-ascend-2534.txt"))
        #expect(duo == [PowerReading(device: "0", watts: 178.5), PowerReading(device: "1", watts: 186.3)])
    }

    @Test func automaticChoiceTakesTheFirstToolOnPath() throws {
        #expect(PowerTool.automatic == [.nvidiaSMI, .amdSMI, .npuSMI, .cnmon])
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(PowerTool.detect(path: dir.path) == nil)
        try writeTool(dir, "cnmon", "echo")
        #expect(PowerTool.detect(path: dir.path)?.0 == .cnmon)
        try writeTool(dir, "npu-smi", "echo")
        #expect(PowerTool.detect(path: dir.path)?.0 == .npuSMI)
        try writeTool(dir, "nvidia-smi", "echo")
        #expect(PowerTool.detect(path: dir.path)?.0 == .nvidiaSMI)
    }

    // MARK: Energy

    @Test func energyIsThePowerIntegral() {
        var telemetry = Telemetry()
        telemetry.power = [
            PowerSample(time: 0, readings: [.init(device: "0", watts: 100), .init(device: "1", watts: 50)]),
            PowerSample(time: 10, readings: [.init(device: "0", watts: 300), .init(device: "1", watts: 50)]),
        ]
        // Device 0 ramps 100 → 300 W over 10 s (2,000 J); device 1 holds 50 W (500 J).
        #expect(telemetry.energy(from: 0, to: 10) == 2500)
        // A window inside: 2..4 s of the ramp is 140..180 W (320 J) plus 100 J.
        #expect(abs((telemetry.energy(from: 2, to: 4) ?? 0) - 420) < 1e-9)
        // Beyond the samples the last reading holds.
        #expect(telemetry.energy(from: 10, to: 12) == 700)
        let json = telemetry.json(requests: 10, window: (0, 10, 5000, "test"))
        let energy = json["power"]?["energy"]
        #expect(energy?["joules"]?.double == 2500)
        #expect(energy?["joules_per_output_token"]?.double == 0.5)
        #expect(energy?["output_tokens_per_joule"]?.double == 2)
        #expect(Telemetry().energy(from: 0, to: 1) == nil)
    }

    @Test func clientCPUCountsThisProcess() {
        let before = ClientCPU.now()
        let clock = ContinuousClock.now
        var x = 0.0
        while ContinuousClock.now - clock < .milliseconds(300) { x += sin(x + 1) }
        let used = ClientCPU.now() - before
        #expect(x != 0.5)
        #expect(used.total > 0.15, "busy 0.3 s but \(used.total) s of CPU counted")
        #expect(used.user > 0)
    }

    // MARK: The recorder end to end

    @Test func scrapesTheSimulatorDuringARun() async throws {
        let simulator = try await RunningSimulator.start(
            SimulatorConfiguration(timing: .fixed(ttft: 0.05, tpot: 0.01), servedModel: "sim")
        )
        let recorder = try TelemetryRecorder.start(
            TelemetryConfig(metricsURL: simulator.baseURL + "/metrics", scrapeInterval: 0.05, power: .off)
        )
        let client = BenchmarkRunner.makeClient(connections: 16)
        let runner = BenchmarkRunner(
            target: Target(baseURL: simulator.baseURL, endpoint: .completions, model: "sim", timeout: .seconds(30)),
            shape: LoadShape(requestRate: .infinity, maxConcurrency: 16)
        )
        let outcome = await runner.run(
            try Dataset.fixed(input: 16, output: 30).requests(count: 64, seed: 1),
            client: client
        )
        try await client.shutdown()
        let telemetry = await recorder.stop(runDuration: outcome.duration)
        await simulator.stop()
        #expect(outcome.records.allSatisfy { $0.success })
        #expect(telemetry.serverFamily == "vllm")
        #expect(telemetry.scrapeErrors.isEmpty, "\(telemetry.scrapeErrors)")
        // 64 streams of ~0.35 s, 16 at a time: about 1.4 s, scraped every 50 ms.
        #expect(telemetry.server.count >= 10, "\(telemetry.server.count) scrapes")
        let running = telemetry.server.compactMap { $0.common["running"] }
        #expect(running.max() ?? 0 >= 8 && running.max() ?? 0 <= 16, "running peaked at \(running.max() ?? -1)")
        #expect(running.last == 0, "the last scrape is after the run")
        #expect(telemetry.server.allSatisfy { $0.common["preemptions"] == 0 && $0.common["waiting"] == 0 })
        #expect(telemetry.clientCPU.total > 0)
        let json = telemetry.json(requests: 64, window: nil)
        #expect(json["server_metrics"]?["peaks"]?["running"]?.double == running.max())
        #expect((json["client_cpu"]?["per_request_ms"]?.double ?? 0) > 0)
    }

    @Test func modelledSimulatorReportsKVCacheUse() async throws {
        let model = try PerformanceModel(
            Deployment(
                chip: try ChipCatalogue.load().chip("h20"),
                model: try ModelCatalogue.load().model("llama-3.1-8b")
            )
        )
        let server = SimulatorServer(configuration: SimulatorConfiguration(timing: .model(model), servedModel: "m"))
        let before = try ServerSnapshot.parse(server.metrics.text(model: "m"), time: 0)
        #expect(before.common["running"] == 0)
        #expect(before.common["kv_cache_usage"] == nil, "no engine pass yet")
        let simulator = try await RunningSimulator.start(
            SimulatorConfiguration(timing: .model(model), servedModel: "m")
        )
        let recorder = try TelemetryRecorder.start(
            TelemetryConfig(metricsURL: simulator.baseURL + "/metrics", scrapeInterval: 0.02, power: .off)
        )
        let client = BenchmarkRunner.makeClient(connections: 32)
        let runner = BenchmarkRunner(
            target: Target(baseURL: simulator.baseURL, endpoint: .completions, model: "m", timeout: .seconds(30)),
            shape: LoadShape(requestRate: .infinity, maxConcurrency: 32)
        )
        _ = await runner.run(try Dataset.fixed(input: 512, output: 64).requests(count: 64, seed: 1), client: client)
        try await client.shutdown()
        let telemetry = await recorder.stop()
        await simulator.stop()
        let usage = telemetry.server.compactMap { $0.common["kv_cache_usage"] }
        let running = telemetry.server.compactMap { $0.common["running"] }
        let capacity = model.maxBatch(contextTokens: 576)
        #expect((running.max() ?? 0) > 1)
        // KV use is the running batch over the most the cache admits at that context.
        #expect(abs((usage.max() ?? 0) - min(1, (running.max() ?? 0) / Double(capacity))) < 1e-9)
    }

    @Test func powerToolsOnPathAreSampledDuringARun() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Stand-ins that print the real samples: nvidia-smi keeps printing (as with -lms), npu-smi and cnmon one
        // table a run.
        try writeTool(
            dir,
            "nvidia-smi",
            "while true; do cat '\(Self.fixtures.appendingPathComponent("nvidia-smi-bpytop-26.csv").path)'; sleep 0.02; done"
        )
        try writeTool(
            dir,
            "npu-smi",
            "cat '\(Self.fixtures.appendingPathComponent("npu-smi-gpustack-atlas-800-9010-24.1.RC2.txt").path)'"
        )
        try writeTool(
            dir,
            "cnmon",
            "cat '\(Self.fixtures.appendingPathComponent("cnmon-paddlenlp-mlu-llama-8-cards-5.10.31.txt").path)'"
        )
        let runs: [(TelemetryConfig.Power, PowerTool, Double)] = [
            (.auto, .nvidiaSMI, 112.24), (.tool(.npuSMI), .npuSMI, 825.3), (.tool(.cnmon), .cnmon, 833),
        ]
        for (choice, tool, total) in runs {
            let recorder = try TelemetryRecorder.start(
                TelemetryConfig(power: choice, powerInterval: 0.05, path: dir.path)
            )
            try await Task.sleep(for: .milliseconds(500))
            let telemetry = await recorder.stop()
            #expect(telemetry.powerTool == tool)
            #expect(telemetry.power.count >= 4, "\(telemetry.power.count) samples")
            #expect(telemetry.power.allSatisfy { abs($0.totalWatts - total) < 1e-9 })
            #expect(zip(telemetry.power, telemetry.power.dropFirst()).allSatisfy { $0.time <= $1.time })
            let joules = try #require(telemetry.energy(from: 0, to: 0.5))
            #expect(abs(joules - total * 0.5) < 1e-6)
        }
        #expect(throws: LoadClientError.self) {
            try TelemetryRecorder.start(TelemetryConfig(power: .tool(.amdSMI), path: dir.path))
        }
        let none = try TelemetryRecorder.start(TelemetryConfig(power: .auto, path: "/nonexistent"))
        let empty = await none.stop()
        #expect(empty.powerTool == nil)
        #expect(empty.powerNotes.first?.hasPrefix("no power tool on PATH") == true)
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parity-telemetry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func writeTool(_ dir: URL, _ name: String, _ script: String) throws {
        let url = dir.appendingPathComponent(name)
        try ("#!/bin/sh\n" + script + "\n").write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
    }
}
