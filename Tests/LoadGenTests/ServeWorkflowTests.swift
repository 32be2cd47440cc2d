import Catalogue
import Foundation
import Measure
import Simulator
import Testing

@testable import LoadGen

/// The serving-benchmark workflow as a library call (what `parity bench serve` and campaign serve tasks run),
/// multi-turn conversations and the SLO search, against the simulator in this process. Nested in SimulatorTests,
/// whose `.serialized` applies to it too: the two suites' timing-sensitive runs never share the CPU.
extension SimulatorTests {
    @Suite struct ServeWorkflowTests {
        static func temporary(_ name: String) -> URL {
            FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString)-\(name)")
        }

        /// Two runs of one load: events in order, the file holds exactly the returned bytes, the statistics over the
        /// runs and the typed record are in the result.
        @Test func runsAreReportedWrittenAndTyped() async throws {
            let simulator = try await RunningSimulator.start(
                SimulatorConfiguration(timing: .fixed(ttft: 0.004, tpot: 0.002), servedModel: "sim")
            )
            let file = Self.temporary("result.json")
            defer { try? FileManager.default.removeItem(at: file) }
            let events = EventLog()
            let observer = CountingObserver()
            let report = try await ServeBenchmark.run(
                ServeConfiguration(
                    baseURL: simulator.baseURL,
                    workload: .fixed(input: 16, output: 4),
                    numPrompts: 12,
                    load: LoadShape(maxConcurrency: 3),
                    numRuns: 2,
                    slice: 0.05,
                    chip: "h20",
                    scenario: "workflow-test",
                    typedRecord: ServingFile.Context(
                        chip: "h20",
                        chips: 1,
                        engine: "simulator",
                        weightPrecision: .bf16,
                        scenario: "workflow-test"
                    ),
                    output: .file(file.path),
                    observers: [observer]
                ),
                events: { events.append($0) }
            )
            await simulator.stop()
            #expect(report.model == "sim")
            #expect(!report.interrupted)
            #expect(try Data(contentsOf: file) == report.data)
            #expect(report.resultPath == file.path)
            #expect(events.kinds.filter { $0 != "requests" } == ["start", "finish", "start", "finish", "point"])
            let runs = try #require(report.points.first?.runs)
            #expect(runs.count == 2 && runs.allSatisfy { $0.metrics.completed == 12 && $0.metrics.failed == 0 })
            let decoded = try JSONDecoder().decode(JSONValue.self, from: report.data)
            #expect(decoded["completed"]?.double == 12)
            let parity = try #require(decoded["parity"])
            #expect(parity["num_runs"]?["aggregate"]?["runs"]?.double == 2)
            #expect(parity["slices"] != nil && parity["steady_state"] != nil)
            #expect(parity["measurement"]?["chip"] == .string("h20"))
            #expect(parity["warmup_requests"]?.double == 3, "the default warm-up is the concurrency")
            // The observer heard both runs start and end, and each run's result carries what it returned.
            #expect(await observer.calls == ["start 0.1", "end 12", "start 0.2", "end 12"])
            guard case .array(let each)? = parity["num_runs"]?["runs"] else {
                Issue.record("no runs in parity.num_runs")
                return
            }
            #expect(each.map { $0["parity"]?["observed"]?.double } == [12, 12])
        }

        /// The vLLM-style file name: rate as written, concurrency, the model's last path part, the UTC time.
        @Test func vLLMNamedResultFiles() {
            var configuration = ServeConfiguration(baseURL: "http://127.0.0.1:1", load: LoadShape(maxConcurrency: 8))
            configuration.output = .vLLMNamed(directory: "/tmp/out", filename: nil, rateLabel: "inf")
            let path = ServeBenchmark.resultPath(
                configuration,
                model: "meta/llama",
                now: Date(timeIntervalSince1970: 1_800_000_000)
            )
            #expect(path == "/tmp/out/parity-infqps-concurrency8-llama-20270115-080000.json")
            configuration.output = .vLLMNamed(directory: nil, filename: "r.json", rateLabel: "4")
            #expect(ServeBenchmark.resultPath(configuration, model: "m") == "r.json")
        }

