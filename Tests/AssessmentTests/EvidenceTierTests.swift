import Catalogue
import Foundation
import Measure
import PerfModel
import Testing

@testable import Assessment

/// Evidence tiers (issue 16): each serving cell rests on the strongest evidence each chip has for a matching
/// scenario, and differences between the two sides widen the interval with a stated reason.
@Suite struct EvidenceTierTests {
    static let decode = Workload.comparedWorkloads[0]

    /// A published row for a constructed chip; fields not given are absent, as in the data set.
    static func row(
        _ id: String,
        chip: String,
        value: Double,
        engine: String = "sglang",
        precision: Precision? = .fp8,
        tpot: Double? = 50,
        input: Int? = 4096,
        output: Int? = 1536,
        mode: ServingMode = .decodeOnly,
        speculative: String? = nil
    ) throws -> PublishedServingResult {
        var yaml = """
            rows:
              - id: \(id)
                chip: \(chip)
                model: deepseek-v3
                scenario: decode
                mode: \(mode.rawValue)
                metric: output_tokens_per_s_per_chip
                value: \(value)
                engine: \(engine)
                framework: \(engine)
                source: "https://example.test/\(id)"
                source_kind: paper

            """
        if let precision { yaml += "    weight_precision: \(precision.rawValue)\n" }
        if let tpot { yaml += "    tpot_limit_ms: \(tpot)\n" }
        if let input { yaml += "    input_tokens: \(input)\n" }
        if let output { yaml += "    output_tokens: \(output)\n" }
        if let speculative { yaml += "    speculative: {method: \(speculative)}\n" }
        return try #require(try PublishedServingResult.load(text: yaml, file: "test.yaml").first)
    }

    static func options(
        _ rows: [PublishedServingResult],
        serving: [ServingInput] = [],
        suite: [Workload] = [decode]
    ) -> AssessmentOptions {
        AssessmentOptions(
            candidates: [Fixture.chip("cand", bf16: 400, bandwidth: 3)],
            references: [Fixture.chip("ref", bf16: 150, bandwidth: 4, market: .chinaSpecific)],
            suite: suite,
            resamples: 4000,
            servingResults: serving,
            published: rows
        )
    }

    @Test func publishedRowsOnBothSidesDecideTheCellAndAreCited() throws {
        let rows = [
            try Self.row("c-50", chip: "cand", value: 1_800),
            try Self.row("r-50", chip: "ref", value: 600),
        ]
        let assessment = try Assessor.run(Self.options(rows), models: try ModelCatalogue.load())
        let ratio = try #require(assessment.comparisons.first?.ratios.first)
        #expect(ratio.tiers == [.published, .published])
        #expect(ratio.ratio == 3)  // 1,800 ÷ 600
        #expect(ratio.sources?.first?.hasPrefix("c-50: https://example.test/c-50") == true)
        #expect(ratio.note == nil, "identical setups: no penalty")
        // Spread: each side σ 0.10 (one published figure), so the ratio's log has σ √2·0.10 = 0.1414 and the
        // 95 % interval is about 3·e^(±1.96·0.1414) = 2.27…3.96.
        let interval = try #require(ratio.interval)
        #expect(abs(interval.lower - 2.27) < 0.12 && abs(interval.upper - 3.96) < 0.2, "\(interval)")
        #expect(assessment.comparisons[0].tierCounts == [.published: 1])
    }

