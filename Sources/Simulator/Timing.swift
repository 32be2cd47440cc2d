import Foundation
public import PerfModel

/// Where the simulator's token timing comes from.
public enum Timing: Sendable {
    /// Every request independently: the first token after `ttft`, then one every `tpot` (seconds). Used to check
    /// a client's measurements against known values.
    case fixed(ttft: Double, tpot: Double)
    /// Continuous batching on a modelled deployment: prefill and decode steps timed by the performance model,
    /// at most `maxBatch` sequences running and the KV cache bounding admission.
    case model(PerformanceModel)
}

/// A fault to inject, for testing clients.
public enum Fault: String, Sendable, Hashable, CaseIterable {
    /// Answer HTTP 500.
    case http500 = "http-500"
    /// Close the connection after two tokens.
    case drop
    /// Send a `data:` line that is not JSON.
    case malformed
    /// Wait 30 s (scaled by nothing) before the first token.
    case stall
}

/// How the simulator behaves.
public struct SimulatorConfiguration: Sendable {
    public var timing: Timing
    /// Model name reported by `/v1/models` and in responses.
    public var servedModel: String
    /// Multiplies every delay: 1 is real time, 0.01 a hundred times faster, 0 no delay at all (client overhead).
    public var timeScale: Double
    public var seed: UInt64
    public var fault: Fault?
    /// Inject `fault` into every n-th request (1: all).
    public var faultEvery: Int
    /// Speculative decoding / MTP of a modelled deployment: each decode step verifies the drafts and emits the
    /// acceptance length in tokens on average, so tokens stream at step ÷ acceptance length.
    public var speculation: Speculation?
    /// In zero-delay mode, write each event apart (as a server streaming in real time does) instead of the whole
    /// response at once.
    public var writePerEvent: Bool
    /// At most this many requests generate at once; the rest wait in arrival order, and a waiting request's fixed
    /// timing counts from its admission (so TTFT grows by queueing once more are in flight). nil: no cap.
    public var maxRunningSequences: Int?
    /// Keeps every request's body and the text of its answer (tests that check what a client sent).
    public var requestLog: SimulatorRequestLog?

    public init(
        timing: Timing,
        servedModel: String,
        timeScale: Double = 1,
        seed: UInt64 = 0,
        fault: Fault? = nil,
        faultEvery: Int = 1,
        speculation: Speculation? = nil,
        writePerEvent: Bool = false,
        maxRunningSequences: Int? = nil,
        requestLog: SimulatorRequestLog? = nil
    ) {
        self.maxRunningSequences = maxRunningSequences.map { max(1, $0) }
        self.requestLog = requestLog
        self.speculation = speculation
        self.timing = timing
        self.servedModel = servedModel
        self.timeScale = timeScale
        self.seed = seed
        self.fault = fault
        self.faultEvery = max(1, faultEvery)
        self.writePerEvent = writePerEvent
    }
}

/// What a request produces: token events with their due times, or the end.
enum TokenEvent: Sendable {
    case token(Int)
    case finished
}

/// Continuous-batching scheduler driven by the performance model: waiting sequences join when the batch and KV
/// cache have room; each joining sequence is prefilled (one step per prompt), then every running sequence gets
/// one token per decode step, whose length depends on the batch size.
actor BatchEngine {
    struct Sequence {
        var id: Int
        var prompt: Int
        var output: Int
        var generated: Int
        var continuation: AsyncStream<TokenEvent>.Continuation
    }

    let model: PerformanceModel
    let timeScale: Double
    let speculation: Speculation?
    private var waiting: [Sequence] = []
    private var running: [Sequence] = []
    private var nextID = 0
    private var wake: CheckedContinuation<Void, Never>?
    private var loop: Task<Void, Never>?

    init(model: PerformanceModel, timeScale: Double, speculation: Speculation? = nil) {
        self.model = model
        self.timeScale = timeScale
        self.speculation = speculation
    }

    func submit(prompt: Int, output: Int) -> AsyncStream<TokenEvent> {
        let (stream, continuation) = AsyncStream<TokenEvent>.makeStream()
        waiting.append(
            Sequence(id: nextID, prompt: prompt, output: max(1, output), generated: 0, continuation: continuation)
        )
        nextID += 1
        if loop == nil { loop = Task { await self.run() } }
        wake?.resume()
        wake = nil
        return stream
    }

    func stop() {
        loop?.cancel()
        wake?.resume()
        wake = nil
    }

    private func sleep(_ seconds: Double) async {
        let scaled = seconds * timeScale
        guard scaled > 0 else {
            await Task.yield()
            return
        }
        try? await Task.sleep(for: .nanoseconds(Int64(scaled * 1e9)), tolerance: .zero)
    }

    private func run() async {
        while !Task.isCancelled {
            if waiting.isEmpty, running.isEmpty {
                await withCheckedContinuation { wake = $0 }
                continue
            }
            // Admit while the batch and the KV cache have room.
            var admitted: [Sequence] = []
            while let next = waiting.first {
                let batch = running.count + admitted.count + 1
                // KV held per sequence: its prompt plus the engine's share of its output (the profile's reservation).
                let context =
                    (running + admitted + [next]).map {
                        model.heldTokens(inputTokens: $0.prompt, outputTokens: $0.output)
                    }.max() ?? 1
                guard batch == 1 || batch <= model.maxBatch(contextTokens: context) else { break }
                admitted.append(waiting.removeFirst())
            }
            for var sequence in admitted {
                await sleep(model.predict(batch: 1, inputTokens: sequence.prompt, outputTokens: 1).prefillSeconds)
                sequence.generated = 1
                sequence.continuation.yield(.token(0))
                if sequence.generated >= sequence.output {
                    sequence.continuation.yield(.finished)
                    sequence.continuation.finish()
                } else {
                    running.append(sequence)
                }
            }
            guard !running.isEmpty else { continue }
            let prompt = running.map(\.prompt).reduce(0, +) / running.count
            let output = running.map(\.output).reduce(0, +) / running.count
            // One token per sequence per pass; with speculation a verification step emits the acceptance length
            // on average, so each pass takes step ÷ acceptance length.
            let step = model.predict(
                batch: running.count,
                inputTokens: prompt,
                outputTokens: output,
                disaggregated: true,
                speculation: speculation
            )
            await sleep(step.decodeStepSeconds / (speculation?.acceptanceLength ?? 1))
            var still: [Sequence] = []
            for var sequence in running {
                sequence.continuation.yield(.token(sequence.generated))
                sequence.generated += 1
                if sequence.generated >= sequence.output {
                    sequence.continuation.yield(.finished)
                    sequence.continuation.finish()
                } else {
                    still.append(sequence)
                }
            }
            running = still
        }
    }
}