        @Test func unusableConfigurationsAreRefusedWithTheReason() async {
            var configuration = ServeConfiguration(baseURL: "http://127.0.0.1:1", numPrompts: 0)
            #expect(configuration.problem == "the number of prompts must be at least 1")
            configuration.numPrompts = 1
            configuration.workload = .trace(path: "/nonexistent/trace.jsonl", timeScale: 1)
            await #expect(throws: DatasetError.self) { try await ServeBenchmark.run(configuration) }
        }

        /// Cancelling the calling task stops the run and returns what finished, marked interrupted.
        @Test func cancellingTheWorkflowKeepsFinishedRequests() async throws {
            let simulator = try await RunningSimulator.start(
                SimulatorConfiguration(timing: .fixed(ttft: 0.01, tpot: 0.01), servedModel: "sim")
            )
            let (done, progress) = AsyncStream<Int>.makeStream()
            let task = Task {
                try await ServeBenchmark.run(
                    ServeConfiguration(
                        baseURL: simulator.baseURL,
                        workload: .fixed(input: 4, output: 2),
                        numPrompts: 1000,
                        load: LoadShape(requestRate: 20),
                        numRuns: 3
                    )
                ) { event in
                    if case .requests(let snapshot) = event { progress.yield(snapshot.done) }
                }
            }
            // Cancelled once a few requests have finished (progress comes five times a second).
            for await count in done where count >= 3 { break }
            task.cancel()
            let report = try await task.value
            progress.finish()
            await simulator.stop()
            #expect(report.interrupted)
            let runs = report.points.flatMap(\.runs)
            #expect(runs.count == 1, "the later runs do not start")
            let records = try #require(runs.first?.outcome.records)
            #expect(records.count >= 3 && records.count < 1000)
            #expect(records.allSatisfy { $0.success })
        }

        // MARK: - Multi-turn

        static let shareGPT = """
            [
              {"id": "a", "conversations": [
                {"from": "human", "value": "Name a colour."},
                {"from": "gpt", "value": "Blue, like the sky on a clear day."},
                {"from": "human", "value": "And a \\"second\\" one?"},
                {"from": "gpt", "value": "Green."},
                {"from": "human", "value": "Which is darker?"},
                {"from": "gpt", "value": "Usually green."}
              ]},
              {"id": "b", "conversations": [
                {"from": "system", "value": "Be brief."},
                {"from": "human", "value": "Two plus two?"},
                {"from": "gpt", "value": "Four."},
                {"from": "human", "value": "Times three?"},
                {"from": "gpt", "value": "Twelve."}
              ]},
              {"id": "c", "conversations": [{"from": "gpt", "value": "No human turn."}]}
            ]
            """

