import Benchmark
import Catalogue
import PerfModel

/// Predictions per second for one resolved deployment, a full SLO sweep (16 batch sizes × 4 parallelism layouts
/// × 8 prompt lengths), an MoE prediction with DP attention and MTP, and a disaggregated search.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3)
    )

    guard let chips = try? ChipCatalogue.load(), let models = try? ModelCatalogue.load(),
        let h20 = try? chips.chip("h20"), let llama = try? models.model("llama-3.1-70b"),
        let deepseek = try? models.model("deepseek-v3"),
        let model = try? PerformanceModel(Deployment(chip: h20, model: llama, tensorParallel: 8)),
        let moe = try? PerformanceModel(
            Deployment(chip: h20, model: deepseek, dataParallelAttention: 16, weightPrecision: .fp8, kvPrecision: .fp8)
        )
    else {
        fatalError("built-in catalogue must load for benchmarks")
    }

    Benchmark("single prediction", configuration: .init(scalingFactor: .mega)) { benchmark in
        var sink = 0.0
        for index in benchmark.scaledIterations {
            let prediction = model.predict(batch: 1 + index % 64, inputTokens: 2048, outputTokens: 256)
            sink += prediction.tpotSeconds
        }
        blackHole(sink)
    }

    let mtp = Speculation(draftTokens: 1, acceptanceLength: 1.8)
    Benchmark("single prediction, MoE DP16 EP16 with MTP", configuration: .init(scalingFactor: .mega)) { benchmark in
        var sink = 0.0
        for index in benchmark.scaledIterations {
            let prediction = moe.predict(
                batch: 16 + index % 1024,
                inputTokens: 4096,
                outputTokens: 1536,
                disaggregated: true,
                speculation: mtp
            )
            sink += prediction.tpotSeconds
        }
        blackHole(sink)
    }

    let layouts = [(2, 1), (4, 1), (8, 1), (4, 2)]  // (TP, PP); all fit 70B BF16 on H20
    let prompts = [128, 256, 512, 1024, 2048, 4096, 8192, 16384]
    let batches = (0..<16).map { 1 << ($0 / 2) + ($0 % 2) * (1 << ($0 / 2)) / 2 }
    Benchmark("SLO sweep 16 batches x 4 layouts x 8 prompts") { benchmark in
        for _ in benchmark.scaledIterations {
            var best = 0.0
            for (tp, pp) in layouts {
                guard
                    let layout = try? PerformanceModel(
                        Deployment(chip: h20, model: llama, tensorParallel: tp, pipelineParallel: pp)
                    )
                else { continue }
                for prompt in prompts {
                    for batch in batches {
                        let prediction = layout.predict(batch: batch, inputTokens: prompt, outputTokens: 256)
                        if prediction.tpotSeconds <= 0.05, prediction.ttftSeconds <= 2 {
                            best = max(best, prediction.outputTokensPerSecondPerChip)
                        }
                    }
                }
            }
            blackHole(best)
        }
    }

    // DeepSeek-V3 on H20: prefill and decode layouts (TP 1–8, DP-EP 2–64) searched separately, each pair with
    // its decode batch and pool ratio under TTFT 2 s / TPOT 50 ms.
    Benchmark("disaggregated search DeepSeek-V3 on H20") { benchmark in
        for _ in benchmark.scaledIterations {
            let plan = DisaggregatedModel.search(
                chip: h20,
                model: deepseek,
                weightPrecision: .fp8,
                kvPrecision: .fp8,
                inputTokens: 4096,
                outputTokens: 1536,
                limits: ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.05),
                speculation: mtp
            )
            blackHole(plan?.prediction.outputTokensPerSecondPerChip ?? 0)
        }
    }
}
