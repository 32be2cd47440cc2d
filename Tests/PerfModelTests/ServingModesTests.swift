import Catalogue
import Foundation
import PerfModel
import Testing

/// Regression tests of issue 17's structural fixes and of the serving modes, against hand calculations.
@Suite struct ServingModesTests {
    let chips: ChipCatalogue
    let models: ModelCatalogue

    init() throws {
        chips = try ChipCatalogue.load()
        models = try ModelCatalogue.load()
    }

    static let ideal = PerformanceModelTests.ideal
    /// Ideal factors with memory so fast that every term is compute-bound: a continuous-batching iteration is then
    /// exactly its decode step plus its prefills (nothing is shared), which isolates how many prefills it carries.
    static let computeOnly: Efficiency = {
        var efficiency = ideal
        efficiency.memory = 1e9
        return efficiency
    }()

    // MARK: - Structural fixes

    @Test func dpPrefillIsChargedOnceForAllRanksNotOncePerPrompt() throws {
        let perf = try PerformanceModel(
            Deployment(
                chip: try chips.chip("h200-sxm"),
                model: try models.model("deepseek-v3"),
                dataParallelAttention: 16,
                weightPrecision: .fp8,
                efficiency: Self.computeOnly
            )
        )
        // 256 sequences over 16 DP ranks, 128 output tokens: 256 / 128 = 2 prompts join per decode step, and one
        // DP-wide prefill step takes 16 prompts (one per rank), so 2 / 16 = 0.125 prefill steps per decode step.
        // Before the fix each prompt cost a whole DP-wide step: 2 steps, 16 × too many.
        let p = perf.predict(batch: 256, inputTokens: 1024, outputTokens: 128)
        let expected = p.decodeStepSeconds + 0.125 * p.prefillSeconds
        #expect(abs(p.tpotSeconds - expected) / expected < 1e-9)
    }

