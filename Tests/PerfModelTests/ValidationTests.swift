import Catalogue
import Foundation
import PerfModel
import Testing

@Suite struct ValidationTests {
    @Test func evidenceSetHasEightyRowsSixChipsAndTenDomesticRows() throws {
        let rows = try PublishedServingResult.builtIn()
        #expect(rows.count >= 80)
        #expect(Set(rows.map(\.chip)).count >= 6)
        let domestic: Set = ["ascend-910b", "ascend-910c", "mtt-s5000"]
        #expect(rows.filter { domestic.contains($0.chip) }.count >= 10)
        for row in rows {
            #expect(row.source.hasPrefix("http"), "\(row.id) needs a source URL")
        }
    }

    @Test func everyRowIsPredictedOrSaysWhyNot() throws {
        let report = Validation.run(
            try PublishedServingResult.builtIn(),
            chips: try ChipCatalogue.load(),
            models: try ModelCatalogue.load(),
            profiles: try EngineProfiles.builtIn()
        )
        #expect(report.outcomes.count == (try PublishedServingResult.builtIn()).count)
        for outcome in report.outcomes where outcome.predicted == nil {
            #expect(!(outcome.remark ?? "").isEmpty, "\(outcome.row.id) is dropped without a reason")
        }
        #expect(report.overall.predicted >= 80)
    }