    @Test func differingSetupsWidenTheIntervalAndSaySo() throws {
        let same = [
            try Self.row("c", chip: "cand", value: 1_800),
            try Self.row("r", chip: "ref", value: 600),
        ]
        // Another engine and INT8 weights on the candidate, MTP on the reference only: penalties σ 0.10, 0.05
        // (INT8 for FP8 in the matching) and, between the sides, 0.10 (engines), 0.15 (MTP), 0.05 (precisions).
        let differing = [
            try Self.row("c", chip: "cand", value: 1_800, engine: "other", precision: .int8),
            try Self.row("r", chip: "ref", value: 600, speculative: "mtp"),
        ]
        let models = try ModelCatalogue.load()
        let narrow = try #require(
            try Assessor.run(Self.options(same), models: models).comparisons[0].ratios[0].interval
        )
        let ratio = try Assessor.run(Self.options(differing), models: models).comparisons[0].ratios[0]
        let wide = try #require(ratio.interval)
        #expect(ratio.ratio == 3)
        #expect(log(wide.upper / wide.lower) > 1.5 * log(narrow.upper / narrow.lower))
        let note = try #require(ratio.note)
        #expect(note.contains("engines differ (other vs sglang), σ 0.1"))
        #expect(note.contains("MTP on the reference side only, σ 0.15"))
        #expect(note.contains("precisions differ (int8 vs fp8), σ 0.05"))
    }

    @Test func rowsThatMissTheLimitOrTheModeDoNotMatch() throws {
        let chip = Fixture.chip("cand", bf16: 400, bandwidth: 3)
        let rows = [
            try Self.row("loose", chip: "cand", value: 5_000, tpot: 100),  // a looser TPOT target than 50 ms
            try Self.row("none", chip: "cand", value: 5_000, tpot: nil),  // no latency target
            try Self.row("aggregated", chip: "cand", value: 5_000, mode: .aggregated),
            try Self.row("short", chip: "cand", value: 5_000, input: 1_000),  // input ÷ 4.1: outside ×2
        ]
        #expect(ServingMatcher.published(rows, chip: chip, workload: Self.decode, spread: 0.1) == nil)
        // A stricter target matches, as a conservative figure (σ 0.05), and lengths not stated cost σ 0.10 each.
        let strict = try Self.row("strict", chip: "cand", value: 900, tpot: 30, input: nil, output: nil)
        let evidence = try #require(ServingMatcher.published([strict], chip: chip, workload: Self.decode, spread: 0.1))
        #expect(evidence.value == 900)
        // √(0.10² + 0.05² + 0.10² + 0.10²) = 0.1803
        #expect(abs(evidence.sigma - 0.1803) < 0.0005)
        #expect(evidence.note?.contains("held to TPOT ≤ 30 ms") == true)
    }

    @Test func amongCloseMatchesTheBestOperatingPointWins() throws {
        let chip = Fixture.chip("cand", bf16: 400, bandwidth: 3)
        let rows = [
            try Self.row("a", chip: "cand", value: 700),
            try Self.row("b", chip: "cand", value: 900, precision: .int8),  // σ 0.05 further: still competes
            try Self.row("c", chip: "cand", value: 2_000, precision: .int4),  // σ 0.15 further: does not
        ]
        let evidence = try #require(ServingMatcher.published(rows, chip: chip, workload: Self.decode, spread: 0.1))
        #expect(evidence.value == 900)
        #expect(evidence.source?.hasPrefix("b:") == true)
    }

    static func run(
        _ id: String,
        chip: String,
        perChip: Double,
        engine: String = "vllm",
        tpotMs: Double = 30
    ) -> ServingMeasurement {
        ServingMeasurement(
            id: id,
            chip: chip,
            chips: 8,
            deployment: .init(tensorParallel: 8),
            scenario: .init(
                model: "llama-3.1-8b",
                weightPrecision: .bf16,
                input: .fixed(2048),
                output: .fixed(256),
                load: .init(maxConcurrency: 64)
            ),
            engine: .init(name: engine, version: "0.11.0"),
            time: Date(timeIntervalSince1970: 1_790_000_000),
            metrics: .init(
                durationSeconds: 60,
                completed: 1_000,
                failed: 0,
                requestsPerSecond: 16,
                outputTokensPerSecond: perChip * 8,
                totalTokensPerSecond: perChip * 8 * 9,
                ttft: .init(meanMilliseconds: 300, medianMilliseconds: 280),
                tpot: .init(meanMilliseconds: tpotMs, medianMilliseconds: tpotMs)
            ),
            provenance: "parity bench serve"
        )
    }

    @Test func measuredRunsOutrankPublishedAndGiveABootstrapOverRuns() throws {
        let workload = Workload.defaultSuite()[5]  // serve-llama-3.1-8b: 2048→256, TTFT ≤ 2 s, TPOT ≤ 50 ms
        #expect(workload.id == "serve-llama-3.1-8b")
        let runs =
            [1_000.0, 1_100, 1_050].enumerated().map {
                ServingInput(measurement: Self.run("c\($0.0)", chip: "cand", perChip: $0.1))
            }
            + [500.0, 520, 510].enumerated().map {
                ServingInput(
                    measurement: Self.run("r\($0.0)", chip: "ref", perChip: $0.1),
                    tier: .submitted,
                    reference: "sub-1"
                )
            }
        let assessment = try Assessor.run(
            Self.options([], serving: runs, suite: [workload]),
            models: try ModelCatalogue.load()
        )
        let ratio = try #require(assessment.comparisons.first?.ratios.first)
        #expect(ratio.tiers == [.measured, .submitted])
        // Medians 1,050 and 510 per chip: 2.06; the interval comes from resampling the three runs on each side.
        #expect(abs((ratio.ratio ?? 0) - 1_050.0 / 510.0) < 1e-9)
        let interval = try #require(ratio.interval)
        #expect(interval.lower >= 1_000.0 / 520.0 - 1e-9 && interval.upper <= 1_100.0 / 500.0 + 1e-9)
        #expect(ratio.note?.contains("engines differ") != true)
        // A run that missed the TPOT limit (80 ms > 50 ms) is not evidence for the workload.
        let slow = ServingInput(measurement: Self.run("slow", chip: "cand", perChip: 5_000, tpotMs: 80))
        #expect(
            ServingMatcher.measured(
                [slow],
                chip: Fixture.chip("cand", bf16: 400, bandwidth: 3),
                workload: workload,
                tier: .measured
            )
                == nil
        )
    }

    @Test func aChipWithRunsGetsItsModelCalibratedForOtherWorkloads() throws {
        let runs = [ServingInput(measurement: Self.run("c1", chip: "cand", perChip: 800))]
        let other = Workload.defaultSuite()[6]  // serve-llama-3.1-70b: no run of it
        let assessment = try Assessor.run(
            Self.options([], serving: runs, suite: [other]),
            models: try ModelCatalogue.load()
        )
        let evidence = try #require(assessment.evidence(chip: "cand", workload: other.id))
        #expect(evidence.tier == .modelledCalibrated)
        #expect(evidence.source == "calibrated from c1")
        #expect(assessment.evidence(chip: "ref", workload: other.id)?.tier == .modelled)
    }

    @Test func builtInAssessmentComparesAscend910CWithH20OnPublishedDeepSeekDecode() throws {
        let chips = try ChipCatalogue.load()
        let assessment = try Assessor.run(
            AssessmentOptions(
                candidates: [try chips.chip("ascend-910c")],
                references: [try chips.chip("h20")],
                suite: [Self.decode],
                resamples: 1000
            ),
            models: try ModelCatalogue.load()
        )
        let ratio = try #require(assessment.comparisons.first?.ratios.first)
        #expect(ratio.tiers == [.published, .published])
        let sources = try #require(ratio.sources)
        // CloudMatrix384 (Huawei's paper) for the 910C and Ant Group's SGLang deployment for the H20, both at
        // TPOT ≤ 50 ms (docs/evidence-sources.md).
        #expect(sources[0].hasPrefix("cloudmatrix384-deepseek-r1-decode-tpot50:"))
        #expect(sources[1].hasPrefix("antgroup-sglang-deepseek-r1-h20-decode-inferx-pro:"))
        #expect(ratio.note?.contains("MTP on the reference side only") == true)
    }

    @Test func workloadsAreDefinedInYAML() throws {
        let workloads = try Workload.load(
            text: """
                workloads:
                  - {id: my-decode, model: deepseek-v3, precision: fp8, input: 4096, output: 1536, tpot_ms: 50, mode: decode-only}
                  - {id: my-bw, spec: memory-bandwidth}
                """,
            file: "w.yaml"
        )
        #expect(workloads.map(\.id) == ["my-decode", "my-bw"])
        #expect(workloads[0].servingMode == .decodeOnly && workloads[0].limits?.tpotSeconds == 0.05)
        #expect(workloads[1].kind == .spec && workloads[1].unit == "B/s")
        #expect(throws: CatalogueError.self) {
            try Workload.load(text: "workloads:\n  - {id: x, model: deepseek-v3}\n", file: "w.yaml")
        }
        #expect(throws: CatalogueError.self) {
            try Workload.load(text: "workloads:\n  - &a {id: x, spec: memory-bandwidth}\n", file: "w.yaml")
        }
    }

    @Test func assessmentsWrittenBeforeTiersStillRead() throws {
        let old =
            #"{"value":1,"provenance":{"spec":{"source":"x"}},"inputs":[],"estimatedInputs":[],"assumedInputs":[],"sigma":0.05}"#
        let evidence = try JSONDecoder().decode(Evidence.self, from: Data(old.utf8))
        #expect(evidence.tier == .spec)
    }
}
