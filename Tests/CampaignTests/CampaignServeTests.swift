import Catalogue
import Foundation
import LoadGen
import Measure
import ParityTesting
import Simulator
import Store
import Testing

@testable import Campaign

/// Campaign serve tasks run the serving benchmark in this process (no `parity` subprocess) against the simulator:
/// the document and typed rows are stored as `parity bench serve` wrote them, a trace replay keeps the trace's
/// clock, multi-turn suites send histories, and the plan's time limit cancels a run that goes on too long.
@Suite(.serialized) struct CampaignServeTests {
    /// A simulator in this process on a free port; cancel the task to stop it.
    static func simulator(
        _ configuration: SimulatorConfiguration
    ) async throws -> (url: String, task: Task<Void, any Error>) {
        let server = SimulatorServer(configuration: configuration)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run(port: 0) { port in continuation.yield(port) } }
        for await port in stream { return ("http://127.0.0.1:\(port)", task) }
        throw CancellationError()
    }

    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parity-campaign-serve-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func plan(_ folder: URL, suite: String, limits: String = "") throws -> CampaignPlan {
        let text = """
            schema: parity.campaign/1
            name: serve-run
            organisation: example
            country: CN
            date: 2025-09-01
            hosts:
              - {name: node, chip: h20, count: 1}
            suites:
              - \(suite)
            results: {directory: \(folder.path)}
            \(limits)
            """
        let file = folder.appendingPathComponent("plan.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return try CampaignPlan.load(path: file.path)
    }

    static let trace = [
        #"{"timestamp": 5000, "input_length": 64, "output_length": 3, "hash_ids": [1]}"#,
        #"{"timestamp": 5400, "input_length": 80, "output_length": 2, "hash_ids": [1]}"#,
        #"{"timestamp": 5600, "input_length": 16, "output_length": 4, "hash_ids": []}"#,
        #"{"timestamp": 6400, "input_length": 32, "output_length": 2, "hash_ids": [2]}"#,
    ]

    /// A serve suite naming a Mooncake trace at time scale 0.5: every request starts at its trace time × 0.5
    /// (0, 0.2, 0.3, 0.7 s by hand, where the unscaled trace says 0, 0.4, 0.6, 1.4 s) and is sent within 50 ms of
    /// it (this suite runs beside the others); the document and the typed row are stored.
    @Test(arguments: StoreKind.available)
    func traceReplaySuiteKeepsTheTracesClock(kind: StoreKind) async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Self.trace.joined(separator: "\n").write(
            to: folder.appendingPathComponent("trace.jsonl"),
            atomically: true,
            encoding: .utf8
        )
        let (url, server) = try await Self.simulator(
            SimulatorConfiguration(timing: .fixed(ttft: 0.004, tpot: 0.002), servedModel: "llama-3.1-8b")
        )
        defer { server.cancel() }
        let plan = try Self.plan(
            folder,
            suite: "{name: chat, kind: serve, base-url: \"\(url)\", num-prompts: 4, trace: trace.jsonl, "
                + "trace-time-scale: 0.5, chips: 1, engine: simulator, weight-precision: bf16}"
        )
        let serve = try #require(plan.suites.first?.serve)
        #expect(serve.trace == folder.appendingPathComponent("trace.jsonl").standardizedFileURL.path)
        try await StoreFixture.withStore(kind) { store in
            _ = try await store.registerCampaign(
                StoredCampaign(name: plan.name, plan: "…", overrideReason: nil, createdAt: Date())
            )
            let completion = try await TaskRunner(plan: plan).run(0, store: store)
            #expect(completion != nil && completion != .alreadyDone)
            let documents = try await store.campaignDocuments(campaign: plan.name)
            let document = try #require(documents.values.first)
            #expect(document == (try Data(contentsOf: CampaignLayout(plan: plan).servingFile(plan.tasks[0]))))
            let result = try JSONDecoder().decode(JSONValue.self, from: document)
            #expect(result["completed"]?.double == 4)
            guard case .array(let starts)? = result["start_times"], case .array(let queues)? = result["queue_times"]
            else {
                Issue.record("no start_times/queue_times in \(String(decoding: document, as: UTF8.self))")
                return
            }
            let expected = [0, 0.2, 0.3, 0.7]
            #expect(starts.count == 4)
            for (start, arrival) in zip(starts, expected) {
                #expect(abs((start.double ?? -1) - arrival) < 1e-6, "scheduled \(start), trace \(arrival)")
            }
            #expect(queues.allSatisfy { ($0.double ?? 1) < 0.05 }, "sent late: \(queues)")
            #expect(result["parity"]?["dataset"] == .string("mooncake(\(serve.trace ?? ""), time_scale=0.5)"))
            #expect(result["parity"]?["scenario"] == .string("serve-run.chat"))
            let rows = try await store.servingResults(ServingResultFilter(campaign: plan.name))
            #expect(rows.count == 1 && rows.first?.measurement.chip == "h20")
        }
    }

    /// A multi-turn suite: conversations from a ShareGPT file, each later turn carrying the earlier ones.
    @Test func multiTurnSuiteSendsHistories() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        [{"conversations": [{"from": "human", "value": "First question"}, {"from": "gpt", "value": "First answer"},
                            {"from": "human", "value": "Second question"}, {"from": "gpt", "value": "Second answer"}]}]
        """.write(to: folder.appendingPathComponent("chats.json"), atomically: true, encoding: .utf8)
        let log = SimulatorRequestLog()
        let (url, server) = try await Self.simulator(
            SimulatorConfiguration(timing: .fixed(ttft: 0.002, tpot: 0.001), servedModel: "sim", requestLog: log)
        )
        defer { server.cancel() }
        let plan = try Self.plan(
            folder,
            suite: "{name: chat, kind: serve, base-url: \"\(url)\", num-prompts: 2, output-len: 3, "
                + "conversations: chats.json, think-time: 0.05, max-concurrency: 2}"
        )
        _ = try await TaskRunner(plan: plan).run(0, store: nil)
        let bodies = log.all.map(\.body)
        #expect(bodies.count == 4)
        let answer = try #require(log.all.first { !$0.body.contains("Second question") }?.answer)
        let second = try #require(bodies.first { $0.contains("Second question") })
        #expect(second.contains("First question") && second.contains("Assistant: \(answer)"))
    }

    /// Past the plan's time limit the benchmark is cancelled, its requests closed, and the task fails saying so.
    @Test func theTimeLimitCancelsARunningBenchmark() async throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let (url, server) = try await Self.simulator(
            SimulatorConfiguration(timing: .fixed(ttft: 0.01, tpot: 0.05), servedModel: "sim")
        )
        defer { server.cancel() }
        let plan = try Self.plan(
            folder,
            suite: "{name: slow, kind: serve, base-url: \"\(url)\", num-prompts: 1000, input-len: 8, output-len: 200, "
                + "max-concurrency: 2}",
            limits: "limits: {time: 1s}"
        )
        let began = ContinuousClock.now
        await #expect(throws: CampaignError.self) { try await TaskRunner(plan: plan).run(0, store: nil) }
        #expect(ContinuousClock.now - began < .seconds(5), "the run stopped at its limit")
        let marker = try String(contentsOf: CampaignLayout(plan: plan).marker(0), encoding: .utf8)
        #expect(marker.contains("over the time limit"))
    }

    @Test func serveWorkloadFieldsAreValidated() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "[]".write(to: folder.appendingPathComponent("chats.json"), atomically: true, encoding: .utf8)
        try Self.trace[0].write(to: folder.appendingPathComponent("t.jsonl"), atomically: true, encoding: .utf8)
        let base = "{name: s, kind: serve, base-url: \"http://127.0.0.1:9\""
        func message(_ fields: String) -> String? {
            do {
                _ = try Self.plan(folder, suite: base + ", " + fields + "}")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(message("trace: t.jsonl, trace-time-scale: 0.25") == nil)
        #expect(message("conversations: chats.json, think-time: 1.5, max-turns: 3") == nil)
        #expect(message("trace: missing.jsonl")?.contains("does not exist") == true)
        #expect(message("trace: t.jsonl, conversations: chats.json")?.contains("do not go together") == true)
        #expect(message("trace: t.jsonl, trace-time-scale: 0")?.contains("must be positive") == true)
        #expect(message("trace-time-scale: 2")?.contains("needs a trace") == true)
        #expect(message("think-time: 2")?.contains("need conversations") == true)
        #expect(message("conversations: chats.json, think-time: -1")?.contains("0 or more") == true)
        let plan = try Self.plan(folder, suite: base + ", conversations: chats.json, think-time: 1.5, max-turns: 3}")
        let serve = try #require(plan.suites.first?.serve)
        #expect(
            serve.arguments.suffix(7) == [
                "--dataset-path", folder.appendingPathComponent("chats.json").standardizedFileURL.path, "--multi-turn",
                "--think-time", "1.5s", "--max-turns", "3",
            ]
        )
        let configuration = try TaskRunner.serveConfiguration(serve, chip: "h20", scenario: "x", resultFile: nil)
        #expect(
            configuration.workload
                == .conversations(
                    path: serve.conversations ?? "",
                    outputTokens: 128,
                    thinkTime: .milliseconds(1500),
                    maxTurns: 3
                )
        )
    }
}
