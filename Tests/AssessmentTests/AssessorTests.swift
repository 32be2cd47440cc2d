import Catalogue
import Foundation
import Measure
import PerfModel
import Testing

@testable import Assessment

/// Constructed chips with known figures, so that every ratio can be computed by hand.
enum Fixture {
    static func chip(
        _ id: String,
        bf16 tflops: Double,
        bandwidth tbps: Double,
        capacity gb: Double = 96,
        estimated: Bool = false,
        market: Market = .domesticChina
    ) -> Chip {
        let provenance: Provenance =
            estimated ? .estimate(reason: "constructed for a test") : .spec(source: "https://example.test/\(id)")
        return Chip(
            id: id,
            vendor: "Test",
            name: id.uppercased(),
            market: market,
            memory: Chip.Memory(
                type: Sourced("HBM3", provenance),
                capacityBytes: Sourced(gb * 1e9, provenance),
                bandwidthBytesPerSecond: Sourced(tbps * 1e12, provenance),
                stacks: nil
            ),
            densePeak: [.bf16: Sourced(tflops * 1e12, provenance), .fp8: Sourced(2 * tflops * 1e12, provenance)],
            scaleUp: Chip.ScaleUp(
                name: nil,
                bandwidthBytesPerSecond: Sourced(900e9, provenance),
                domainSize: Sourced(8, provenance)
            )
        )
    }

    static let specSuite = Workload.defaultSuite().filter { $0.kind == .spec }

    static func models() throws -> ModelCatalogue { try ModelCatalogue.load() }
}

