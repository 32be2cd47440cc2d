import Catalogue
import Foundation
import PerfModel
import Testing

@Suite struct PerformanceModelTests {
    let chips: ChipCatalogue
    let models: ModelCatalogue

    init() throws {
        chips = try ChipCatalogue.load()
        models = try ModelCatalogue.load()
    }

    /// Efficiency 1 and no overheads, so hand calculations are exact rooflines.
    static let ideal = Efficiency(
        matrix: 1,
        memory: 1,
        interconnect: 1,
        collectiveLatencySeconds: 0,
        stepOverheadSeconds: 0,
        moeImbalance: 1,
        provenance: .estimate(reason: "test")
    )

    // MARK: - Architectures

    @Test func derivedParameterCountsMatchPublishedWithinTwoPercent() throws {
        #expect(models.models.count >= 8)
        for model in models.models {
            let published = try #require(model.publishedParams, "\(model.id) has no published parameter count")
            let error = abs(model.totalParams - published.value) / published.value
            #expect(error < 0.02, "\(model.id): derived \(model.totalParams), published \(published.value)")
            if let active = model.publishedActiveParams {
                let activeError = abs(model.activeParams - active.value) / active.value
                #expect(activeError < 0.02, "\(model.id): active \(model.activeParams) vs \(active.value)")
            }
        }
    }

    @Test func kvBytesPerTokenMatchGQAAndMLAFormulas() throws {
        // GQA: 2 · L · kv · head_dim = 2 · 80 · 8 · 128 = 163,840 elements (320 KiB in BF16).
        #expect(try models.model("llama-3.1-70b").kvElementsPerToken == 163_840)
        // 2 · 32 · 8 · 128 = 65,536 for Llama-3.1-8B.
        #expect(try models.model("llama-3.1-8b").kvElementsPerToken == 65_536)
        // MLA: L · (kv_lora_rank + rope) = 61 · (512 + 64) = 35,136 elements (68.6 KiB in BF16).
        #expect(try models.model("deepseek-v3").kvElementsPerToken == 35_136)
    }

    // MARK: - Rooflines