    @Test func dp16PrefillOnlyThroughputIsSixteenTimesOneRanks() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        let one = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: Self.ideal))
        let sixteen = try PerformanceModel(
            Deployment(chip: chip, model: model, dataParallelAttention: 16, efficiency: Self.ideal)
        )
        // Per chip: 16 ranks × T tokens / step / 16 chips = one rank's T / step, i.e. the replica does 16 × one rank's.
        let perChipOne = one.prefillThroughput(inputTokens: 2048)
        let perChipSixteen = sixteen.prefillThroughput(inputTokens: 2048)
        #expect(abs(perChipSixteen * 16 - 16 * perChipOne) / (16 * perChipOne) < 1e-9)
    }

    @Test func moeAtTP8ChargesTheAllReducesButNoAllToAll() throws {
        let base = try chips.chip("h200-sxm")
        let model = try models.model("qwen3-235b-a22b")
        var slow = base
        var fast = base
        slow.scaleUp?.bandwidthBytesPerSecond = Sourced(200e9, .estimate(reason: "test"))
        fast.scaleUp?.bandwidthBytesPerSecond = Sourced(400e9, .estimate(reason: "test"))
        func step(_ chip: Chip) throws -> Double {
            let perf = try PerformanceModel(
                Deployment(chip: chip, model: model, tensorParallel: 8, weightPrecision: .fp8, efficiency: Self.ideal)
            )
            return perf.predict(batch: 64, inputTokens: 1, outputTokens: 2, disaggregated: true).decodeStepSeconds
        }
        // Only the TP all-reduces depend on the link: per layer 2 × 2 · 7/8 · (64 tokens · d · 2 B) / link, with the
        // link one direction of the scale-up figure (100 vs 200 GB/s). An expert all-to-all would add
        // moeLayers · 64 · k · d · 3 · 7/8 / link on top.
        let d = Double(model.hiddenSize)
        let message = 64 * d * 2
        let perLink = Double(model.layers) * 2 * 2 * 7 / 8 * message
        let expected = perLink / 100e9 - perLink / 200e9
        let delta = try step(slow) - step(fast)
        #expect(abs(delta - expected) / expected < 1e-6)
    }

    @Test func ppPrefillCostsOnePthOfItsTraversalAndPrefillOnlyThroughputScalesWithStages() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-70b")
        let pp4 = try PerformanceModel(
            Deployment(chip: chip, model: model, pipelineParallel: 4, weightPrecision: .fp8, efficiency: Self.ideal)
        )
        let computeBound = try PerformanceModel(
            Deployment(
                chip: chip,
                model: model,
                pipelineParallel: 4,
                weightPrecision: .fp8,
                efficiency: Self.computeOnly
            )
        )
        // 64 sequences, 128 output tokens: 64/128 = 0.5 prompts join per step; each costs 1/4 of its traversal
        // because the other three stages work on other micro-batches meanwhile: 0.5 / 4 = 0.125. The round is four
        // iterations of the slowest stage (session 18): 80 layers split 20 / 20 / 20 / 20 and the last stage also
        // holds the output head, so the round is the traversal plus 3 heads. The iteration's head scores the 16
        // decode tokens of a micro-batch and 0.125 prompts' last positions: 2 · 128,256 · 8,192 · 16.125 FLOP at
        // 1,978.9 TFLOPS = 17.12 µs, three of them 51.37 µs.
        let p = computeBound.predict(batch: 64, inputTokens: 1024, outputTokens: 128)
        let head = 2 * 128_256 * 8_192 * 16.125 / 1978.9e12
        let expected = p.decodeStepSeconds + 0.125 * p.prefillSeconds + 3 * head
        #expect(abs(p.tpotSeconds - expected) / expected < 1e-9)
        // Prefill-only: 4 chunks in flight over 4 chips, a round of 4 iterations of the slowest stage (20 layers and
        // the output head): T · 4 / round / 4 with round = traversal + 3 heads. The head scores one position per
        // prompt, so it is its FP8 weight read, 128,256 · 8,192 B at 3.35 TB/s = 0.3137 ms (its arithmetic,
        // 2 · 128,256 · 8,192 FLOP at 1,978.9 TFLOPS, is 1.06 µs).
        let chunk = 16384.0
        let traversal = pp4.predict(batch: 1, inputTokens: 16384, outputTokens: 1).prefillSeconds
        let prefillHead = max(128_256 * 8_192 / 3.35e12, 2 * 128_256 * 8_192 / 1978.9e12)
        #expect(abs(prefillHead - 0.3137e-3) < 1e-7)
        let perChip = chunk / (traversal + 3 * prefillHead)
        #expect(abs(pp4.prefillThroughput(inputTokens: 16384) - perChip) / perChip < 1e-9)
    }

    @Test func ppRoundIsPipelineDepthTimesTheSlowestStage() throws {
        // Session 18: the stages of a pipeline work concurrently on different micro-batches, so a round (every
        // micro-batch one iteration) is pp iterations of the slowest stage, not the stages' sum. Compute-bound
        // (memory free), no overhead, decode only (disaggregated), batch 64 at PP8 = 8 sequences per micro-batch.
        // `decodeStepSeconds` is the traversal T (the sum of the stages); the TPOT is the round.
        let chip = try chips.chip("h100-sxm")
        func perf(_ model: String) throws -> PerformanceModel {
            try PerformanceModel(
                Deployment(
                    chip: chip,
                    model: try models.model(model),
                    pipelineParallel: 8,
                    weightPrecision: .fp8,
                    efficiency: Self.computeOnly
                )
            )
        }
        // Llama-3.1-70B: 80 layers, 10 per stage; the last stage adds the output head, 2 · 128,256 · 8,192 · 8 FLOP
        // at 1,978.9 TFLOPS = 8.495 µs, so the round is 8 · (10 layers + head) = T + 7 heads = T + 59.47 µs.
        let p70 = try perf("llama-3.1-70b").predict(
            batch: 64,
            inputTokens: 1024,
            outputTokens: 128,
            disaggregated: true
        )
        let head70 = 2 * 128_256 * 8_192 * 8 / 1978.9e12
        #expect(abs(head70 - 8.495e-6) < 1e-9)
        #expect(abs(p70.tpotSeconds - (p70.decodeStepSeconds + 7 * head70)) / p70.tpotSeconds < 1e-9)
        // Llama-3.1-405B: 126 layers, `torch.tensor_split` gives 16 to the first six stages and 15 to the last
        // two; a layer (about 405e9 · 2 · 8 / 126 FLOP at 1,978.9 TFLOPS, 26 µs) outweighs the head
        // (2 · 128,256 · 16,384 · 8 FLOP, 16.99 µs), so the slowest stage is a 16-layer one and the round is
        // 8 · 16 = 128 layers: (T − head) · 128 / 126.
        let p405 = try perf("llama-3.1-405b").predict(
            batch: 64,
            inputTokens: 1024,
            outputTokens: 128,
            disaggregated: true
        )
        let head405 = 2 * 128_256 * 16_384 * 8 / 1978.9e12
        let perLayer = (p405.decodeStepSeconds - head405) / 126
        #expect(perLayer > head405)
        let round = 128 * perLayer
        #expect(abs(p405.tpotSeconds - round) / round < 1e-9)
    }

    @Test func ppPaysTheFrameworkOverheadOncePerMicroBatch() throws {
        // Session 17: TensorRT-LLM's PP executor loop runs one iteration (schedule, forward, sample) per
        // micro-batch, so a round over pp micro-batches pays the per-iteration overhead pp times. With a 2 ms
        // overhead, PP4 at batch 64 (disaggregated: no prefills in the step) adds 4 × 2 = 8 ms to the traversal;
        // PP1 of the same chip and model adds 2 ms. The decode step without the overhead is the same function of
        // the layer terms either way, so the difference of (step − overhead) is zero and the overheads are exact.
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-70b")
        var efficiency = Self.ideal
        efficiency.stepOverheadSeconds = 2e-3
        var free = efficiency
        free.stepOverheadSeconds = 0
        func step(pp: Int, _ efficiency: Efficiency) throws -> Double {
            let perf = try PerformanceModel(
                Deployment(
                    chip: chip,
                    model: model,
                    pipelineParallel: pp,
                    weightPrecision: .fp8,
                    efficiency: efficiency
                )
            )
            return perf.predict(batch: 64, inputTokens: 1024, outputTokens: 128, disaggregated: true)
                .decodeStepSeconds
        }
        let pp4 = try step(pp: 4, efficiency) - step(pp: 4, free)
        let pp1 = try step(pp: 1, efficiency) - step(pp: 1, free)
        #expect(abs(pp4 - 8e-3) < 1e-12)
        #expect(abs(pp1 - 2e-3) < 1e-12)
    }

    @Test func wholePromptPrefillChargesTheIterationsThatCarryAPromptNotAFractionOfEach() throws {
        // Session 17: TensorRT-LLM prefills a prompt whole in one iteration. At batch 64 and 128 output tokens,
        // f = 64 / 128 = 0.5 prompts join per step, so half the iterations carry one prompt (A: the decode step
        // with one prompt merged in) and half are decode alone (D): TPOT = 0.5 · A + 0.5 · D. A is the spread
        // model's step at f = 1 with the same decode tokens and context: batch 64, 64 output tokens and output
        // spread cv² = 1 keep the mean context at I + (1 + 1) · 64 / 2 = I + 128 / 2. D is the decode-only step.
        // Both include the 2 ms overhead once, as does TPOT.
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        var efficiency = Self.ideal
        efficiency.stepOverheadSeconds = 2e-3
        let spread = try PerformanceModel(
            Deployment(chip: chip, model: model, weightPrecision: .fp8, efficiency: efficiency)
        )
        var wholeDeployment = Deployment(chip: chip, model: model, weightPrecision: .fp8, efficiency: efficiency)
        wholeDeployment.wholePromptPrefill = true
        let whole = try PerformanceModel(wholeDeployment)
        let a = spread.predict(batch: 64, inputTokens: 1024, outputTokens: 64, outputLengthCV2: 1).tpotSeconds
        let d = spread.predict(batch: 64, inputTokens: 1024, outputTokens: 128, disaggregated: true)
            .decodeStepSeconds
        let tpot = whole.predict(batch: 64, inputTokens: 1024, outputTokens: 128).tpotSeconds
        #expect(abs(tpot - (0.5 * a + 0.5 * d)) / tpot < 1e-9)
        // The decode step alone is memory-bound (8 GB of FP8 weights and 64 · 1,088 · 131 kB = 9.1 GB of BF16 KV
        // at 3.35 TB/s, 5.1 ms) while a 1,024-token prompt's arithmetic (2 · 8e9 · 1,024 FLOP at 1,979 TFLOPS,
        // 8.3 ms) is not hidden by it, so spreading half a prompt over every step (max(c + p / 2, m)) is shorter
        // than whole prompts in half the steps.
        let spreadTPOT = spread.predict(batch: 64, inputTokens: 1024, outputTokens: 128).tpotSeconds
        #expect(spreadTPOT < tpot)
        // With a prompt or more per step every iteration carries prefill: no difference.
        let many = whole.predict(batch: 256, inputTokens: 1024, outputTokens: 128).tpotSeconds
        let manySpread = spread.predict(batch: 256, inputTokens: 1024, outputTokens: 128).tpotSeconds
        #expect(abs(many - manySpread) / many < 1e-12)
    }

    @Test func prefillsRideInTheDecodeIterationAndShareItsWeightReads() throws {
        // With arithmetic free, a dense decode step is its weight and KV reads. The prompts that join ride in the
        // same iteration (inflight batching): they read no weights of their own and write rather than read their
        // KV, so the iteration is the decode step alone. Charged as separate prefill steps, each would read every
        // weight again: 0.5 prompts per step × (8.03e9 · 1 B / 3.35 TB/s) ≈ 1.2 ms more.
        var efficiency = Self.ideal
        efficiency.matrix = 1e9
        let perf = try PerformanceModel(
            Deployment(
                chip: try chips.chip("h100-sxm"),
                model: try models.model("llama-3.1-8b"),
                weightPrecision: .fp8,
                efficiency: efficiency
            )
        )
        let p = perf.predict(batch: 64, inputTokens: 1024, outputTokens: 128)
        #expect(abs(p.tpotSeconds - p.decodeStepSeconds) < 1e-12)
        #expect(p.prefillSeconds > 1e-3)
        // A decode instance carries no prefills at all.
        let decodeOnly = perf.predict(batch: 64, inputTokens: 1024, outputTokens: 128, disaggregated: true)
        #expect(decodeOnly.tpotSeconds == decodeOnly.decodeStepSeconds)
    }

    @Test func attentionScoresRunAtBF16UnlessTheKVCacheIsEightBit() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        func prefill(_ kv: Precision) throws -> Double {
            let perf = try PerformanceModel(
                Deployment(chip: chip, model: model, weightPrecision: .fp8, kvPrecision: kv, efficiency: Self.ideal)
            )
            return perf.predict(batch: 1, inputTokens: 8192, outputTokens: 1).prefillSeconds
        }
        // Causal scores per layer: 2 · T² · (32 heads · 2 · 128) / 2 FLOPs; 32 layers. At BF16 they take
        // 1/989.4 TFLOPS, at FP8 1/1978.9: the BF16-KV prefill is slower by exactly that difference (all else
        // is the same FP8 GEMMs, and long prefill is compute-bound).
        let bf16 = try #require(chip.densePeak[.bf16]?.value)
        let fp8 = try #require(chip.densePeak[.fp8]?.value)
        let scoreDim: Double = 32 * 2 * 128
        let tokens: Double = 8192
        let scoreFLOPs: Double = 32 * 2 * tokens * tokens * scoreDim / 2
        let expected = scoreFLOPs / bf16 - scoreFLOPs / fp8
        let delta = try prefill(.bf16) - prefill(.fp8)
        #expect(abs(delta - expected) / expected < 1e-6)
    }

    /// The NIC part of one decode step's expert all-to-all: the step at link efficiency 0.5 less the step at 1,
    /// DeepSeek-V3 (or `model`) at DP = EP = `ranks` over domains of 8 H100s, one token per rank.
    func nicAllToAllDelta(ranks: Int, model: ModelArch) throws -> Double {
        var chip = try chips.chip("h100-sxm")
        chip.scaleUp?.domainSize = Sourced(8, .estimate(reason: "test"))
        chip.scaleUp?.bandwidthBytesPerSecond = Sourced(900e9, .estimate(reason: "test"))
        func step(interconnect: Double) throws -> Double {
            var efficiency = Self.ideal
            efficiency.interconnect = interconnect
            let perf = try PerformanceModel(
                Deployment(
                    chip: chip,
                    model: model,
                    dataParallelAttention: ranks,
                    weightPrecision: .fp8,
                    efficiency: efficiency
                )
            )
            return perf.predict(batch: ranks, inputTokens: 1, outputTokens: 2, disaggregated: true)
                .decodeStepSeconds
        }
        return try step(interconnect: 0.5) - step(interconnect: 1)
    }

    @Test func expertAllToAllCrossesTheNICOncePerRemoteDomain() throws {
        // EP32 over 4 domains of 8, one token per rank, experts placed without groups (DeepSeek-V3 with its
        // grouping removed). Its 8 experts fall in 3 · (1 − (3/4)^8) = 2.6996 other domains on average; it crosses
        // the NIC (min(450, 50) = 50 GB/s per direction) once for each: 2.6996 · 7168 · 3 B = 58.05 kB → 1.161 µs,
        // so the NIC sets the layer's time (inside, the token goes once to each of the 7 · (1 − (31/32)^8) = 1.57
        // other chips of its domain holding one of its experts: 33.8 kB over 450 GB/s = 0.075 µs). Halving link
        // efficiency doubles it: Δ = 58 MoE layers · 1.161 µs.
        var ungrouped = try models.model("deepseek-v3")
        ungrouped.moe?.expertGroups = nil
        ungrouped.moe?.groupsPerToken = nil
        let remote = 3 * (1 - pow(0.75, 8.0))
        let expected = 58 * remote * 7168 * 3 / 50e9
        let delta = try nicAllToAllDelta(ranks: 32, model: ungrouped)
        #expect(abs(delta - expected) / expected < 1e-6)
    }

    @Test func groupLimitedRoutingReachesFewerRemoteDomains() throws {
        // DeepSeek-V3 routes each token to experts of its 4 best groups of 8 (32 experts each, in order). EP32 over
        // 4 domains: each domain holds 2 whole groups, and misses a token when none of its 2 groups is among the
        // token's 4: C(6, 4) / C(8, 4) = 15 / 70. Remote domains 3 · 55/70 = 2.3571 (not 2.6996), so the NIC part
        // of 58 layers is 58 · 2.3571 · 7168 · 3 B / 50 GB/s = 58 · 1.0137 µs.
        let model = try models.model("deepseek-v3")
        #expect(model.moe?.expertGroups == 8)
        #expect(model.moe?.groupsPerToken == 4)
        let grouped = 58 * (3.0 * 55 / 70) * 7168 * 3 / 50e9
        let delta32 = try nicAllToAllDelta(ranks: 32, model: model)
        #expect(abs(delta32 - grouped) / grouped < 1e-6)
        // EP64 over 8 domains of one group each: a domain is reached when its group is chosen, 4/8, so
        // 7 · 0.5 = 3.5 remote domains, not 7 · (1 − (7/8)^8) = 4.593.
        let eight = 58 * 3.5 * 7168 * 3 / 50e9
        let delta64 = try nicAllToAllDelta(ranks: 64, model: model)
        #expect(abs(delta64 - eight) / eight < 1e-6)
        // EP24 over 3 domains: 3 does not divide 8 groups (EPLB then balances globally, groups cross domains), so
        // placement is taken as uniform: 2 · (1 − (2/3)^8) = 1.9220 remote domains.
        let three = 58 * 2 * (1 - pow(2.0 / 3, 8)) * 7168 * 3 / 50e9
        let delta24 = try nicAllToAllDelta(ranks: 24, model: model)
        #expect(abs(delta24 - three) / three < 1e-6)
    }

    @Test func expertImbalanceNeedsMoreThanOneExpertRank() throws {
        // Mixtral-8x7B BF16 on H200, prefill chunks of 16,384 tokens, every term compute-bound. With EP 1 one chip
        // runs every expert, so an imbalance factor of 1.3 must not change the step. At TP2 (EP2) it charges the
        // busiest rank 0.3 more of the mean routed load: 16,384 tokens · 2 experts / 2 ranks = 16,384 token-experts
        // of 2 · 3 · 4096 · 14336 = 352.3 MFLOP each, over 32 layers at 989.4 TFLOPS:
        // 0.3 · 16,384 · 352,321,536 · 32 / 989.4e12 = 0.056008 s more per step.
        let chip = try chips.chip("h200-sxm")
        let model = try models.model("mixtral-8x7b")
        func step(tp: Int, imbalance: Double) throws -> Double {
            var efficiency = Self.computeOnly
            efficiency.moeImbalance = imbalance
            let perf = try PerformanceModel(
                Deployment(chip: chip, model: model, tensorParallel: tp, weightPrecision: .bf16, efficiency: efficiency)
            )
            // prefillThroughput = 16,384 tokens / step / chips.
            return 16_384 / (perf.prefillThroughput(inputTokens: 1024) * Double(tp))
        }
        #expect(abs(try step(tp: 1, imbalance: 1.3) - step(tp: 1, imbalance: 1)) < 1e-12)
        let expected = 0.3 * 16_384 * 352_321_536 * 32 / 989.4e12
        let delta = try step(tp: 2, imbalance: 1.3) - step(tp: 2, imbalance: 1)
        #expect(abs(delta - expected) / expected < 1e-6)
    }

    /// DeepSeek-V3 at DP8 EP8 inside one NVLink domain (one token per rank), with and without two-batch overlap.
    func deepSeekInsideOneDomain(interconnect: Double, overlap: Bool) throws -> Double {
        var chip = try chips.chip("h200-sxm")
        chip.scaleUp?.domainSize = Sourced(8, .estimate(reason: "test"))
        chip.scaleUp?.bandwidthBytesPerSecond = Sourced(900e9, .estimate(reason: "test"))
        var efficiency = Self.ideal
        efficiency.interconnect = interconnect
        var deployment = Deployment(
            chip: chip,
            model: try models.model("deepseek-v3"),
            dataParallelAttention: 8,
            weightPrecision: .fp8,
            efficiency: efficiency
        )
        deployment.overlapsExpertCommunication = overlap
        let perf = try PerformanceModel(deployment)
        return perf.predict(batch: 8, inputTokens: 1, outputTokens: 2, disaggregated: true).decodeStepSeconds
    }

    /// The dispatch and combine of one token inside an EP8 domain: it goes once to each of the 7 other chips that
    /// holds at least one of its 8 experts, 7 · (1 − (7/8)^8) = 4.59 chips, 7168 · 3 B each, over 450 GB/s.
    static let insideDomainAllToAll = 7 * (1 - pow(7.0 / 8, 8)) * 7168 * 3 / 450e9

    @Test func expertDispatchInsideADomainGoesOncePerDestinationChip() throws {
        // Per expert (the old count) it would be 8 · 7/8 = 7 copies, 1.5 × more.
        let expected = 58 * Self.insideDomainAllToAll
        let delta =
            try deepSeekInsideOneDomain(interconnect: 0.5, overlap: false)
            - deepSeekInsideOneDomain(interconnect: 1, overlap: false)
        #expect(abs(delta - expected) / expected < 1e-6)
    }

    @Test func twoBatchOverlapHidesTheAllToAllBehindComputation() throws {
        // One token per rank: reading the touched experts takes far longer than the all-to-all, so with overlap a
        // MoE layer is its computation alone — 58 all-to-alls shorter, and no longer sensitive to the link.
        let plain = try deepSeekInsideOneDomain(interconnect: 1, overlap: false)
        let overlapped = try deepSeekInsideOneDomain(interconnect: 1, overlap: true)
        let expected = 58 * Self.insideDomainAllToAll
        #expect(abs((plain - overlapped) - expected) / expected < 1e-6)
        #expect(abs(try deepSeekInsideOneDomain(interconnect: 0.5, overlap: true) - overlapped) < 1e-15)
    }

    @Test func cardsWithoutAScaleUpFabricTalkOverPCIeAtTheirGeneration() throws {
        // RTX PRO 6000 Server: no NVLink, PCIe 5.0 x16 → 16 lanes · 32 GT/s · 128/130 / 8 = 63.0 GB/s per direction.
        let chip = try chips.chip("rtx-pro-6000-server")
        #expect(chip.scaleUp?.bandwidthBytesPerSecond == nil)
        #expect(chip.pcieGeneration?.value == 5)
        let model = try models.model("llama-3.1-8b")
        func step(interconnect: Double) throws -> Double {
            var efficiency = Self.ideal
            efficiency.interconnect = interconnect
            let perf = try PerformanceModel(
                Deployment(chip: chip, model: model, tensorParallel: 2, weightPrecision: .fp8, efficiency: efficiency)
            )
            return perf.predict(batch: 64, inputTokens: 1, outputTokens: 2, disaggregated: true).decodeStepSeconds
        }
        // Two ring all-reduces per layer of 2 · (2 − 1)/2 · 64 · 4096 · 2 B: Δ = 32 · 2 · 524,288 B / 63.0 GB/s.
        let link = 16e9 * 4 * 128 / 130
        let expected = 32 * 2 * (64 * 4096 * 2) / link
        let delta = try step(interconnect: 0.5) - step(interconnect: 1)
        #expect(abs(delta - expected) / expected < 1e-6)
    }

    @Test func poissonArrivalsQueueForTheNextIterationAndAKVSlot() throws {
        // Compute-bound everywhere, so an iteration is exactly its decode step plus its prefills' compute and the
        // running count's effect can be read off decode-only steps.
        let perf = try PerformanceModel(
            Deployment(
                chip: try chips.chip("h200-sxm"),
                model: try models.model("llama-3.1-70b"),
                weightPrecision: .fp8,
                efficiency: Self.computeOnly
            )
        )
        // Aggregated (session 17): the mean TPOT is the fixed operating point's, and the mean TTFT is the gated
        // iteration queue's, built from the same figures — iteration T = the closed TPOT, f = 64 / 256 prompts per
        // iteration, s = (T − decode step) / f, spread = decode step(64 + √64) − decode step(64) — plus the mean
        // wait for a KV slot (Erlang C over the capacity, holding time TTFT + 256 T, fixed lengths).
        let closed = perf.predict(batch: 64, inputTokens: 512, outputTokens: 256)
        let open = perf.predict(batch: 64, inputTokens: 512, outputTokens: 256, poissonArrivals: true)
        #expect(open.tpotSeconds == closed.tpotSeconds)
        #expect(closed.ttftP99Seconds == nil && closed.tpotP99Seconds == nil)
        let f = 64.0 / 256
        let s = (closed.tpotSeconds - closed.decodeStepSeconds) / f
        func decodeStep(_ batch: Int) -> Double {
            perf.predict(batch: batch, inputTokens: 512, outputTokens: 256, disaggregated: true).decodeStepSeconds
        }
        let queue = PoissonServerQueue(
            iterationSeconds: closed.tpotSeconds,
            promptSeconds: s,
            promptsPerIteration: f,
            runningSpreadSeconds: decodeStep(72) - decodeStep(64),
            iterationsPerRequest: 256
        )
        let wait = try #require(
            PoissonServerQueue.slotWait(
                slots: open.maxBatch,
                offered: 64,
                holdingSeconds: queue.meanTTFTSeconds + 256 * closed.tpotSeconds,
                holdingCV2: 0
            )
        )
        #expect(abs(open.ttftSeconds - (queue.meanTTFTSeconds + wait.mean)) < 1e-12)
        #expect(abs(try #require(open.ttftP99Seconds) - (queue.p99TTFTSeconds + wait.p99)) < 1e-12)
        #expect(abs(try #require(open.tpotP99Seconds) - queue.p99TPOTSeconds) < 1e-12)
        // The mean TTFT is about 1.5 iterations plus a prompt's own time (residual half an iteration, then the one
        // carrying it); the iteration's variance and the slot wait add to it.
        #expect(open.ttftSeconds > 1.5 * closed.tpotSeconds + s)
        // A decode instance's iteration is the decode step alone: half of it is the mean residual.
        let decode = perf.predict(batch: 64, inputTokens: 512, outputTokens: 256, disaggregated: true)
        let decodeOpen = perf.predict(
            batch: 64,
            inputTokens: 512,
            outputTokens: 256,
            disaggregated: true,
            poissonArrivals: true
        )
        #expect(abs((decodeOpen.ttftSeconds - decode.ttftSeconds) - 0.5 * decode.decodeStepSeconds) < 1e-12)
    }

    @Test func poissonBestThroughputRefinesTheBatchToTheP99Limit() throws {
        let perf = try PerformanceModel(
            Deployment(
                chip: try chips.chip("h200-sxm"),
                model: try models.model("llama-3.1-70b"),
                weightPrecision: .fp8
            )
        )
        // The limit bounds the 99th percentile TPOT: the best batch meets it, one sequence more does not, and the
        // batch is no longer a grid point (the grid of powers of two and midpoints jumps by a third or a half).
        let limits = ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.05)
        let best = try #require(
            perf.bestThroughput(inputTokens: 512, outputTokens: 256, limits: limits, poissonArrivals: true).best
        )
        let p99 = try #require(best.tpotP99Seconds)
        #expect(p99 <= 0.05)
        #expect(best.tpotSeconds < p99)
        let more = perf.predict(batch: best.batch + 1, inputTokens: 512, outputTokens: 256, poissonArrivals: true)
        let moreTPOT = try #require(more.tpotP99Seconds)
        let moreTTFT = try #require(more.ttftP99Seconds)
        #expect(moreTPOT > 0.05 || moreTTFT > 2)
        #expect(!PerformanceModel.batchGrid(upTo: 4096).contains(best.batch))
        // A closed loop's search is unchanged: its best batch is a grid point whose mean TPOT meets the limit.
        let closed = try #require(perf.bestThroughput(inputTokens: 512, outputTokens: 256, limits: limits).best)
        #expect(PerformanceModel.batchGrid(upTo: 4096).contains(closed.batch) || closed.batch == closed.maxBatch)
        #expect(closed.tpotSeconds <= 0.05)
    }

    @Test func disaggregatedSearchMeetsTheLimits() throws {
        let plan = try #require(
            DisaggregatedModel.search(
                chip: try chips.chip("h20"),
                model: try models.model("deepseek-v3"),
                weightPrecision: .fp8,
                kvPrecision: .fp8,
                inputTokens: 4096,
                outputTokens: 1536,
                limits: ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.05),
                speculation: Speculation(draftTokens: 1, acceptanceLength: 1.8)
            )
        )
        #expect(plan.prediction.ttftSeconds <= 2)
        #expect(plan.prediction.tpotSeconds <= 0.05)
        #expect(plan.prefillReplicasPerDecodeReplica > 0)
    }

    // MARK: - Speculative decoding

    @Test func speculativeDecodeDividesTheVerifyStepByTheAcceptanceLength() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: Self.ideal))
        let plain = perf.predict(batch: 1, inputTokens: 1, outputTokens: 2, disaggregated: true)
        let spec = perf.predict(
            batch: 1,
            inputTokens: 1,
            outputTokens: 2,
            disaggregated: true,
            speculation: Speculation(draftTokens: 3, acceptanceLength: 2.5)
        )
        // Batch 1 is weight-bound: verifying 4 tokens reads the weights once (same time as one token), and each
        // of the 3 draft steps runs one layer's worth of the rest and the whole LM head (session 17; before,
        // 1/32 of the head): h = 128,256 × 4,096 × 2 B ÷ 3.35 TB/s = 0.3137 ms,
        // step = s + 3 · ((s − h) / 32 + h), TPOT = step / 2.5.
        let s = plain.decodeStepSeconds
        let h = 128_256.0 * 4096 * 2 / 3.35e12
        #expect(abs(h - 0.3137e-3) < 1e-6)
        let expected = (s + 3 * ((s - h) / 32 + h)) / 2.5
        #expect(abs(spec.tpotSeconds - expected) / expected < 0.01)
    }

    @Test func eagle3DraftStepsScoreTheDraftVocabularyOnly() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: Self.ideal))
        let plain = perf.predict(batch: 1, inputTokens: 1, outputTokens: 2, disaggregated: true)
        let full = perf.predict(
            batch: 1,
            inputTokens: 1,
            outputTokens: 2,
            disaggregated: true,
            speculation: Speculation(draftTokens: 3, acceptanceLength: 2.5)
        )
        let eagle = perf.predict(
            batch: 1,
            inputTokens: 1,
            outputTokens: 2,
            disaggregated: true,
            speculation: Speculation(draftTokens: 3, acceptanceLength: 2.5, draftVocabulary: 32_000)
        )
        // An EAGLE-3 head scores 32,000 of the 128,256 tokens, so each draft step reads 32,000 / 128,256 of the LM
        // head: the step is shorter by 3 · h · (1 − 32,000 / 128,256) = 3 × 0.3137 ms × 0.7505 = 0.7063 ms.
        let h = 128_256.0 * 4096 * 2 / 3.35e12
        let saved = 3 * h * (1 - 32_000.0 / 128_256)
        #expect(abs(saved - 0.7063e-3) < 1e-6)
        #expect(abs((full.decodeStepSeconds - eagle.decodeStepSeconds) - saved) / saved < 0.01)
        #expect(eagle.decodeStepSeconds > plain.decodeStepSeconds)
        // engines.yaml gives EAGLE-3 its draft vocabulary; MTP keeps the target's head.
        let profiles = try EngineProfiles.builtIn()
        #expect(profiles.draftVocabulary["eagle3"] == 32_000)
        #expect(profiles.draftVocabulary["mtp"] == nil)
    }

    @Test func acceptanceLengthIsBoundedByTheProposedTokensPlusOne() {
        #expect(Speculation(draftTokens: 2, acceptanceLength: 5).acceptanceLength == 3)
        #expect(Speculation(draftTokens: 2, acceptanceLength: 0.5).acceptanceLength == 1)
    }

    // MARK: - Disaggregated

    @Test func aggregatedClosedLoopFollowsLittlesLaw() throws {
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h100-sxm"), model: try models.model("llama-3.1-8b"))
        )
        // 64 clients over 2 replicas: 32 sequences each, prefills interleaved. Requests complete at
        // 64 / (TTFT + 256 · TPOT); output per chip = that × 256 / 2 chips.
        let p = perf.closedLoop(concurrency: 64, replicas: 2, inputTokens: 1024, outputTokens: 256)
        let replica = perf.predict(batch: 32, inputTokens: 1024, outputTokens: 256)
        let expected = 64 / (replica.ttftSeconds + 256 * replica.tpotSeconds) * 256 / 2
        #expect(abs(p.outputTokensPerSecondPerChip - expected) / expected < 1e-12)
        #expect(p.tpotSeconds == replica.tpotSeconds)
    }

    @Test func closedLoopRunsAtMostTheSchedulerCapAndTheKVCapacityAndQueuesTheRest() throws {
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h100-sxm"), model: try models.model("llama-3.1-8b"))
        )
        // 1,000 clients on one replica with a scheduler cap of 256 (vLLM's max_num_seqs below 70 GiB): 256 run,
        // 744 wait. Requests complete at 256 / (TTFT + 256 · TPOT) of batch 256, and the clients' TTFT is
        // 1000 / rate − 256 · TPOT (Little's law over all 1,000).
        let capped = perf.closedLoop(
            concurrency: 1000,
            replicas: 1,
            inputTokens: 1024,
            outputTokens: 256,
            maxRunning: 256
        )
        let running = perf.predict(batch: 256, inputTokens: 1024, outputTokens: 256)
        let rate = 256 / (running.ttftSeconds + 256 * running.tpotSeconds)
        #expect(abs(capped.outputTokensPerSecondPerChip - rate * 256) / (rate * 256) < 1e-12)
        #expect(capped.tpotSeconds == running.tpotSeconds)
        #expect(abs(capped.ttftSeconds - (1000 / rate - 256 * running.tpotSeconds)) / capped.ttftSeconds < 1e-12)
        // Without a scheduler cap the KV capacity caps the running batch: 100,000 clients run like a full cache.
        let capacity = perf.maxBatch(inputTokens: 1024, outputTokens: 256)
        #expect(capacity < 100_000)
        let flooded = perf.closedLoop(concurrency: 100_000, replicas: 1, inputTokens: 1024, outputTokens: 256)
        let full = perf.predict(batch: capacity, inputTokens: 1024, outputTokens: 256)
        let fullRate = Double(capacity) / (full.ttftSeconds + 256 * full.tpotSeconds)
        #expect(abs(flooded.outputTokensPerSecondPerChip - fullRate * 256) / (fullRate * 256) < 1e-12)
    }

    @Test func aLoneRequestFindsTheEngineIdle() throws {
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h100-sxm"), model: try models.model("llama-3.1-8b"))
        )
        // Batch 1 (one request at a time): nothing runs when the prompt arrives, so TTFT = prefill alone. With 8
        // running, a prompt waits one iteration for a slot: TTFT = prefill + the step (decode with prefills merged).
        let alone = perf.predict(batch: 1, inputTokens: 1024, outputTokens: 256)
        #expect(alone.ttftSeconds == alone.prefillSeconds)
        let busy = perf.predict(batch: 8, inputTokens: 1024, outputTokens: 256)
        #expect(abs(busy.ttftSeconds - (busy.prefillSeconds + busy.tpotSeconds)) / busy.ttftSeconds < 1e-12)
        // A closed loop of one client is the same lone request.
        let loop = perf.closedLoop(concurrency: 1, replicas: 1, inputTokens: 1024, outputTokens: 256)
        #expect(loop.ttftSeconds == alone.prefillSeconds)
    }

    @Test func spreadOutputLengthsLengthenTheRunningBatchsMeanContext() throws {
        let base = try PerformanceModel(
            Deployment(chip: try chips.chip("h100-sxm"), model: try models.model("llama-3.1-8b"))
        )
        // cv² = 1: mean resident context I + (1 + 1) · O / 2 = 1024 + 256 = 1280, the fixed-length context of
        // a 1152-token prompt with the same 256-token output (1152 + 128). Same decode step, same batch.
        let varied = base.predict(batch: 64, inputTokens: 1024, outputTokens: 256, outputLengthCV2: 1)
        let fixed = base.predict(batch: 64, inputTokens: 1152, outputTokens: 256)
        #expect(abs(varied.decodeStepSeconds - fixed.decodeStepSeconds) / fixed.decodeStepSeconds < 1e-12)
        // Held KV per sequence with the whole output reserved (reservation 1): 1024 + 256 · 2 = 1536 tokens.
        #expect(base.deployment.kvOutputReservation == 1)
        #expect(base.heldTokens(inputTokens: 1024, outputTokens: 256, outputLengthCV2: 1) == 1536)
        #expect(base.heldTokens(inputTokens: 1024, outputTokens: 256) == 1280)
        #expect(varied.maxBatch == base.maxBatch(contextTokens: 1536))
    }

    @Test func vllmProfilesCapRunningSequencesByDeviceMemory() throws {
        let profiles = try EngineProfiles.builtIn()
        let ascend = try #require(profiles.profiles.first { $0.id == "vllm-ascend" })
        let rocm = try #require(profiles.profiles.first { $0.id == "vllm-rocm" })
        // vLLM's default max_num_seqs: 256 below 70 GiB (910B: 64 GB), 1024 from 70 GiB (MI300X: 192 GB).
        #expect(ascend.maxRunningSequences(on: try chips.chip("ascend-910b")) == 256)
        #expect(rocm.maxRunningSequences(on: try chips.chip("mi300x")) == 1024)
        let trt = try #require(profiles.profiles.first { $0.id == "trt-llm" })
        #expect(trt.maxRunningSequences(on: try chips.chip("h100-sxm")) == nil)
    }

    @Test func mindieUnderGPUStackRunsAtMostItsDefaultBatchOf200() throws {
        let profiles = try EngineProfiles.builtIn()
        let mindie = try #require(profiles.profiles.first { $0.id == "mindie" })
        let chip = try chips.chip("ascend-910b")
        // GPUStack writes maxBatchSize 200 into MindIE's configuration when none is given
        // (AscendMindIEParameters.max_batch_size); MindIE states no large-memory variant.
        #expect(mindie.maxRunningSequences(on: chip) == 200)
        // The GPUStack run: 1,000 ShareGPT clients (217 in / 201 out) on one 910B. With the cap 200 run and 800
        // wait, so throughput is that of batch 200: 200 / (TTFT + 201 · TPOT) requests/s × 201 tokens.
        let perf = try PerformanceModel(
            mindie.configure(Deployment(chip: chip, model: try models.model("qwen3-8b")))
        )
        let capped = perf.closedLoop(
            concurrency: 1000,
            replicas: 1,
            inputTokens: 217,
            outputTokens: 201,
            maxRunning: mindie.maxRunningSequences(on: chip)
        )
        let running = perf.predict(batch: 200, inputTokens: 217, outputTokens: 201)
        let rate = 200 / (running.ttftSeconds + 201 * running.tpotSeconds)
        #expect(abs(capped.outputTokensPerSecondPerChip - rate * 201) / (rate * 201) < 1e-12)
        // Uncapped, the KV cache holds more than 200 such sequences (0.9 × 64 GB less ~16.4 GB of BF16 weights
        // over 36 layers × 8 KV heads × 128 × 2 × 2 bytes × 418 tokens ≈ 61.6 MB each: about 660), so the cap
        // is what binds.
        #expect(perf.maxBatch(inputTokens: 217, outputTokens: 201) > 600)
        let uncapped = perf.closedLoop(concurrency: 1000, replicas: 1, inputTokens: 217, outputTokens: 201)
        #expect(uncapped.outputTokensPerSecondPerChip > capped.outputTokensPerSecondPerChip)
    }

    @Test func separatePrefillIterationsAddToTheDecodeStep() throws {
        let profiles = try EngineProfiles.builtIn()
        let mindie = try #require(profiles.profiles.first { $0.id == "mindie" })
        let chip = try chips.chip("ascend-910b")
        let merged = try PerformanceModel(Deployment(chip: chip, model: try models.model("qwen3-8b")))
        // MindIE without SplitFuse (GPUStack's default) runs prefill and decode as separate iterations.
        let separate = try PerformanceModel(mindie.configure(merged.deployment))
        #expect(separate.deployment.separatePrefill)
        #expect(!merged.deployment.separatePrefill)
        // A lone request's TTFT is one prompt's prefill alone; a decode-only instance's TPOT is the decode step
        // alone (with the step overhead). Batch 256 with 256-token outputs: one prompt joins per step, so the
        // iteration is the decode step plus one prompt's prefill iteration: TPOT = decode-only TPOT + lone TTFT.
        let lone = separate.predict(batch: 1, inputTokens: 217, outputTokens: 256).ttftSeconds
        func decodeOnly(_ batch: Int) -> Double {
            separate.predict(batch: batch, inputTokens: 217, outputTokens: 256, disaggregated: true).tpotSeconds
        }
        let one = separate.predict(batch: 256, inputTokens: 217, outputTokens: 256).tpotSeconds
        #expect(abs(one - (decodeOnly(256) + lone)) / one < 1e-12)
        // Batch 128: half a prompt per step, i.e. one prompt's prefill iteration every other step: + lone / 2.
        let half = separate.predict(batch: 128, inputTokens: 217, outputTokens: 256).tpotSeconds
        #expect(abs(half - (decodeOnly(128) + lone / 2)) / half < 1e-12)
        // Batch 512: two prompts per step in one prefill iteration that reads the weights once, so it costs less
        // than two lone prefills and more than one.
        let two = separate.predict(batch: 512, inputTokens: 217, outputTokens: 256).tpotSeconds
        #expect(two < decodeOnly(512) + 2 * lone)
        #expect(two > decodeOnly(512) + lone)
        // Merged into the decode step, the prompt's arithmetic hides behind the step's weight reads: shorter.
        #expect(merged.predict(batch: 256, inputTokens: 217, outputTokens: 256).tpotSeconds < one)
    }

    @Test func chituRunsPrefillAndDecodeAsSeparateIterations() throws {
        let profiles = try EngineProfiles.builtIn()
        let chitu = try #require(profiles.profiles.first { $0.id == "chitu" })
        let ascend = try #require(profiles.profiles.first { $0.id == "chitu-ascend" })
        // Chitu's scheduler takes a step of prefill tasks or a step of decode tasks, never both
        // (chitu/scheduler.py, Scheduler.schedule: the highest-priority task's type is the step's type).
        #expect(chitu.separatePrefill == true)
        #expect(ascend.separatePrefill == true)
        let chip = try chips.chip("h20")
        let perf = try PerformanceModel(
            chitu.configure(Deployment(chip: chip, model: try models.model("qwen3-32b")))
        )
        #expect(perf.deployment.separatePrefill)
        // The Qwen3-32B row on one H20 at batch 16, 128 in / 1024 out: 16 / 1024 = 1/64 prompt joins per step,
        // so one prompt's prefill iteration (a lone request's TTFT) comes every 64th step and each step costs
        // the decode-only step + TTFT(1) / 64.
        let lone = perf.predict(batch: 1, inputTokens: 128, outputTokens: 1024).ttftSeconds
        let decodeOnly = perf.predict(batch: 16, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        let tpot = perf.predict(batch: 16, inputTokens: 128, outputTokens: 1024).tpotSeconds
        #expect(abs(tpot - (decodeOnly.tpotSeconds + lone / 64)) / tpot < 1e-12)
    }

    @Test func sglangOnAscendRunsPrefillAndDecodeAsSeparateIterations() throws {
        let profiles = try EngineProfiles.builtIn()
        let sglang = try #require(profiles.profiles.first { $0.id == "sglang-ascend" })
        // SGLang's scheduler returns a prefill batch or a decode batch; mixed chunks are off by default and forced
        // off with speculative decoding (ServerArgs), so a prompt's prefill is an iteration of its own (session 18).
        #expect(sglang.separatePrefill == true)
        let chip = try chips.chip("ascend-910b")
        let perf = try PerformanceModel(
            sglang.configure(Deployment(chip: chip, model: try models.model("qwen3-8b")))
        )
        #expect(perf.deployment.separatePrefill)
        // Batch 16, 3,500 in / 1,600 out: 16 / 1,600 = 1/100 prompt joins per step, so one prompt's prefill
        // iteration (a lone request's TTFT) comes every 100th step: TPOT = decode-only TPOT + TTFT(1) / 100.
        let lone = perf.predict(batch: 1, inputTokens: 3500, outputTokens: 1600).ttftSeconds
        let decodeOnly = perf.predict(batch: 16, inputTokens: 3500, outputTokens: 1600, disaggregated: true)
        let tpot = perf.predict(batch: 16, inputTokens: 3500, outputTokens: 1600).tpotSeconds
        #expect(abs(tpot - (decodeOnly.tpotSeconds + lone / 100)) / tpot < 1e-12)
        // With an acceptance length of 2, twice the tokens per step finish, so 2 × 16 / 1,600 = 1/50 prompt joins
        // per (verify + draft) step, and TPOT = (decode-only step + TTFT(1) / 50) / 2.
        let mtp = Speculation(draftTokens: 3, acceptanceLength: 2)
        let lone2 = perf.predict(batch: 1, inputTokens: 3500, outputTokens: 1600, speculation: mtp).ttftSeconds
        let decodeOnly2 = perf.predict(
            batch: 16,
            inputTokens: 3500,
            outputTokens: 1600,
            disaggregated: true,
            speculation: mtp
        )
        let tpot2 = perf.predict(batch: 16, inputTokens: 3500, outputTokens: 1600, speculation: mtp).tpotSeconds
        #expect(abs(tpot2 - (decodeOnly2.tpotSeconds * 2 + lone2 / 50) / 2) / tpot2 < 1e-12)
    }

    @Test func chituDecodeSendsEachTokenToEachExpertOverTheNIC() throws {
        let profiles = try EngineProfiles.builtIn()
        let chitu = try #require(profiles.profiles.first { $0.id == "chitu" })
        let ascend = try #require(profiles.profiles.first { $0.id == "chitu-ascend" })
        // At DP > 1 Chitu decodes with DeepEP's low-latency dispatcher (chitu/moe/impl.py), one RDMA copy per expert.
        #expect(chitu.perExpertDispatch == true)
        #expect(ascend.perExpertDispatch == nil)
        let chip = try chips.chip("h20")
        let base = Deployment(
            chip: chip,
            model: try models.model("deepseek-v3"),
            dataParallelAttention: 32,
            expertParallel: 32,
            weightPrecision: .fp8
        )
        #expect(!base.perExpertDispatch)
        let configured = chitu.configure(base)
        #expect(configured.perExpertDispatch)
        let hierarchical = try PerformanceModel(base)
        let perExpert = try PerformanceModel(configured)
        // The DP32 × EP32 row at batch 2048: 64 tokens per rank, d = 7,168, so 64 × 7,168 × 3 B = 1,376,256 B per
        // destination (FP8 dispatch + BF16 combine). H20's NIC link is min(450, 50) GB/s × 0.70 = 35 GB/s, NVLink
        // 450 × 0.70 = 315 GB/s. Hierarchical (normal kernels): 4 domains of 8 holding 2 of DeepSeek-V3's 8 expert
        // groups each, a token's experts from 4 groups reach 3 (1 − C(6,4)/C(8,4)) = 3 × 55/70 = 2.35714 other
        // domains (group-limited routing, session 18) → 92.687 µs over the NIC, and 7 (1 − (31/32)⁸) = 1.57010 peers
        // in its own → 6.860 µs over NVLink; the longer, 92.687 µs. Per expert (low latency): 8 × 31/32 copies =
        // 10,665,984 B over the NIC → 304.742 µs. The latency (2 × 10 µs) is the same in both, so each of the 58 MoE
        // layers costs 212.056 µs more: the decode step is 58 × 212.056 µs = 12.299 ms longer.
        let slower = perExpert.predict(batch: 2048, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        let faster = hierarchical.predict(batch: 2048, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        #expect(abs((slower.tpotSeconds - faster.tpotSeconds) - 12.299235e-3) < 1e-8)
        // Prefill keeps the normal kernels: the same prefill time either way.
        #expect(slower.prefillSeconds == faster.prefillSeconds)
    }

    @Test func chituPipelineHandsEachMicroBatchOnAndItsLogitsBackToRankZero() throws {
        let profiles = try EngineProfiles.builtIn()
        let chitu = try #require(profiles.profiles.first { $0.id == "chitu" })
        // Chitu's pipeline executor isends the hidden state stage to stage and the last stage's FP32 logits to rank 0.
        #expect(chitu.pipelineLogitsToFirstRank == true)
        let base = Deployment(
            chip: try chips.chip("h20"),
            model: try models.model("deepseek-v3"),
            tensorParallel: 8,
            pipelineParallel: 2,
            weightPrecision: .fp8
        )
        #expect(!base.pipelineLogitsToFirstRank)
        let configured = chitu.configure(base)
        #expect(configured.pipelineLogitsToFirstRank)
        let plain = try PerformanceModel(base)
        let handing = try PerformanceModel(configured)
        // TP8 fills an 8-GPU H20 node, so the stage boundary and the way back to rank 0 (16 chips, two nodes) cross
        // the NIC: min(450, 50) GB/s × 0.70 = 35 GB/s, each message 10 µs of latency. Batch 128 runs as two
        // micro-batches of 64: hidden 64 × 7,168 × 2 B = 917,504 B → 10 + 26.2144 = 36.2144 µs; logits
        // 64 × 129,280 × 4 B = 33,095,680 B → 10 + 945.5909 = 955.5909 µs; the TP broadcasts, 3 latencies (the
        // tokens and the task metadata at stage 0, the hidden state at stage 1) = 30 µs plus 917,504 B over NVLink
        // at 450 × 0.70 = 315 GB/s = 2.9127 µs. One round (one token per sequence) is 1,024.7180 µs longer.
        let wide = handing.predict(batch: 128, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        let wideBase = plain.predict(batch: 128, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        #expect(abs((wide.tpotSeconds - wideBase.tpotSeconds) - 1_024.7180e-6) < 1e-9)
        // Batch 1, one micro-batch of one token: hidden 14,336 B → 10.4096 µs, logits 517,120 B → 24.7749 µs,
        // broadcasts 30 + 0.0455 µs: 65.2300 µs.
        let one = handing.predict(batch: 1, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        let oneBase = plain.predict(batch: 1, inputTokens: 128, outputTokens: 1024, disaggregated: true)
        #expect(abs((one.tpotSeconds - oneBase.tpotSeconds) - 65.2300e-6) < 1e-9)
        // Without PP nothing is handed on.
        var flat = configured
        flat.pipelineParallel = 1
        flat.tensorParallel = 16
        var flatBase = flat
        flatBase.pipelineLogitsToFirstRank = false
        let a = try PerformanceModel(flat).predict(batch: 8, inputTokens: 128, outputTokens: 1024)
        let b = try PerformanceModel(flatBase).predict(batch: 8, inputTokens: 128, outputTokens: 1024)
        #expect(a.tpotSeconds == b.tpotSeconds)
    }

    @Test func disaggregatedThroughputDividesByBothPoolsAndQueuesAtAShortPrefillPool() throws {
        let chip = try chips.chip("h200-sxm")
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: Self.ideal))
        let pair = try DisaggregatedModel(prefill: perf, prefillReplicas: 1, decode: perf, decodeReplicas: 3)
        #expect(pair.chips == 4)
        let p = pair.predict(concurrency: 48, inputTokens: 1024, outputTokens: 256)
        // 16 sequences per decode replica at the decode-only TPOT of batch 16.
        let decode = perf.predict(batch: 16, inputTokens: 1024, outputTokens: 256, disaggregated: true)
        #expect(p.tpotSeconds == decode.tpotSeconds)
        // Rate = min(48 / (prefill + transfer + 256 · TPOT), prefill pool rate); per chip over all 4 chips.
        let first = p.prefillSeconds + pair.transferSeconds(inputTokens: 1024)
        let prefillRate = pair.promptsPerSecondPerPrefillReplica(inputTokens: 1024)
        let rate = min(48 / (first + 256 * decode.tpotSeconds), prefillRate)
        #expect(abs(p.outputTokensPerSecondPerChip - rate * 256 / 4) / p.outputTokensPerSecondPerChip < 1e-9)
        // With 100,000 clients the prefill pool is the limit: TTFT = C / rate − 256 · TPOT (Little's law).
        let flooded = pair.predict(concurrency: 100_000, inputTokens: 1024, outputTokens: 256)
        let ttft = 100_000 / prefillRate - 256 * flooded.tpotSeconds
        #expect(abs(flooded.ttftSeconds - ttft) / ttft < 1e-9)
    }

    @Test func aFiniteRunOfPromptsPaysTheFirstBurstsPrefillAndARequestRateCapsStarts() throws {
        let chip = try chips.chip("h200-sxm")
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: Self.ideal))
        let pair = try DisaggregatedModel(prefill: perf, prefillReplicas: 1, decode: perf, decodeReplicas: 3)
        let steady = pair.predict(concurrency: 48, inputTokens: 4096, outputTokens: 256)
        let prefillRate = pair.promptsPerSecondPerPrefillReplica(inputTokens: 4096)
        let transfer = pair.transferSeconds(inputTokens: 4096)
        // One wave (48 prompts at concurrency 48): the prefill pool works through all 48 before the last decode
        // starts, so the run lasts 48 / prefill rate + transfer + 256 · TPOT and throughput is 48 · 256 over it.
        let wave = pair.predict(concurrency: 48, inputTokens: 4096, outputTokens: 256, prompts: 48)
        let duration = 48 / prefillRate + transfer + 256 * steady.tpotSeconds
        let expected = 48 * 256 / duration / 4
        #expect(abs(wave.outputTokensPerSecondPerChip - expected) / expected < 1e-9)
        #expect(wave.outputTokensPerSecondPerChip < steady.outputTokensPerSecondPerChip)
        // The decode step, and so TPOT, is the steady state's: only the run's length changes.
        #expect(wave.tpotSeconds == steady.tpotSeconds)
        // Many waves: the burst's share of the run vanishes and throughput tends to the steady state's.
        let long = pair.predict(concurrency: 48, inputTokens: 4096, outputTokens: 256, prompts: 48_000)
        #expect(long.outputTokensPerSecondPerChip > wave.outputTokensPerSecondPerChip)
        #expect(
            abs(long.outputTokensPerSecondPerChip - steady.outputTokensPerSecondPerChip)
                / steady.outputTokensPerSecondPerChip < 0.01
        )
        // A client request rate below what the loop sustains caps it: 1,000 prompts at 2 requests/s take at least
        // 500 s plus the last request's prefill, transfer and decode.
        let rated = pair.predict(
            concurrency: 48,
            inputTokens: 4096,
            outputTokens: 256,
            prompts: 1000,
            requestRate: 2
        )
        let ratedDuration = 1000.0 / 2 + steady.prefillSeconds + transfer + 256 * steady.tpotSeconds
        let ratedExpected = 1000 * 256 / ratedDuration / 4
        #expect(abs(rated.outputTokensPerSecondPerChip - ratedExpected) / ratedExpected < 1e-9)
    }

    @Test func kvTransferMovesTheWholeCacheOverThePrefillChipsLinks() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-70b")
        let perf = try PerformanceModel(
            Deployment(chip: chip, model: model, tensorParallel: 4, weightPrecision: .fp8, kvPrecision: .fp8)
        )
        let pair = try DisaggregatedModel(
            prefill: perf,
            prefillReplicas: 1,
            decode: perf,
            decodeReplicas: 1,
            transferBytesPerSecond: 50e9
        )
        // 163,840 KV elements per token × 1 B × 4096 tokens = 671 MB over 4 chips × 50 GB/s = 3.36 ms.
        #expect(abs(pair.transferSeconds(inputTokens: 4096) - 163_840 * 4096 / 200e9) < 1e-12)
    }

    @Test func poolRatioFeedsTheDecodePoolAndMeetsTheTTFTLimit() throws {
        let chip = try chips.chip("h200-sxm")
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model, weightPrecision: .fp8))
        let limits = ServiceLimits(ttftSeconds: 1, tpotSeconds: 0.03)
        let best = try #require(
            DisaggregatedModel.best(prefill: perf, decode: perf, inputTokens: 2048, outputTokens: 256, limits: limits)
        )
        #expect(best.prediction.ttftSeconds <= 1)
        #expect(best.prediction.tpotSeconds <= 0.03)
        // Demand of the decode replica in prompts/s = batch / (output × TPOT); the prefill pool runs at the
        // utilisation the TTFT limit allows, so it must supply at least that demand.
        let demand = Double(best.prediction.batch) / (256 * best.prediction.tpotSeconds)
        let supply = best.prefillReplicasPerDecodeReplica * perf.prefillThroughput(inputTokens: 2048) / 2048
        #expect(supply >= demand * 0.999)
    }

    // MARK: - Output consistency

    @Test func batchAboveKVCapacityIsRefusedWithTheCapacity() throws {
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: try chips.chip("h100-sxm"), model: model))
        // Output reserved at admission (the default): 2048 + 2048 = 4096 tokens per sequence.
        // (0.9 · 80 GB − 8.03e9 params · 2 B) / (65,536 elements · 2 B · 4096 tokens) = 104.2 → 104.
        let free = 0.9 * 80e9 - model.totalParams * 2
        let capacity = Int(free / (65_536 * 2 * 4096))
        #expect(perf.maxBatch(inputTokens: 2048, outputTokens: 2048) == capacity)
        #expect(throws: PerfModelError.exceedsCapacity(batch: capacity + 1, capacity: capacity, contextTokens: 4096)) {
            try perf.predictWithinCapacity(batch: capacity + 1, inputTokens: 2048, outputTokens: 2048)
        }
        let atCapacity = try perf.predictWithinCapacity(batch: capacity, inputTokens: 2048, outputTokens: 2048)
        #expect(atCapacity.limitedByCapacity)
        // The binding term is still named: capacity is reported apart.
        #expect([.compute, .weights, .kvReads, .interconnect, .overhead].contains(atCapacity.decodeBound))
    }

    @Test func pagedEnginesHoldHalfTheOutputOnAverage() throws {
        let model = try models.model("llama-3.1-8b")
        var deployment = Deployment(chip: try chips.chip("h100-sxm"), model: model)
        deployment.kvOutputReservation = 0.5
        let perf = try PerformanceModel(deployment)
        // Blocks taken as tokens are generated, sequences spread over their progress: 2048 + 2048/2 = 3072 tokens.
        // (0.9 · 80 GB − 8.03e9 · 2 B) / (65,536 · 2 B · 3072) = 138.9 → 138.
        let free = 0.9 * 80e9 - model.totalParams * 2
        #expect(perf.maxBatch(inputTokens: 2048, outputTokens: 2048) == Int(free / (65_536 * 2 * 3072)))
        let profiles = try EngineProfiles.builtIn()
        let vllm = try #require(profiles.profiles.first { $0.id == "vllm-rocm" })
        let trt = try #require(profiles.profiles.first { $0.id == "trt-llm" })
        #expect(vllm.configure(deployment).kvOutputReservation == 0.5)
        #expect(trt.configure(deployment).kvOutputReservation == 1)
    }

    @Test func smallestDeploymentCarriesTheEnginesKVReservation() throws {
        // `simulate --engine` without `--tp` sizes the deployment with `Deployment.smallest`; the engine's KV
        // reservation must reach it (issue 17: it stayed at 1, TensorRT-LLM's, for every engine).
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        let profiles = try EngineProfiles.builtIn()
        let sglang = try #require(profiles.profiles.first { $0.id == "sglang-cuda" })
        let paged = try Deployment.smallest(
            chip: chip,
            model: model,
            weightPrecision: .bf16,
            contextTokens: 4096,
            minimumBatch: 1,
            profile: sglang
        )
        let reserved = try Deployment.smallest(
            chip: chip,
            model: model,
            weightPrecision: .bf16,
            contextTokens: 4096,
            minimumBatch: 1
        )
        #expect(paged.deployment.kvOutputReservation == 0.5)
        #expect(reserved.deployment.kvOutputReservation == 1)
        // A sequence of 2,048 + 2,048 tokens holds 2,048 + 1,024 under SGLang and all 4,096 under the default.
        #expect(paged.heldTokens(inputTokens: 2048, outputTokens: 2048) == 3072)
        #expect(reserved.heldTokens(inputTokens: 2048, outputTokens: 2048) == 4096)
        #expect(
            paged.maxBatch(inputTokens: 2048, outputTokens: 2048)
                == paged.maxBatch(contextTokens: 3072)
        )
        #expect(
            paged.maxBatch(inputTokens: 2048, outputTokens: 2048)
                > reserved.maxBatch(inputTokens: 2048, outputTokens: 2048)
        )
    }

    @Test func batchSearchScalesWithDP() throws {
        let perf = try PerformanceModel(
            Deployment(
                chip: try chips.chip("h200-sxm"),
                model: try models.model("deepseek-v3"),
                dataParallelAttention: 16,
                weightPrecision: .fp8,
                kvPrecision: .fp8
            )
        )
        let curve = perf.bestThroughput(inputTokens: 128, outputTokens: 128, limits: ServiceLimits()).curve
        // Capacity per replica is far above 4,096 at 256 tokens of context, and the cap is 4,096 per DP rank.
        #expect((curve.map(\.batch).max() ?? 0) > 4096)
    }

    @Test func noBatchMeetingTheLimitsComesWithAReason() throws {
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h20"), model: try models.model("llama-3.1-70b"), tensorParallel: 8)
        )
        let limited = perf.bestThroughput(
            inputTokens: 2048,
            outputTokens: 256,
            limits: ServiceLimits(tpotSeconds: 0.0001)
        )
        #expect(limited.best == nil)
        #expect(limited.reason?.contains("batch 1 misses") == true)
    }

    // MARK: - Engines and calibration tiers

    @Test func engineWithoutAProfileForTheVendorFallsBackAndSaysSo() throws {
        let profiles = try EngineProfiles.builtIn()
        let ascend = try chips.chip("ascend-910c")
        let (profile, remark) = profiles.profile(engine: "trt-llm", chip: ascend)
        #expect(profile.id == "default")
        #expect(remark?.contains("vendor-class default") == true)
        #expect(profiles.profile(engine: "trt-llm", chip: try chips.chip("h100-sxm")).profile.id == "trt-llm")
    }

    @Test func theFallbackTakesTheChipVendorsFit() throws {
        let profiles = try EngineProfiles.builtIn()
        // A Huawei chip without a named engine takes the scales engines.yaml records for Huawei's rows.
        let huawei = try #require(profiles.vendorFits.first { $0.vendor == "Huawei" })
        let ascend = profiles.profile(engine: nil, chip: try chips.chip("ascend-910c")).profile
        #expect(ascend.id == "default")
        #expect(ascend.computeScale == huawei.computeScale && ascend.memoryScale == huawei.memoryScale)
        #expect(ascend.moe == huawei.moe)
        #expect(ascend.name.contains("Huawei fit"))
        // A vendor without rows (Cambricon) keeps the default profile's all-row fit.
        let cambricon = try chips.chip("mlu590")
        #expect(profiles.vendorFits.contains { $0.vendor == cambricon.vendor } == false)
        let plain = try #require(profiles.profiles.first { $0.id == "default" })
        let fallback = profiles.profile(engine: nil, chip: cambricon).profile
        #expect(fallback.computeScale == plain.computeScale && fallback.memoryScale == plain.memoryScale)
        #expect(fallback.moe == nil)
    }

    @Test func vendorFitsAreReadFromEnginesYAML() throws {
        let text = """
            profiles:
              - {id: default, engine: default, name: d, vendors: [], compute_scale: 0.8, memory_scale: 0.6, fit: f}
            vendor_fits:
              - vendor: NVIDIA
                compute_scale: 0.7
                memory_scale: 0.9
                moe: {compute_scale: 0.5, memory_scale: 0.4}
                fit: g
            """
        let profiles = try EngineProfiles.decode(text)
        let h100 = profiles.profile(engine: nil, chip: try chips.chip("h100-sxm")).profile
        #expect(h100.computeScale == 0.7 && h100.memoryScale == 0.9)
        // MoE models take the vendor's MoE scales: matrix 0.65 × 0.5, memory 0.8 × 0.4 of the default efficiency.
        let efficiency = h100.applied(to: .defaults, model: try models.model("deepseek-v3"))
        #expect(abs(efficiency.matrix - 0.325) < 1e-12 && abs(efficiency.memory - 0.32) < 1e-12)
        let mi300x = profiles.profile(engine: nil, chip: try chips.chip("mi300x")).profile
        #expect(mi300x.computeScale == 0.8 && mi300x.memoryScale == 0.6)
    }

    @Test func everyPredictionCarriesItsCalibrationTier() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        let spec = try PerformanceModel(Deployment(chip: chip, model: model))
        #expect(spec.predict(batch: 1, inputTokens: 8, outputTokens: 8).calibration == .specOnly)
        let calibration = Calibration.fromServing(measuredThroughput: 9, predictedThroughput: 10, resultIDs: ["s-1"])
        let served = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: calibration.efficiency))
        let tier = served.predict(batch: 1, inputTokens: 8, outputTokens: 8).calibration
        #expect(tier.kind == .servingResults)
        #expect(tier.resultIDs == ["s-1"])
    }
}