@Suite struct AssessorTests {
    @Test func specRatiosAreCandidateOverReference() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4, market: .chinaSpecific)
        let candidate = Fixture.chip("cand", bf16: 200, bandwidth: 2, capacity: 48)
        let result = try Assessor.run(
            AssessmentOptions(candidates: [candidate], references: [reference], suite: Fixture.specSuite),
            models: Fixture.models()
        )
        let comparison = try #require(result.comparisons.first)
        let ratios = Dictionary(uniqueKeysWithValues: comparison.ratios.map { ($0.workload, $0.ratio) })
        #expect(ratios["bf16-matmul"] == 2)
        #expect(ratios["8bit-matmul"] == 2)
        #expect(ratios["memory-bandwidth"] == 0.5)
        #expect(ratios["memory-capacity"] == 0.5)
        #expect(ratios["scale-up"] == 1)
        // Geometric mean of 2, 2, 0.5, 0.5, 1 is 1.
        #expect(abs((comparison.composite ?? 0) - 1) < 1e-12)
        let interval = try #require(comparison.interval)
        #expect(interval.lower < 1 && interval.upper > 1)
        #expect(comparison.verdict == .inconclusive)
        #expect(comparison.confidence == .high)
    }

    @Test func clearMarginsGiveVerdicts() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4, market: .chinaSpecific)
        let twice = Fixture.chip("twice", bf16: 200, bandwidth: 8, capacity: 192)
        let same = Fixture.chip("same", bf16: 100, bandwidth: 4)
        let half = Fixture.chip("half", bf16: 50, bandwidth: 2, capacity: 48)
        let suite = Fixture.specSuite.filter { $0.id != "scale-up" }
        let result = try Assessor.run(
            AssessmentOptions(
                candidates: [twice, same, half],
                references: [reference],
                suite: suite,
                tolerance: 0.25
            ),
            models: Fixture.models()
        )
        let verdicts = Dictionary(uniqueKeysWithValues: result.comparisons.map { ($0.candidate, $0.verdict) })
        #expect(verdicts["twice"] == .exceeds)
        #expect(verdicts["same"] == .comparable)
        #expect(verdicts["half"] == .below)
    }

    @Test func estimatesWidenIntervalsAndLowerConfidence() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4, market: .chinaSpecific)
        let sourced = Fixture.chip("sourced", bf16: 100, bandwidth: 4)
        let estimated = Fixture.chip("estimated", bf16: 100, bandwidth: 4, estimated: true)
        let result = try Assessor.run(
            AssessmentOptions(candidates: [sourced, estimated], references: [reference], suite: Fixture.specSuite),
            models: Fixture.models()
        )
        let bySource = Dictionary(uniqueKeysWithValues: result.comparisons.map { ($0.candidate, $0) })
        let tight = try #require(bySource["sourced"]?.interval)
        let wide = try #require(bySource["estimated"]?.interval)
        #expect(wide.upper - wide.lower > 2 * (tight.upper - tight.lower))
        #expect(bySource["sourced"]?.confidence == .high)
        #expect(bySource["estimated"]?.confidence == .low)
        #expect(bySource["estimated"]?.estimatedShare == 1)
        #expect(bySource["sourced"]?.verdict == .comparable)
    }

    @Test func bootstrapIsReproducibleUnderASeed() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4, market: .chinaSpecific)
        let candidate = Fixture.chip("cand", bf16: 120, bandwidth: 3, estimated: true)
        func run(seed: UInt64) throws -> Assessment {
            try Assessor.run(
                AssessmentOptions(candidates: [candidate], references: [reference], seed: seed),
                models: Fixture.models(),
                generatedAt: Date(timeIntervalSince1970: 0)
            )
        }
        let first = try run(seed: 42)
        let again = try run(seed: 42)
        let other = try run(seed: 43)
        #expect(first == again)
        #expect(first.comparisons[0].interval != nil)
        #expect(first.comparisons[0].interval != other.comparisons[0].interval)
        // Point estimates do not depend on the seed.
        #expect(first.comparisons[0].composite == other.comparisons[0].composite)
    }

    @Test func measurementsOnBothSidesReplaceSpecFigures() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4, market: .chinaSpecific)
        let candidate = Fixture.chip("cand", bf16: 200, bandwidth: 2)
        let measured = [
            BenchmarkResult(
                id: "m-ref",
                chip: "ref",
                benchmark: .gemm,
                precision: .bf16,
                unit: "FLOP/s",
                samples: [70e12, 71e12, 69e12, 70e12, 70e12],
                backend: "test"
            ),
            BenchmarkResult(
                id: "m-cand",
                chip: "cand",
                benchmark: .gemm,
                precision: .bf16,
                unit: "FLOP/s",
                samples: [105e12, 104e12, 106e12, 105e12, 105e12],
                backend: "test"
            ),
            // Only one side has a bandwidth measurement: spec figures are compared instead.
            BenchmarkResult(
                id: "m-bw",
                chip: "cand",
                benchmark: .streamTriad,
                unit: "B/s",
                samples: [1.5e12, 1.6e12],
                backend: "test"
            ),
        ]
        let result = try Assessor.run(
            AssessmentOptions(
                candidates: [candidate],
                references: [reference],
                suite: Fixture.specSuite,
                measurements: measured
            ),
            models: Fixture.models()
        )
        let ratios = Dictionary(uniqueKeysWithValues: result.comparisons[0].ratios.map { ($0.workload, $0) })
        let gemm = try #require(ratios["bf16-matmul"])
        #expect(gemm.basis == ["measured", "measured"])
        #expect(abs((gemm.ratio ?? 0) - 1.5) < 1e-12)
        let interval = try #require(gemm.interval)
        // Resampled medians: 104/71 … 106/69, all well above 1.1.
        #expect(interval.lower >= 104.0 / 71 - 1e-9 && interval.upper <= 106.0 / 69 + 1e-9)
        #expect(gemm.verdict == .exceeds)
        #expect(gemm.confidence == .high)
        let bandwidth = try #require(ratios["memory-bandwidth"])
        #expect(bandwidth.basis == ["spec", "spec"])
        #expect(bandwidth.note?.contains("one side") == true)
        #expect(result.evidence(chip: "cand", workload: "bf16-matmul")?.provenance == .measured(resultID: "m-cand"))
    }

    @Test func servingWorkloadsAreModelledWithCurves() throws {
        let chips = try ChipCatalogue.load()
        let h20 = try chips.chip("h20")
        let b910 = try chips.chip("ascend-910b")
        let suite = Workload.defaultSuite().filter { $0.id == "serve-llama-3.1-8b" }
        let result = try Assessor.run(
            AssessmentOptions(candidates: [b910], references: [h20], suite: suite),
            models: Fixture.models()
        )
        let evidence = try #require(result.evidence(chip: "h20", workload: "serve-llama-3.1-8b"))
        #expect(evidence.value > 0)
        guard case .modelled(let model, let assumptions) = evidence.provenance else {
            Issue.record("serving evidence must be modelled")
            return
        }
        #expect(model == PerformanceModel.version)
        #expect(assumptions.contains("TPOT ≤ 50 ms"))
        #expect(result.curves.count == 2)
        #expect(result.curves.allSatisfy { !$0.points.isEmpty })
        // The 910B's bandwidth is an estimate in the catalogue, so its serving figure is low confidence.
        #expect(result.evidence(chip: "ascend-910b", workload: "serve-llama-3.1-8b")?.confidence == .low)
    }

    @Test func aChipThatCannotRunAWorkloadIsFloored() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4, market: .chinaSpecific)
        let tiny = Fixture.chip("tiny", bf16: 100, bandwidth: 4, capacity: 1)
        let suite = Workload.defaultSuite().filter { $0.id == "serve-llama-3.1-70b" }
        let result = try Assessor.run(
            AssessmentOptions(candidates: [tiny], references: [reference], suite: suite),
            models: Fixture.models()
        )
        let ratio = try #require(result.comparisons[0].ratios.first)
        #expect(ratio.candidateValue == 0)
        #expect(ratio.ratio == Assessor.ratioFloor)
        #expect(ratio.verdict == .below)
        #expect(ratio.note?.contains("cannot run") == true)
    }

    @Test func badInputIsRefused() throws {
        let reference = Fixture.chip("ref", bf16: 100, bandwidth: 4)
        let models = try Fixture.models()
        #expect(throws: AssessmentError.emptySuite) {
            try Assessor.run(
                AssessmentOptions(candidates: [reference], references: [reference], suite: []),
                models: models
            )
        }
        #expect(throws: AssessmentError.noCandidates) {
            try Assessor.run(AssessmentOptions(candidates: [], references: [reference]), models: models)
        }
        #expect(throws: AssessmentError.self) {
            try Assessor.run(
                AssessmentOptions(candidates: [reference], references: [reference], tolerance: 1.5),
                models: models
            )
        }
    }
}