    @Test func batchOneDecodeOfDenseModelIsMemoryBoundAtWeightBytesOverBandwidth() throws {
        let model = try models.model("llama-3.1-8b")
        let chip = try chips.chip("h100-sxm")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model, efficiency: Self.ideal))
        let prediction = perf.predict(batch: 1, inputTokens: 1, outputTokens: 2, disaggregated: true)
        // Every weight but the input embedding is read once per step: (N − V·d) · 2 bytes / 3.35 TB/s ≈ 4.6 ms.
        let bytes = (model.totalParams - Double(model.vocab * model.hiddenSize)) * 2
        let expected = bytes / chip.memory.bandwidthBytesPerSecond.value
        #expect(abs(prediction.decodeStepSeconds - expected) / expected < 0.01)
        #expect(prediction.decodeBound == .weights)
    }

    @Test func longPromptPrefillIsComputeBound() throws {
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h100-sxm"), model: try models.model("llama-3.1-70b"), tensorParallel: 8)
        )
        let prediction = perf.predict(batch: 1, inputTokens: 8192, outputTokens: 128)
        #expect(prediction.prefillBound == .compute)
        // 2 · N · T FLOPs at least: 2 · 70.6e9 · 8192 / (8 · 989e12) ≈ 146 ms at full efficiency.
        #expect(prediction.prefillSeconds > 0.146)
    }

    @Test func decodeIsComputeBoundPastTheRidgeOnH20ButNotAtBatchOne() throws {
        // H20's ridge is 148e12 / 4e12 ≈ 37 FLOP/byte: a BF16 dense model (1 FLOP/byte per token) flips near batch 37.
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h20"), model: try models.model("llama-3.1-8b"), efficiency: Self.ideal)
        )
        #expect(
            perf.predict(batch: 1, inputTokens: 16, outputTokens: 16, disaggregated: true).decodeBound
                == .weights
        )
        #expect(
            perf.predict(batch: 256, inputTokens: 16, outputTokens: 16, disaggregated: true).decodeBound == .compute
        )
    }

    @Test func moeAtLargeBatchTouchesAllExpertsAndAtBatchOneOnlyK() throws {
        let perf = try PerformanceModel(
            Deployment(
                chip: try chips.chip("h200-sxm"),
                model: try models.model("deepseek-v3"),
                tensorParallel: 1,
                dataParallelAttention: 8,
                weightPrecision: .fp8
            )
        )
        // 256 experts over EP8 = 32 local. One token picks 8 of 256: 32 · (1 − (1 − 8/256)) = 1 expected.
        #expect(abs(perf.expertsTouchedPerChip(tokens: 1) - 1) < 1e-9)
        #expect(perf.expertsTouchedPerChip(tokens: 4096) > 31.99)
    }

    @Test func tensorParallelCommunicationAddsTime() throws {
        let model = try models.model("llama-3.1-70b")
        let chip = try chips.chip("h100-sxm")
        let tp4 = try PerformanceModel(Deployment(chip: chip, model: model, tensorParallel: 4))
        let tp8 = try PerformanceModel(Deployment(chip: chip, model: model, tensorParallel: 8))
        let a = tp4.predict(batch: 1, inputTokens: 128, outputTokens: 128)
        let b = tp8.predict(batch: 1, inputTokens: 128, outputTokens: 128)
        // Twice the shards do not halve the step: all-reduces and overhead remain.
        #expect(b.decodeStepSeconds > a.decodeStepSeconds / 2)
        #expect(b.decodeStepSeconds < a.decodeStepSeconds)
    }

    // MARK: - Limits and capacity

    @Test func bestThroughputMeetsLimitsAndTighterLimitsCostThroughput() throws {
        let perf = try PerformanceModel(
            Deployment(chip: try chips.chip("h20"), model: try models.model("llama-3.1-70b"), tensorParallel: 8)
        )
        let loose = perf.bestThroughput(
            inputTokens: 2048,
            outputTokens: 256,
            limits: ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.1)
        )
        let tight = perf.bestThroughput(
            inputTokens: 2048,
            outputTokens: 256,
            limits: ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.03)
        )
        let best = try #require(loose.best)
        #expect(best.tpotSeconds <= 0.1 && best.ttftSeconds <= 2)
        let tightBest = try #require(tight.best)
        #expect(tightBest.outputTokensPerSecondPerChip < best.outputTokensPerSecondPerChip)
        #expect(loose.curve.count >= 8)
        // Along the curve, per-user speed falls as per-chip throughput rises.
        let first = try #require(loose.curve.first)
        let last = try #require(loose.curve.last)
        #expect(first.outputTokensPerSecondPerUser > last.outputTokensPerSecondPerUser)
        #expect(first.outputTokensPerSecondPerChip < last.outputTokensPerSecondPerChip)
    }

    @Test func maxBatchFollowsFreeMemoryOverKVPerSequence() throws {
        let chip = try chips.chip("h100-sxm")
        let model = try models.model("llama-3.1-8b")
        let perf = try PerformanceModel(Deployment(chip: chip, model: model))
        // (0.9 · 80 GB − 16.06 GB) / (131,072 B/token · 4096 tokens) ≈ 104.
        let free = 0.9 * 80e9 - model.totalParams * 2
        let expected = Int(free / (65_536 * 2 * 4096))
        #expect(perf.maxBatch(contextTokens: 4096) == expected)
    }

    // MARK: - Impossible deployments

    @Test func modelThatDoesNotFitIsRefusedWithAReason() throws {
        #expect {
            try PerformanceModel(Deployment(chip: try chips.chip("h20"), model: try models.model("llama-3.1-405b")))
        } throws: { error in
            guard case .doesNotFit = error as? PerfModelError else { return false }
            return "\(error)".contains("does not fit")
        }
    }

    @Test func tensorParallelThatDoesNotDivideHeadsIsRefused() throws {
        #expect(
            throws: PerfModelError.tensorParallelDoesNotDivideHeads(
                model: "llama-3.1-70b",
                tp: 3,
                heads: 64,
                kvHeads: 8
            )
        ) {
            try PerformanceModel(
                Deployment(
                    chip: try chips.chip("h100-sxm"),
                    model: try models.model("llama-3.1-70b"),
                    tensorParallel: 3
                )
            )
        }
    }

    @Test func precisionTheChipLacksIsRefused() throws {
        let spec = Provenance.spec(source: "test")
        let chip = Chip(
            id: "bf16-only",
            vendor: "T",
            name: "T",
            market: .global,
            memory: .init(
                type: nil,
                capacityBytes: Sourced(80e9, spec),
                bandwidthBytesPerSecond: Sourced(2e12, spec),
                stacks: nil
            ),
            densePeak: [.bf16: Sourced(100e12, spec)]
        )
        #expect(throws: PerfModelError.unsupportedPrecision(chip: "bf16-only", precision: .fp32)) {
            try PerformanceModel(
                Deployment(chip: chip, model: try models.model("llama-3.1-8b"), activationPrecision: .fp32)
            )
        }
    }

    // MARK: - Calibration

    @Test func microBenchmarkCalibrationSetsEfficiencyFromMeasurements() throws {
        let chip = try chips.chip("h100-sxm")
        let calibration = try Calibration.fromMicroBenchmarks(
            chip: chip,
            precision: .bf16,
            measuredFLOPS: 700e12,
            measuredBandwidthBytesPerSecond: 3.0e12,
            resultIDs: ["r-gemm", "r-stream"]
        )
        #expect(abs(calibration.efficiency.matrix - 700 / 989.4) < 1e-3)
        #expect(abs(calibration.efficiency.memory - 3.0 / 3.35) < 1e-3)
        #expect(calibration.efficiency.provenance == .measured(resultID: "r-gemm,r-stream"))
        #expect(calibration.resultIDs == ["r-gemm", "r-stream"])
    }

    @Test func servingCalibrationScalesEfficiencyByMeasuredOverPredicted() {
        let calibration = Calibration.fromServing(measuredThroughput: 80, predictedThroughput: 100, resultIDs: ["s1"])
        #expect(abs(calibration.efficiency.matrix - Efficiency.defaults.matrix * 0.8) < 1e-12)
    }

    @Test func vendorEfficiencyDefaultsComeFromData() throws {
        #expect(Efficiency.defaults(for: try chips.chip("mi300x"), precision: .bf16).matrix == 0.45)
        #expect(Efficiency.defaults(for: try chips.chip("h100-sxm"), precision: .bf16).matrix == 0.65)
    }

    /// H20's tensor peak is cut to 148 dense BF16 TFLOPS on a GH100 with H100's memory system, and its attention
    /// kernels reach 126 of them (efficiency.yaml, `chips: h20`): matrix 0.85 over NVIDIA's 0.65; memory and links
    /// keep the defaults, and the 141 GB part (no measurement read) keeps 0.65. A Qwen3-32B prefill chunk of
    /// 16,384 tokens on one H20 is compute-bound in every layer (2 × 32.8 G × 16,384 ≈ 1.07 PFLOP ≈ 8.5 s at
    /// 0.85 × 148 TFLOPS); only the LM head's weight read (151,936 × 5,120 × 2 B = 1.56 GB ≈ 0.5 ms at 0.8 × 4 TB/s)
    /// is not, 6e-5 of the step. So the prefill throughput is 0.85 / 0.65 = 1.3077 times the default's, within 1e-3.
    @Test func h20MatrixEfficiencyIsItsOwn() throws {
        let h20 = try chips.chip("h20")
        let efficiency = Efficiency.defaults(for: h20, precision: .bf16)
        #expect(efficiency.matrix == 0.85)
        #expect(efficiency.memory == 0.80)
        #expect(efficiency.interconnect == 0.70)
        #expect(Efficiency.defaults(for: try chips.chip("h20-141gb"), precision: .bf16).matrix == 0.65)
        let model = try models.model("qwen3-32b")
        let own = try PerformanceModel(Deployment(chip: h20, model: model))
        let generic = try PerformanceModel(Deployment(chip: h20, model: model, efficiency: .defaults))
        let ratio =
            own.prefillThroughput(inputTokens: 2048, chunkTokens: 16384)
            / generic.prefillThroughput(inputTokens: 2048, chunkTokens: 16384)
        #expect(abs(ratio - 0.85 / 0.65) < 1e-3)
    }

    @Test func efficiencyProvenanceNamesEveryEntryThatAppliesInOrder() throws {
        // The defaults' reason, then the chip's own entry, then the precision's scale, each after its label.
        guard case .estimate(let reason) = Efficiency.defaults(for: try chips.chip("h20"), precision: .int4).provenance
        else {
            Issue.record("defaults are an estimate")
            return
        }
        #expect(reason.hasPrefix("Parity default efficiency (efficiency.yaml): large-shape cuBLASLt GEMMs"))
        let chip = try #require(reason.range(of: "; h20: H20 is a GH100"))
        let precision = try #require(reason.range(of: "; int4: weight-only int4 kernels"))
        #expect(chip.upperBound < precision.lowerBound)
        guard case .estimate(let amd) = Efficiency.defaults(for: try chips.chip("mi300x"), precision: .fp8).provenance
        else {
            Issue.record("defaults are an estimate")
            return
        }
        #expect(amd.contains("; AMD: public MI300X GEMM measurements"))
        #expect(!amd.contains("; fp8:"))
    }
}

@Suite struct CalibrationFileTests {
    @Test func calibrationRoundTripsThroughJSONWithItsResultIDs() throws {
        let calibration = Calibration.fromServing(
            measuredThroughput: 90,
            predictedThroughput: 100,
            resultIDs: ["serve-42"]
        )
        let data = try JSONEncoder().encode(calibration)
        let decoded = try JSONDecoder().decode(Calibration.self, from: data)
        #expect(decoded == calibration)
        #expect(decoded.efficiency.provenance == .measured(resultID: "serve-42"))
    }
}
