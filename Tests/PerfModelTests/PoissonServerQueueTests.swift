import PerfModel
import Testing

/// The server-scenario queue (session 17) against hand calculations.
@Suite struct PoissonServerQueueTests {
    // T = 100 ms iterations carrying f = 1.5 prompts of s = 20 ms each, a running-count spread of 10 ms per √n, and
    // requests of m = 100 iterations.
    let queue = PoissonServerQueue(
        iterationSeconds: 0.1,
        promptSeconds: 0.02,
        promptsPerIteration: 1.5,
        runningSpreadSeconds: 0.01,
        iterationsPerRequest: 100
    )

    @Test func iterationVarianceAndMeanTTFT() {
        // ρ = 1.5 · 0.02 / 0.1 = 0.3. Var(T) = (0.01² + 0.02² · 1.5) / (1 − 0.3²) = 0.0007 / 0.91 = 0.000769231.
        #expect(abs(queue.utilisation - 0.3) < 1e-12)
        #expect(abs(queue.iterationVariance - 0.0007 / 0.91) < 1e-12)
        // Mean TTFT = (T² + V) / 2T + T + s + ρ V / T = 0.0538462 + 0.1 + 0.02 + 0.0023077 = 0.1761538 s.
        #expect(abs(queue.meanTTFTSeconds - 0.176153846153846) < 1e-12)
        // 99th percentile: residual variance T²/3 + V − 0.0538462² = 0.0012032, plus V: σ = √0.0019724 = 0.044412;
        // 0.1761538 + 2.326 · 0.044412 = 0.2794551 s.
        #expect(abs(queue.p99TTFTSeconds - 0.279455132779621) < 1e-9)
    }

    @Test func p99TPOTAveragesALifetime() {
        // σ² = 0.01² · 2/3 + 0.02² · 1.5 / 100 = 0.0000666667 + 0.000006 = 0.0000726667; σ = 0.0085245;
        // p99 = 0.1 + 2.326 · 0.0085245 = 0.1198279 s. The mean is the iteration, 0.1 s.
        #expect(abs(queue.p99TPOTSeconds - 0.119827927846012) < 1e-9)
        #expect(queue.meanTPOTSeconds == 0.1)
        // Speculation divides both by the tokens per iteration.
        var speculative = queue
        speculative.tokensPerIteration = 2
        #expect(abs(speculative.p99TPOTSeconds - 0.119827927846012 / 2) < 1e-9)
    }

    @Test func slotWaitIsErlangCScaledByTheHoldingTime() throws {
        // Two slots, offered load 1 (M/M/2 at ρ = 0.5): B(1) = 1/2, B(2) = 0.5 / 2.5 = 0.2,
        // C = 2 · 0.2 / (2 − 0.8) = 1/3. Holding 10 s, exponential (cv² 1): mean wait C · 10 / (2 − 1) = 3.333 s,
        // p99 = 10 · ln((1/3) / 0.01) = 35.066 s.
        let exponential = try #require(
            PoissonServerQueue.slotWait(slots: 2, offered: 1, holdingSeconds: 10, holdingCV2: 1)
        )
        #expect(abs(exponential.mean - 10.0 / 3) < 1e-12)
        #expect(abs(exponential.p99 - 35.0655789731998) < 1e-9)
        // Fixed holding times (cv² 0) halve the wait (Lee–Longton).
        let fixed = try #require(PoissonServerQueue.slotWait(slots: 2, offered: 1, holdingSeconds: 10, holdingCV2: 0))
        #expect(abs(fixed.mean - 5.0 / 3) < 1e-12)
        #expect(abs(fixed.p99 - 17.5327894865999) < 1e-9)
        // A load at or above the slots has no steady state; far below them nobody waits past the 99th percentile.
        #expect(PoissonServerQueue.slotWait(slots: 2, offered: 2, holdingSeconds: 10, holdingCV2: 1) == nil)
        let idle = try #require(
            PoissonServerQueue.slotWait(slots: 100, offered: 50, holdingSeconds: 10, holdingCV2: 1)
        )
        #expect(idle.p99 == 0)
        #expect(idle.mean < 1e-6)
    }
}