        @Test func conversationsKeepTheirHumanTurnsInOrder() throws {
            let file = Self.temporary("sharegpt.json")
            try Self.shareGPT.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let all = try Conversation.load(path: file.path, count: 2, seed: 0)
            let byFirst = Dictionary(uniqueKeysWithValues: all.map { ($0.turns[0].user, $0) })
            #expect(
                byFirst["Name a colour."]?.turns.map(\.user) == [
                    "Name a colour.", "And a \"second\" one?", "Which is darker?",
                ]
            )
            // Output lengths from the replies: characters ÷ 4.
            #expect(byFirst["Name a colour."]?.turns.map(\.outputTokens) == [8, 1, 3])
            #expect(byFirst["Two plus two?"]?.turns.map(\.user) == ["Two plus two?", "Times three?"])
            let capped = try Conversation.load(path: file.path, count: 4, seed: 0, outputTokens: 5, maxTurns: 1)
            #expect(capped.count == 4 && capped.allSatisfy { $0.turns.count == 1 && $0.turns[0].outputTokens == 5 })
        }

        /// Each turn after the first carries the conversation's earlier turns: the user's text and the assistant text
        /// the server actually streamed (checked against what the simulator recorded it sent), after the think time.
        @Test(arguments: [Endpoint.chat, .completions])
        func laterTurnsCarryTheHistoryAsReceived(endpoint: Endpoint) async throws {
            let file = Self.temporary("sharegpt.json")
            try Self.shareGPT.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            let log = SimulatorRequestLog()
            let simulator = try await RunningSimulator.start(
                SimulatorConfiguration(
                    timing: .fixed(ttft: 0.003, tpot: 0.001),
                    servedModel: "sim",
                    seed: 5,
                    requestLog: log
                )
            )
            let think = Duration.milliseconds(80)
            let report = try await ServeBenchmark.run(
                ServeConfiguration(
                    baseURL: simulator.baseURL,
                    endpoint: endpoint,
                    workload: .conversations(path: file.path, outputTokens: 6, thinkTime: think, maxTurns: nil),
                    numPrompts: 2,
                    load: LoadShape(maxConcurrency: 2)
                )
            )
            await simulator.stop()
            let run = try #require(report.points.first?.runs.first)
            // Conversations a (3 turns) and b (2 turns), in the seeded order; every turn answered.
            #expect(run.outcome.records.count == 5 && run.outcome.records.allSatisfy(\.success))
            #expect(run.result["parity"]?["multi_turn"]?["turns_sent"]?.double == 5)
            let exchanges = log.all
            #expect(exchanges.count == 5)
            func history(_ body: String) throws -> [String] {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
                if endpoint == .chat {
                    let messages = try #require(object["messages"] as? [[String: String]])
                    return messages.map { "\($0["role"] ?? ""): \($0["content"] ?? "")" }
                }
                let prompt = try #require(object["prompt"] as? String)
                #expect(prompt.hasSuffix("\n\nAssistant:"))
                return prompt.dropLast("\n\nAssistant:".count).components(separatedBy: "\n\n").map {
                    $0.replacingOccurrences(of: "User: ", with: "user: ", options: .anchored)
                        .replacingOccurrences(of: "Assistant: ", with: "assistant: ", options: .anchored)
                }
            }
            let histories = try exchanges.map { try history($0.body) }
            let second = try #require(histories.first { $0.first == "user: Name a colour." && $0.count == 3 })
            let opening = try #require(exchanges.first { try history($0.body) == ["user: Name a colour."] })
            #expect(!opening.answer.isEmpty)
            #expect(second == ["user: Name a colour.", "assistant: \(opening.answer)", "user: And a \"second\" one?"])
            let third = try #require(histories.first { $0.first == "user: Name a colour." && $0.count == 5 })
            #expect(third.last == "user: Which is darker?")
            #expect(
                histories.contains {
                    $0.count == 3 && $0.first == "user: Two plus two?" && $0[2] == "user: Times three?"
                }
            )
            // A later turn is due only after the previous reply and the think time (records are numbered turn by
            // turn, conversation after conversation, in the seeded order).
            let records = run.outcome.records
            #expect(records.map(\.index) == Array(0..<5))
            var first = 0
            for conversation in try Conversation.load(path: file.path, count: 2, seed: 0, outputTokens: 6) {
                for turn in 1..<conversation.turns.count {
                    let previous = records[first + turn - 1]
                    let next = records[first + turn]
                    let replied = previous.start + previous.queueTime + (previous.latency ?? 0)
                    #expect(next.start - replied >= think.inSeconds - 0.001, "turn \(next.index) came too soon")
                }
                first += conversation.turns.count
            }
        }

        // MARK: - SLO search

        /// A simulator of known capacity: at most `slots` sequences generate at once; each takes `ttft` to its first
        /// token and 4 tokens `tpot` apart, so it holds its slot ttft + 3 × tpot and the simulator completes at most
        /// slots ÷ (ttft + 3 × tpot) requests per second. Few tokens and long slots keep the server's own work per
        /// request small beside the slot time. Below capacity, nearly regular arrivals (gamma shape 100) find a free
        /// slot and TTFT stays ≈ `ttft`; above it the queue, and TTFT with it, grows by (1/capacity − 1/λ) s per
        /// request.
        static func capacitySearch(
            slots: Int,
            ttft: Double,
            tpot: Double,
            limitMs: Double,
            requests: Int,
            start: Double,
            repeats: Int
        ) async throws -> (capacity: Double, outcome: SLOSearch.Outcome) {
            let simulator = try await RunningSimulator.start(
                SimulatorConfiguration(
                    timing: .fixed(ttft: ttft, tpot: tpot),
                    servedModel: "sim",
                    maxRunningSequences: slots
                )
            )
            let outcome = try await SLOSearch(
                limits: Goodput(ttftMs: limitMs),
                target: 0.9,
                dimension: .rate,
                start: start,
                maximum: 1000,
                repeats: repeats,
                tolerance: 0.05
            ).run(
                ServeConfiguration(
                    baseURL: simulator.baseURL,
                    workload: .fixed(input: 8, output: 4),
                    numPrompts: requests,
                    load: LoadShape(burstiness: 100),
                    warmup: 0,
                    timeout: .seconds(30)
                )
            )
            await simulator.stop()
            return (Double(slots) / (ttft + 3 * tpot), outcome)
        }

        /// 16 slots of 20 + 3 × 50 = 170 ms: capacity 16 ÷ 0.170 = 94.1 req/s; a 60 ms TTFT limit (40 ms of margin).
        /// Past about 7 % over capacity more than a tenth of 60 requests miss the limit, so no load above 1.1 ×
        /// capacity can pass; a stall of the loaded test machine can only make loads fail, so below capacity this
        /// fast version checks only that the search ends above a third of it. The search's steps are checked exactly:
        /// doubling from the start, bisection with two runs per load, an interval within the tolerance.
        /// `sloSearchFindsTheSimulatorsCapacityWithin10Percent` holds the answer to 10 % with nothing else running.
        @Test func sloSearchBracketsAndBisectsTheSimulatorsEdge() async throws {
            let (capacity, outcome) = try await Self.capacitySearch(
                slots: 16,
                ttft: 0.020,
                tpot: 0.050,
                limitMs: 60,
                requests: 60,
                start: 60,
                repeats: 2
            )
            let probes = outcome.probes.map { ($0.value, $0.goodput) }
            let best = try #require(outcome.best, "probes: \(probes)")
            let failed = try #require(outcome.failedAbove, "probes: \(probes)")
            #expect(
                best < capacity * 1.1 && best > capacity / 3,
                "found \(best) req/s, capacity \(capacity): \(probes)"
            )
            #expect(failed > best && (failed - best) / best <= 0.05 + 1e-9)
            let bracket = outcome.probes.prefix { $0.phase == "bracket" }
            // While bracketing a passing first run settles a load; a failing one is run again.
            #expect(
                bracket.first?.value == 60 && bracket.allSatisfy { $0.goodput.count == ($0.goodput[0] >= 0.9 ? 1 : 2) }
            )
            for (previous, next) in zip(bracket, bracket.dropFirst()) {
                #expect(next.value == (previous.passed ? previous.value * 2 : previous.value / 2))
            }
            let bisect = outcome.probes.dropFirst(bracket.count)
            #expect(!bisect.isEmpty && bisect.allSatisfy { $0.phase == "bisect" && $0.goodput.count == 2 })
            // A load passes when most of its runs reach the target (a tie of two fails).
            #expect(
                outcome.probes.allSatisfy {
                    $0.passed == ($0.goodput.filter { $0 >= 0.9 }.count * 2 > $0.goodput.count)
                }
            )
            #expect(outcome.json["interval"]?["passed"]?.double == best)
            #expect(outcome.json["interval"]?["failed"]?.double == failed)
        }

        /// The bar (issue 19): the search finds the simulator's known capacity within 10 %. Timing-sensitive, so it
        /// runs with PARITY_TIMED_CHECKS=1 one test at a time (scripts/test): 16 slots of 40 + 3 × 100 = 340 ms,
        /// capacity 16 ÷ 0.340 = 47.1 req/s; a 190 ms TTFT limit (150 ms of margin against stalls); 150 requests
        /// (≈ 3.2 s per run), so that past about 5 % over capacity more than a tenth of them miss the limit; up to 3
        /// runs per load, decided by their majority.
        @Test(.enabled(if: TimedChecks.enabled))
        func sloSearchFindsTheSimulatorsCapacityWithin10Percent() async throws {
            let (capacity, outcome) = try await Self.capacitySearch(
                slots: 16,
                ttft: 0.040,
                tpot: 0.100,
                limitMs: 190,
                requests: 150,
                start: 30,
                repeats: 3
            )
            let best = try #require(outcome.best)
            print(
                "SLO search: capacity \(capacity) req/s, found \(best), interval [\(best), \(outcome.failedAbove ?? .nan))"
            )
            #expect(
                abs(best - capacity) / capacity < 0.10,
                "found \(best) req/s, capacity \(capacity): \(outcome.probes.map { ($0.value, $0.goodput) })"
            )
        }

        /// Over concurrency the bracket halves from a failing start down to a passing one, then bisects to adjacent
        /// integers.
        @Test func sloSearchOverConcurrencyFindsTheSlotCount() async throws {
            let simulator = try await RunningSimulator.start(
                SimulatorConfiguration(
                    timing: .fixed(ttft: 0.020, tpot: 0.050),
                    servedModel: "sim",
                    maxRunningSequences: 4
                )
            )
            // 4 slots of 20 + 3 × 50 = 170 ms: up to 4 in flight nothing waits (TTFT ≈ 20 ms); from 5 on, a request
            // in every round of 5 waits a whole slot (TTFT ≈ 190 ms > 100 ms), so at most 80 % meet the limit.
            let outcome = try await SLOSearch(
                limits: Goodput(ttftMs: 100),
                target: 0.95,
                dimension: .concurrency,
                start: 16,
                maximum: 64,
                repeats: 1
            ).run(
                ServeConfiguration(
                    baseURL: simulator.baseURL,
                    workload: .fixed(input: 8, output: 4),
                    numPrompts: 24,
                    warmup: 0,
                    timeout: .seconds(20)
                )
            )
            await simulator.stop()
            let probes = outcome.probes.map { ($0.value, $0.goodput) }
            #expect(outcome.probes.first?.value == 16 && outcome.probes.first?.passed == false)
            #expect(outcome.best == 4, "probes: \(probes)")
            #expect(outcome.failedAbove == 5, "probes: \(probes)")
        }
    }
}

/// Checks of timing under load, run alone by scripts/test with PARITY_TIMED_CHECKS=1.
enum TimedChecks {
    static let enabled = ProcessInfo.processInfo.environment["PARITY_TIMED_CHECKS"] == "1"
}

/// Collects a workflow's events (they arrive from the run's task and the event loop).
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []

    func append(_ event: ServeEvent) {
        let kind =
            switch event {
            case .runStarted: "start"
            case .requests: "requests"
            case .runFinished: "finish"
            case .pointFinished: "point"
            }
        lock.lock()
        events.append(kind)
        lock.unlock()
    }

    var kinds: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }
}

/// Records the calls of a serving benchmark's run observer and adds `parity.observed` (requests in the run).
actor CountingObserver: ServeRunObserver {
    private(set) var calls: [String] = []

    func runStarting(point: Int, run: Int) async {
        calls.append("start \(point).\(run)")
    }

    func runFinished(_ outcome: RunOutcome) async -> [String: JSONValue] {
        calls.append("end \(outcome.records.count)")
        return ["observed": .number(Double(outcome.records.count))]
    }
}
