import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import LoadGen
@testable import Simulator

/// The fixed-timing simulator's token clock (every token due by a wake-up written in it) and its report of how
/// late it wrote tokens.
extension SimulatorTests {
    /// Records the clock's calls; touched on the clock's loop only.
    final class TokenLog: TokenClockClient, @unchecked Sendable {
        struct Call {
            var ticket: UInt64
            var due: ContinuousClock.Instant
            var at: ContinuousClock.Instant
        }

        var calls: [Call] = []

        func tokenDue(ticket: UInt64, due: ContinuousClock.Instant) {
            calls.append(Call(ticket: ticket, due: due, at: .now))
        }
    }

    @Test func tokenClockWritesEveryDueTokenPerWakeUp() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let clock = TokenClock(eventLoop: loop)
        let log = TokenLog()
        let start = ContinuousClock.now
        // 200 tokens due together, one a little later, 200 more later still; scheduled out of due order.
        try await loop.submit {
            for ticket in 200..<400 { clock.schedule(log, ticket: UInt64(ticket), at: start + .milliseconds(80)) }
            for ticket in 0..<200 { clock.schedule(log, ticket: UInt64(ticket), at: start + .milliseconds(40)) }
            clock.schedule(log, ticket: 999, at: start + .milliseconds(60))
        }.get()
        try await Task.sleep(for: .milliseconds(200))
        let (calls, wakeUps, pending, written) = try await loop.submit {
            (log.calls, clock.wakeUps, clock.pending, clock.tokensWritten)
        }.get()
        try await group.shutdownGracefully()
        #expect(pending == 0 && written == 401 && calls.count == 401)
        // In due order, ties in the order scheduled; none before its time.
        let expected: [UInt64] = Array(0..<200) + [999] + Array(200..<400)
        #expect(calls.map(\.ticket) == expected)
        #expect(calls.allSatisfy { $0.at >= $0.due })
        // One timer for each distinct due time at most (fewer when the loop was late enough to merge them), where
        // a timer per token would be 401.
        #expect(wakeUps >= 1 && wakeUps <= 3, "\(wakeUps) wake-ups")
    }

    @Test func fixedTimingReportsHowLateTokensWereWritten() async throws {
        let simulator = try await RunningSimulator.start(
            SimulatorConfiguration(timing: .fixed(ttft: 0.02, tpot: 0.005), servedModel: "sim")
        )
        let (outcome, _) = try await run(simulator, requests: 48, concurrency: 16, output: 4)
        let client = LoadClient(threads: 1, connections: 1)
        let (status, body) = try await client.get("/metrics", baseURL: simulator.baseURL, timeout: .seconds(5))
        try await client.shutdown()
        await simulator.stop()
        #expect(outcome.records.allSatisfy { $0.success })
        #expect(status == 200)
        let parsed = try PrometheusText.parse(String(decoding: body, as: UTF8.self))
        func value(_ name: String, quantile: String? = nil) -> Double? {
            parsed.samples.first { $0.name == name && $0.labels["quantile"] == quantile }?.value
        }
        #expect(parsed.types["parity_simulator_first_token_lateness_seconds"] == "summary")
        // Every first token, and every later one (three per request), counted once; the run's first request is
        // the client's probe for token-ID prompts (two tokens).
        let firstCount = try #require(value("parity_simulator_first_token_lateness_seconds_count"))
        let laterCount = try #require(value("parity_simulator_token_lateness_seconds_count"))
        #expect(Int(firstCount) == 48 + 1, "\(firstCount)")
        #expect(Int(laterCount) == 48 * 3 + 1, "\(laterCount)")
        let median = try #require(value("parity_simulator_first_token_lateness_seconds", quantile: "0.5"))
        let p99 = try #require(value("parity_simulator_first_token_lateness_seconds", quantile: "0.99"))
        let maximum = try #require(value("parity_simulator_first_token_lateness_max_seconds"))
        let sum = try #require(value("parity_simulator_first_token_lateness_seconds_sum"))
        #expect(median >= 0 && median <= p99 && p99 <= maximum && sum <= 48 * maximum)
    }

    @Test func latenessQuantilesComeFromTheHistogram() {
        var histogram = LatenessHistogram()
        #expect(histogram.quantile(0.5) == 0 && histogram.maximum == 0)
        // 90 values of 55 µs, 9 of 1.234 ms, one of 0.5 s and one early write (counted as 0): 101 values. The
        // median is the 51st (55 µs), the 95th percentile the 96th (1.234 ms), within HdrHistogram's three
        // significant digits (0.1 %).
        for _ in 0..<90 { histogram.record(55e-6) }
        for _ in 0..<9 { histogram.record(1.234e-3) }
        histogram.record(0.5)
        histogram.record(-1e-6)
        #expect(histogram.count == 101)
        #expect(abs(histogram.quantile(0.5) - 55e-6) <= 55e-6 * 1e-3)
        #expect(abs(histogram.quantile(0.95) - 1.234e-3) <= 1.234e-3 * 1e-3)
        #expect(histogram.quantile(1) == 0.5)
        #expect(histogram.maximum == 0.5)  // the exact maximum recorded
        // The sum is kept exactly, not from the buckets.
        #expect(abs(histogram.sum - (90 * 55e-6 + 9 * 1.234e-3 + 0.5)) < 1e-12)
    }

    @Test func aBusyClientSaysSo() throws {
        // 0.5 s of CPU in a 1 s run on one loop: no note; 0.9 s: a note naming the share and --threads.
        #expect(BenchmarkRunner.busyNote(cpu: 0.5, duration: 1, threads: 1) == nil)
        let note = try #require(BenchmarkRunner.busyNote(cpu: 0.9, duration: 1, threads: 1))
        #expect(note.contains("1 event loop was busy about 90 %") && note.contains("--threads"))
        // The same CPU over two loops is 45 % each.
        #expect(BenchmarkRunner.busyNote(cpu: 0.9, duration: 1, threads: 2) == nil)
        #expect(BenchmarkRunner.busyNote(cpu: 1.8, duration: 1, threads: 2)?.contains("2 event loops were") == true)
        #expect(BenchmarkRunner.busyNote(cpu: 1, duration: 0, threads: 1) == nil)
    }
}
