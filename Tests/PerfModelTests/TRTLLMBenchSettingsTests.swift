import Catalogue
import Foundation
import PerfModel
import Testing

/// Session 17: trtllm-bench's batch heuristic, against hand calculations.
@Suite struct TRTLLMBenchSettingsTests {
    let chips: ChipCatalogue
    let models: ModelCatalogue

    init() throws {
        chips = try ChipCatalogue.load()
        models = try ModelCatalogue.load()
    }

    @Test func trtllmBenchBatchHeuristicMatchesTuningPy() throws {
        let h200 = try chips.chip("h200-sxm")
        let h100 = try chips.chip("h100-sxm")
        let deepseek = try models.model("deepseek-v3")
        let llama8b = try models.model("llama-3.1-8b")
        // DeepSeek-R1 FP8 on 8 H200 (DEP8: --tp 8), FP8 KV, 1000/1000. Config: 61 layers, num_key_value_heads
        // 128, no head_dim so head_size = 7168 / 128 = 56: 2 · 61 · 128 · 56 · 1 B = 874,496 B = 8.1444e-4 GiB
        // per token, × 2000 = 1.62888 GiB per request. Engine 671e9 B = 624.91 GiB; memory 8 × 141 = 1128 GiB;
        // (1128 − 624.91) · 0.9 / 1.62888 = 277.97 requests; raw 277.97 is in [256, 1024): 128 · ⌈2.17⌉ = 384.
        #expect(
            TRTLLMBenchSettings.maxBatchSize(
                model: deepseek,
                chip: h200,
                tp: 8,
                pp: 1,
                weights: .fp8,
                kv: .fp8,
                inputTokens: 1000,
                outputTokens: 1000
            ) == 384
        )
        // 1024/8192: 8.1444e-4 · 9216 = 7.5059 GiB per request, 452.78 / 7.5059 = 60.32 < 256:
        // max(64, 32 · ⌈1.885⌉) = 64.
        #expect(
            TRTLLMBenchSettings.maxBatchSize(
                model: deepseek,
                chip: h200,
                tp: 8,
                pp: 1,
                weights: .fp8,
                kv: .fp8,
                inputTokens: 1024,
                outputTokens: 8192
            ) == 64
        )
        // Llama-3.1-8B FP8 on one H100, FP8 KV, 1000/1000: 2 · 32 · 8 · 128 · 1 B = 6.1035e-5 GiB per token,
        // 0.12207 GiB per request; engine 8.03e9 B = 7.4785 GiB; (80 − 7.4785) · 0.9 / 0.12207 = 534.7:
        // 128 · ⌈4.18⌉ = 640. With PP2 on two: (160 − 7.4785) · 0.9 / 0.12207 = 1124.5 requests, ÷ 2 = 562.2
        // per micro-batch: 128 · ⌈4.39⌉ = 640.
        #expect(
            TRTLLMBenchSettings.maxBatchSize(
                model: llama8b,
                chip: h100,
                tp: 1,
                pp: 1,
                weights: .fp8,
                kv: .fp8,
                inputTokens: 1000,
                outputTokens: 1000
            ) == 640
        )
        #expect(
            TRTLLMBenchSettings.maxBatchSize(
                model: llama8b,
                chip: h100,
                tp: 1,
                pp: 2,
                weights: .fp8,
                kv: .fp8,
                inputTokens: 1000,
                outputTokens: 1000
            ) == 640
        )
    }
}