    @Test func leaveOneOutPredictionDoesNotDependOnTheRowsOwnValue() throws {
        // Changing a row's measured value must not change its own prediction (the fit excludes it), while the
        // in-sample fit may move.
        let rows = try PublishedServingResult.builtIn()
        let chips = try ChipCatalogue.load()
        let models = try ModelCatalogue.load()
        let profiles = try EngineProfiles.builtIn()
        let before = Validation.run(rows, chips: chips, models: models, profiles: profiles)
        // The first predicted row, and rows that exercise the terms added in session 15: an MLPerf server TTFT row
        // (Poisson arrivals) and a two-batch-overlap row (SGLang large-scale EP prefill).
        let first = try #require(before.outcomes.firstIndex { $0.predicted != nil })
        let poisson = try #require(
            before.outcomes.firstIndex {
                $0.predicted != nil && $0.row.scenario == "server" && $0.row.metric == .ttftMilliseconds
            }
        )
        let overlap = try #require(
            before.outcomes.firstIndex { $0.predicted != nil && ($0.remark ?? "").contains("two-batch overlap") }
        )
        // Session 16: a closed loop above vLLM's scheduler cap, and an MLPerf row with its data set's mean input.
        let capped = try #require(
            before.outcomes.firstIndex {
                $0.predicted != nil && $0.row.engine == "vllm-ascend" && ($0.row.concurrency ?? 0) > 256
                    && $0.row.mode == .aggregated
            }
        )
        let dataSet = try #require(
            before.outcomes.firstIndex {
                $0.predicted != nil && $0.row.model == "mixtral-8x7b" && $0.row.source.contains("mlcommons")
            }
        )
        // Session 16, second pass: a disaggregated closed loop of a stated number of prompts (one wave).
        let wave = try #require(
            before.outcomes.firstIndex {
                $0.predicted != nil && $0.row.mode == .disaggregated && $0.row.prompts == $0.row.concurrency
                    && $0.row.metric == .outputTokensPerSecondPerChip
            }
        )
        for index in [first, poisson, overlap, capped, dataSet, wave] {
            var changed = rows
            changed[index].value *= 10
            let after = Validation.run(changed, chips: chips, models: models, profiles: profiles)
            #expect(after.outcomes[index].predicted == before.outcomes[index].predicted, "\(rows[index].id)")
        }
    }

    @Test func mlperfRowsTakeTheirDataSetsMeanInputLength() throws {
        let report = Validation.run(
            try PublishedServingResult.builtIn(),
            chips: try ChipCatalogue.load(),
            models: try ModelCatalogue.load(),
            profiles: try EngineProfiles.builtIn()
        )
        // OpenOrca (Llama-2-70B): 222 tokens, the mean of MLCommons' 24,576-sample file, not the old 512.
        let llama2 = try #require(
            report.outcomes.first { $0.row.model == "llama-2-70b" && $0.row.source.contains("mlcommons") }
        )
        #expect((llama2.remark ?? "").contains("input length 222"))
        // OpenOrca's reference outputs are GPT-4's, so Llama-2 rows get no output spread; DeepSeek-R1's are the
        // model's own (cv² 1.57) and its rows say so.
        #expect(!(llama2.remark ?? "").contains("cv²"))
        let r1 = try #require(
            report.outcomes.first { $0.row.model == "deepseek-v3" && $0.row.source.contains("mlcommons") }
        )
        #expect((r1.remark ?? "").contains("cv² 1.57"))
        // Llama-3.1-8B, Mixtral-8x7B, Llama-3.1-405B and DeepSeek-R1 MLPerf rows are now expressible.
        for model in ["llama-3.1-8b", "mixtral-8x7b", "llama-3.1-405b", "deepseek-v3"] {
            let rows = report.outcomes.filter { $0.row.model == model && $0.row.source.contains("mlcommons") }
            #expect(!rows.isEmpty, "\(model)")
            let mean = try #require(Validation.mlperfDataSets[model]).meanInputTokens
            for outcome in rows where outcome.row.inputTokens == nil {
                #expect(outcome.predicted != nil, "\(outcome.row.id): \(outcome.remark ?? "")")
                #expect((outcome.remark ?? "").contains("input length \(mean)"), "\(outcome.row.id)")
            }
        }
    }

    @Test func rowsThatStateTheirPromptCountRunAFiniteClosedLoop() throws {
        let rows = try PublishedServingResult.builtIn()
        let chips = try ChipCatalogue.load()
        let models = try ModelCatalogue.load()
        let profiles = try EngineProfiles.builtIn()
        // The SGLang-Ascend low-latency rows send 32 prompts at concurrency 32 (one wave); the vLLM-Ascend PD row
        // 2,880 prompts at 8 requests/s. Both are read from the YAML.
        let wave = try #require(rows.firstIndex { $0.id == "sglang-ascend-a3-deepseek-r1-w8a8-32card-3.9k1k-ll20" })
        #expect(rows[wave].prompts == 32 && rows[wave].concurrency == 32)
        let rated = try #require(rows.firstIndex { $0.id == "vllm-ascend-a3-qwen3-235b-w8a8-pd-1p2d-c576" })
        #expect(rows[rated].prompts == 2880 && rows[rated].requestRate == 8)
        // Without the prompt count (steady state) each is predicted higher: the first burst's prefill and the
        // arrival cap lengthen the run. Alone in the set, a row is predicted at the unfitted scales either way.
        for index in [wave, rated] {
            var open = rows[index]
            open.prompts = nil
            open.requestRate = nil
            let stated = Validation.run([rows[index]], chips: chips, models: models, profiles: profiles)
            let steady = Validation.run([open], chips: chips, models: models, profiles: profiles)
            let finite = try #require(stated.outcomes.first?.predicted)
            let unbounded = try #require(steady.outcomes.first?.predicted)
            #expect(finite < unbounded * 0.95, "\(rows[index].id)")
        }
    }

    @Test func trtllmBenchRowsRunTheHeuristicBatchInWavesOfTheirPromptCount() throws {
        let rows = try PublishedServingResult.builtIn()
        let chips = try ChipCatalogue.load()
        let models = try ModelCatalogue.load()
        let profiles = try EngineProfiles.builtIn()
        // Session 17: TensorRT-LLM perf-overview rows run trtllm-bench's max_batch_size (64 per rank for
        // DeepSeek-R1 1024/8192 on 8 H200, see FiniteRunTests), and 1,500 identical prompts at 8 × 64 = 512 make
        // 2 full waves and a last one of 476, below the steady state at that batch.
        let index = try #require(rows.firstIndex { $0.id == "trtllm-perf-deepseek-r1-1k8k-h200-dep8" })
        #expect(rows[index].prompts == 1500)
        let stated = Validation.run([rows[index]], chips: chips, models: models, profiles: profiles)
        let outcome = try #require(stated.outcomes.first)
        #expect((outcome.remark ?? "").contains("max_batch_size heuristic: 64 per attention-DP rank"))
        var open = rows[index]
        open.prompts = nil
        let steady = Validation.run([open], chips: chips, models: models, profiles: profiles)
        let finite = try #require(outcome.predicted)
        let unbounded = try #require(steady.outcomes.first?.predicted)
        #expect(finite < unbounded)
        // The same row from a source that is not trtllm-bench's perf-overview runs at its KV capacity instead
        // (86 per rank at the unfitted scales), a larger batch.
        var other = open
        other.source = "https://example.org/another-benchmark"
        let uncapped = Validation.run([other], chips: chips, models: models, profiles: profiles)
        #expect(try #require(uncapped.outcomes.first?.predicted) > unbounded)
    }

    @Test func summaryComputesMedianAndMeanOfAbsoluteErrors() throws {
        let row = try #require(try PublishedServingResult.builtIn().first)
        let outcomes = [0.1, -0.3, 0.2].map {
            ValidationOutcome(row: row, predicted: 1, relativeError: $0, remark: nil)
        }
        let summary = Validation.summary(outcomes)
        #expect(abs(summary.medianAbsolutePercentError - 20) < 1e-9)
        #expect(abs(summary.meanAbsolutePercentError - 20) < 1e-9)
        #expect(abs(summary.medianSignedPercentError - 10) < 1e-9)
    }

    @Test func duplicateRowIDsAreRefused() {
        let text = """
            rows:
            - {id: a, chip: h20, model: llama-3.1-8b, scenario: offline, mode: aggregated, \
            metric: output_tokens_per_s_per_chip, value: 1, engine: sglang, framework: x, source_kind: vendor, \
            source: 'https://x'}
            - {id: a, chip: h20, model: llama-3.1-8b, scenario: offline, mode: aggregated, \
            metric: output_tokens_per_s_per_chip, value: 1, engine: sglang, framework: x, source_kind: vendor, \
            source: 'https://x'}
            """
        #expect(throws: CatalogueError.self) { try PublishedServingResult.load(text: text) }
    }
}

@Suite struct ValidationSpreadTests {
    @Test func spreadIsTheRootMeanSquareOfLogErrorsOfTheRegime() throws {
        let row = try #require(try PublishedServingResult.builtIn().first)
        // Five rows predicted at e and 1/e of the measured value: log errors ±1, so σ = 1.
        let outcomes = (0..<5).map { index in
            var copy = row
            copy.value = 100
            let predicted = index % 2 == 0 ? 100 * M_E : 100 / M_E
            return ValidationOutcome(
                row: copy,
                predicted: predicted,
                relativeError: predicted / 100 - 1,
                remark: nil,
                regimes: ["architecture": "dense"]
            )
        }
        let report = ValidationReport(
            outcomes: outcomes,
            overall: Validation.summary(outcomes),
            regimes: Validation.regimeSummaries(outcomes),
            fits: [],
            unfittedOverall: Validation.summary(outcomes),
            unfittedRegimes: []
        )
        let sigma = try #require(report.spread(dimension: "architecture", value: "dense"))
        #expect(abs(sigma - 1) < 1e-12)
        #expect(report.spread(dimension: "architecture", value: "moe") == nil)
    }
}
