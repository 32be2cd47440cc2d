import Foundation

/// The latencies of a continuous-batching engine fed by a Poisson stream of requests (MLPerf's server and
/// interactive scenarios), per attention rank: the means the logs report and the 99th percentiles the rules limit.
///
/// MLPerf LoadGen issues server queries at exponentially distributed intervals, and a run is valid only when the
/// 99th percentiles of TTFT and TPOT over its queries are within the benchmark's limits
/// (`loadgen/results.cc`, `PerformanceSummary::PerfConstraintsMet`: `token_target_latency_percentile` against
/// `server_ttft_latency` and `target_tpot_percentile` against `server_tpot_latency`; `loadgen/mlperf.conf`, e.g.
/// `llama2-70b.Server.ttft_latency = 2000`, `tpot_latency = 200`; MLCommons' Llama 3.1 405B and v5.0 interactive
/// announcements name them "99th percentile" limits). The mean of a fixed operating point is not enough: the
/// number of sequences running and the prompts riding in each iteration fluctuate.
///
/// The engine is an iteration-level (gated) bulk server (TensorRT-LLM's inflight batching, vLLM's and SGLang's
/// continuous batching): prompts that arrive during an iteration join the next one, whose length is its decode
/// work D plus s per prompt it carries. With K ~ Poisson(λ·T) prompts per iteration of length T,
/// E[T] = D / (1 − ρ) with ρ = λ·s, and Var(T) = (Var(D) + s²·λ·E[T]) / (1 − ρ²). A prompt lands in an iteration
/// chosen by its length (PASTA, length-biased), waits for its residual, E[T²] / (2 E[T]), and gets its first token
/// at the end of the next iteration, which carries it and the λ·T others that arrived with it:
/// E[next] = D + s + s·λ·E[T²]/E[T] = E[T] + s + ρ·Var(T)/E[T]. A token's time is set by the iteration it ends, so a
/// request's TPOT is the mean of the iterations of its lifetime: the running count, Poisson about its mean n
/// (an M/G/∞ count), averaged over a lifetime of fixed length has variance 2n/3 (its autocovariance falls
/// linearly to 0 over one lifetime), and the prompts that join during those m iterations add s·Poisson(f·m).
/// Percentiles use the normal approximation, mean + 2.326 σ.
public struct PoissonServerQueue: Sendable, Hashable {
    /// The standard normal's 99th percentile.
    public static let z99 = 2.326

    /// Mean iteration time per rank, prefills included (E[T]).
    public var iterationSeconds: Double
    /// Time one prompt's prefill adds to the iteration that carries it (s).
    public var promptSeconds: Double
    /// Mean prompts joining an iteration per rank (f = λ·E[T]).
    public var promptsPerIteration: Double
    /// Change of the iteration time for one standard deviation of the running count, √n sequences per rank.
    public var runningSpreadSeconds: Double
    /// Iterations in one request's lifetime (output tokens ÷ tokens per step).
    public var iterationsPerRequest: Double
    /// Tokens each iteration emits per sequence (the acceptance length; 1 without speculation).
    public var tokensPerIteration: Double

    public init(
        iterationSeconds: Double,
        promptSeconds: Double,
        promptsPerIteration: Double,
        runningSpreadSeconds: Double,
        iterationsPerRequest: Double,
        tokensPerIteration: Double = 1
    ) {
        self.iterationSeconds = iterationSeconds
        self.promptSeconds = promptSeconds
        self.promptsPerIteration = promptsPerIteration
        self.runningSpreadSeconds = runningSpreadSeconds
        self.iterationsPerRequest = iterationsPerRequest
        self.tokensPerIteration = tokensPerIteration
    }

    /// Prefill utilisation ρ = λ·s, the share of the iteration time spent on prompts (below 1).
    public var utilisation: Double {
        guard iterationSeconds > 0 else { return 0 }
        return min(0.999, promptsPerIteration * promptSeconds / iterationSeconds)
    }

    /// Var(T) of the iteration time.
    public var iterationVariance: Double {
        let rho = utilisation
        return (runningSpreadSeconds * runningSpreadSeconds + promptSeconds * promptSeconds * promptsPerIteration)
            / (1 - rho * rho)
    }

    /// Mean TTFT: the residual of the iteration in progress plus the iteration that carries the prompt.
    public var meanTTFTSeconds: Double {
        let t = iterationSeconds
        guard t > 0 else { return promptSeconds }
        let v = iterationVariance
        return (t * t + v) / (2 * t) + t + promptSeconds + utilisation * v / t
    }

    /// 99th percentile TTFT: mean + z·σ, with the residual's variance (uniform over a length-biased iteration:
    /// E[R²] = E[T³] / (3 E[T]), E[T³] ≈ E[T]³ + 3 E[T] Var(T)) and the next iteration's.
    public var p99TTFTSeconds: Double {
        let t = iterationSeconds
        guard t > 0 else { return promptSeconds }
        let v = iterationVariance
        let meanResidual = (t * t + v) / (2 * t)
        let residualVariance = max(0, t * t / 3 + v - meanResidual * meanResidual)
        return meanTTFTSeconds + Self.z99 * (residualVariance + v).squareRoot()
    }

    /// Mean TPOT.
    public var meanTPOTSeconds: Double { iterationSeconds / max(1, tokensPerIteration) }

    /// 99th percentile TPOT over requests: each averages the iterations of its lifetime.
    public var p99TPOTSeconds: Double {
        let m = max(1, iterationsPerRequest)
        let running = runningSpreadSeconds * runningSpreadSeconds * 2 / 3
        let prompts = promptSeconds * promptSeconds * promptsPerIteration / m
        return (iterationSeconds + Self.z99 * (running + prompts).squareRoot()) / max(1, tokensPerIteration)
    }

    /// The wait for a KV-cache slot: requests hold a slot for their lifetime of `holdingSeconds`, `slots` fit per
    /// rank, and `offered` = λ × lifetime is the mean number that would run without a limit (the M/G/∞ count).
    /// An arrival that finds every slot taken waits in the engine's queue (TensorRT-LLM's capacity scheduler, vLLM's
    /// waiting queue) for the next departure. Erlang C gives the probability of waiting, C(c, a), and for
    /// exponential holding times P(W > t) = C · exp(−(c − a) t / L); other holding times scale the wait by
    /// (1 + cv²) / 2 (the Lee–Longton M/G/c approximation; fixed output lengths halve it). Returns nil when the
    /// offered load reaches the slots (no steady state).
    public static func slotWait(
        slots: Int,
        offered: Double,
        holdingSeconds: Double,
        holdingCV2: Double
    ) -> (
        mean: Double, p99: Double
    )? {
        guard slots >= 1, offered >= 0, offered < Double(slots) else { return nil }
        guard offered > 0 else { return (0, 0) }
        // Erlang B by its recursion B(k) = a B(k−1) / (k + a B(k−1)), then C = c B / (c − a (1 − B)).
        var erlangB = 1.0
        for k in 1...slots { erlangB = offered * erlangB / (Double(k) + offered * erlangB) }
        let c = Double(slots)
        let waiting = c * erlangB / (c - offered * (1 - erlangB))
        let scale = (1 + max(0, holdingCV2)) / 2 * holdingSeconds / (c - offered)
        let p99 = waiting > 0.01 ? scale * Foundation.log(waiting / 0.01) : 0
        return (waiting * scale, p99)
    }
}
