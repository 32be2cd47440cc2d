import Benchmark
import Catalogue
import PerfModel

/// Predictions per second for one resolved deployment, and a full SLO sweep
/// (16 batch sizes × 4 parallelism layouts × 8 prompt lengths).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3)
    )

    guard let chips = try? ChipCatalogue.load(), let models = try? ModelCatalogue.load(),
        let h20 = try? chips.chip("h20"), let llama = try? models.model("llama-3.1-70b"),
        let model = try? PerformanceModel(Deployment(chip: h20, model: llama, tensorParallel: 8))
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
}
