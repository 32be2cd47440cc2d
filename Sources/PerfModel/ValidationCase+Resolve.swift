import Catalogue
import Foundation

extension ValidationCase {
    /// Translates a published row into the model's terms, or says why it cannot be.
    ///
    /// Gaps are filled by stated rules, never per row: an unstated layout is the smallest tensor-parallel group that
    /// holds the model (dense, and MoE that fits on one chip) or attention DP + expert parallelism over the row's
    /// chips (MoE that does not; the large-EP layout); an unstated weight precision is FP8 where the chip has it,
    /// else BF16; an unstated KV precision follows the engine profile; an unstated MLPerf input length is the
    /// data set's mean (`Validation.mlperfDataSets`). Every rule applied is named in the remarks.
    static func resolve(
        _ row: PublishedServingResult,
        chips catalogue: ChipCatalogue,
        models: ModelCatalogue,
        profiles: EngineProfiles
    ) -> Result<ValidationCase, Unexpressible> {
        guard let model = try? models.model(row.model) else {
            return .failure(Unexpressible("model '\(row.model)' is not in the model catalogue"))
        }
        guard var chip = try? catalogue.chip(row.chip) else {
            return .failure(
                Unexpressible("chip '\(row.chip)' is not in this chip catalogue (skipped until the catalogue has it)")
            )
        }
        guard let chips = row.chips else {
            return .failure(Unexpressible("the number of chips is not stated, so no per-chip figure can be modelled"))
        }
        var remarks: [String] = []
        // A stated engine clock cap scales the matrix peaks, which the catalogue quotes at the chip's peak clock;
        // memory bandwidth runs on its own clock and is untouched.
        if let clock = row.engineClockMHz, clock > 0 {
            if let peak = chip.peakEngineClockMHz.map({ Double($0.value) }) {
                chip = chip.clockedMatrixPeaks(fraction: clock / peak)
                remarks.append(
                    "engine clock capped at \(Quantity.trimmed(clock, digits: 0)) MHz by the run (peaks quoted at "
                        + "\(Quantity.trimmed(peak, digits: 0)) MHz): matrix peaks × \(Quantity.trimmed(clock / peak, digits: 3))"
                )
            } else {
                remarks.append(
                    "engine clock capped at \(Quantity.trimmed(clock, digits: 0)) MHz by the run, but the catalogue has "
                        + "no peak engine clock for \(chip.id): not applied"
                )
            }
        }
        let engine = row.engine == "other" ? nil : row.engine
        var (profile, profileRemark) = profiles.profile(engine: engine, chip: chip)
        if row.engine == "other" {
            profileRemark = "engine not named (the operator's own stack): vendor-class default profile"
        }
        if let profileRemark { remarks.append(profileRemark) }

        let weights: Precision
        if let stated = row.weightPrecision {
            weights = stated
        } else {
            weights = chip.densePeak[.fp8] != nil ? .fp8 : .bf16
            remarks.append("weight precision not stated: \(weights.rawValue) assumed")
        }
        let kv: Precision
        if let stated = row.kvPrecision {
            kv = stated
        } else {
            kv = profile.kvPrecision(weights: weights)
            remarks.append("KV precision not stated: \(kv.rawValue) (\(profile.id) convention)")
        }
        let activations = profile.activationPrecision(weights: weights)

        // Lengths.
        let input: Int
        var outputLengthCV2 = 0.0
        if row.source.contains("mlcommons"), let dataSet = Validation.mlperfDataSets[model.id],
            dataSet.outputCV2 > 0
        {
            outputLengthCV2 = dataSet.outputCV2
            remarks.append(
                "output lengths vary (cv² \(Quantity.trimmed(dataSet.outputCV2, digits: 2)), \(dataSet.name)): "
                    + "the running batch's mean context is I + (1 + cv²) · O / 2"
            )
        }
        if let stated = row.inputTokens {
            input = stated
        } else if row.source.contains("mlcommons"), let dataSet = Validation.mlperfDataSets[model.id] {
            input = dataSet.meanInputTokens
            remarks.append(
                "input length \(input): mean of MLPerf's \(dataSet.name) data set (\(dataSet.samples) samples; not in the log)"
            )
        } else if row.source.contains("mlcommons") {
            return .failure(
                Unexpressible("the MLPerf log does not state the mean input length of \(model.id)'s data set")
            )
        } else {
            return .failure(Unexpressible("the input length is not stated"))
        }
        let output: Int
        if let stated = row.outputTokens {
            output = stated
        } else if row.mode == .prefillOnly {
            output = 1
        } else if row.mode == .decodeOnly, row.batch != nil {
            // A decode instance at a fixed batch only needs the KV length it decodes over: the stated input is
            // taken as that length (output 1 keeps the mean context at the input).
            output = 1
            remarks.append("output length not stated: decode over a KV length of the input (\(input) tokens)")
        } else {
            return .failure(Unexpressible("the output length is not stated"))
        }

        // Speculative decoding: SGLang's num-draft-tokens counts the verified token, so k = draft_tokens − 1
        // tokens are proposed.
        var speculation: Speculation?
        if let setup = row.speculative {
            let proposed = max(1, (setup.draftTokens ?? 2) - 1)
            if setup.draftTokens == nil { remarks.append("draft tokens not stated: 1 proposed assumed") }
            let acceptance: Double
            if let stated = setup.acceptanceLength {
                acceptance = stated
            } else if let modelled = profiles.acceptanceLength(method: setup.method, proposed: proposed) {
                acceptance = modelled
                remarks.append(
                    "acceptance length not stated: \(Quantity.trimmed(acceptance, digits: 2)) (\(setup.method) α, engines.yaml)"
                )
            } else {
                return .failure(Unexpressible("speculative method '\(setup.method)' has no acceptance model"))
            }
            speculation = Speculation(
                draftTokens: proposed,
                acceptanceLength: acceptance,
                draftVocabulary: profiles.draftVocabulary[setup.method]
            )
        }

        // Two-batch overlap, when the run states it, hides the expert all-to-all behind computation.
        let overlap = row.framework.lowercased().contains("two-batch overlap")
        if overlap, model.moe != nil {
            remarks.append("two-batch overlap stated: the expert all-to-all overlaps computation")
        }
        if row.chunkedContext == false {
            remarks.append("chunked context off (stated): each prompt's prefill rides whole in one iteration")
        }
        func deployment(tp: Int, pp: Int, dp: Int, ep: Int?) -> Deployment {
            let base = Efficiency.defaults(for: chip, precision: activations)
            let deployment = Deployment(
                chip: chip,
                model: model,
                tensorParallel: tp,
                pipelineParallel: pp,
                dataParallelAttention: dp,
                expertParallel: ep,
                weightPrecision: weights,
                activationPrecision: activations,
                kvPrecision: kv,
                efficiency: base
            )
            var configured = profile.configure(deployment)
            configured.overlapsExpertCommunication = overlap
            // A stated `enable_chunked_context: False` prefills each prompt whole in one iteration (session 18).
            if let chunked = row.chunkedContext { configured.wholePromptPrefill = !chunked }
            return configured
        }
        /// The layout rule for `available` chips when the row does not state one.
        func plannedLayout(available: Int) -> (Deployment, Int)? {
            var tp = 1
            while tp <= available {
                let candidate = deployment(tp: tp, pp: 1, dp: 1, ep: nil)
                if let perf = try? PerformanceModel(candidate),
                    perf.maxBatch(contextTokens: input + output) >= 8
                {
                    if model.moe != nil, tp > 1, available > 1 {
                        break  // MoE that needs several chips: the large-EP layout below.
                    }
                    return (candidate, available / tp)
                }
                tp *= 2
            }
            if model.moe != nil {
                let dep = deployment(tp: 1, pp: 1, dp: available, ep: available)
                if (try? PerformanceModel(dep)) != nil { return (dep, 1) }
            }
            return nil
        }

        let stated = row.tp != nil || row.dp != nil || row.ep != nil || row.pp != nil
        var shape: Shape
        switch row.mode {
        case .disaggregated:
            guard let prefillChips = row.prefillChips, let decodeChips = row.decodeChips else {
                return .failure(Unexpressible("the prefill and decode pool sizes are not stated"))
            }
            guard var (prefill, prefillReplicas) = plannedLayout(available: prefillChips),
                var (decode, decodeReplicas) = plannedLayout(available: decodeChips)
            else {
                return .failure(Unexpressible("\(model.id) does not fit on the stated pools"))
            }
            // A stated replica layout replaces the rule's (e.g. SGLang prefill servers of one node each).
            func stated(
                _ pool: String,
                chips poolChips: Int,
                tp: Int?,
                dp: Int?,
                ep: Int?
            ) -> Result<
                (Deployment, Int)?, Unexpressible
            > {
                guard tp != nil || dp != nil || ep != nil else { return .success(nil) }
                let size = (tp ?? 1) * (dp ?? 1)
                guard poolChips % size == 0 else {
                    return .failure(Unexpressible("\(poolChips) \(pool) chips are not whole replicas of \(size)"))
                }
                let replica = deployment(tp: tp ?? 1, pp: 1, dp: dp ?? 1, ep: ep)
                guard (try? PerformanceModel(replica)) != nil else {
                    return .failure(Unexpressible("\(model.id) does not fit on the stated \(pool) replica"))
                }
                return .success((replica, poolChips / size))
            }
            switch stated("prefill", chips: prefillChips, tp: row.prefillTP, dp: row.prefillDP, ep: row.prefillEP) {
            case .failure(let reason): return .failure(reason)
            case .success(let layout?): (prefill, prefillReplicas) = layout
            case .success(nil): break
            }
            switch stated("decode", chips: decodeChips, tp: row.decodeTP, dp: row.decodeDP, ep: row.decodeEP) {
            case .failure(let reason): return .failure(reason)
            case .success(let layout?): (decode, decodeReplicas) = layout
            case .success(nil): break
            }
            remarks.append(
                "pools: prefill \(describe(prefill)) × \(prefillReplicas), decode \(describe(decode)) × \(decodeReplicas)"
            )
            shape = .disaggregated(
                prefill: prefill,
                prefillReplicas: prefillReplicas,
                decode: decode,
                decodeReplicas: decodeReplicas
            )
        default:
            let chosen: Deployment
            let replicas: Int
            if stated {
                let tp = row.tp ?? 1
                let pp = row.pp ?? 1
                var dp = row.dp ?? 1
                if row.dp == nil, let ep = row.ep, ep > tp * pp {
                    dp = ep / (tp * pp)
                    remarks.append("DP attention \(dp) inferred from EP")
                }
                var layout = deployment(tp: tp, pp: pp, dp: dp, ep: row.ep)
                if model.moe != nil, profile.engine == "sglang", row.ep == nil, dp == 1, tp > 1 {
                    // SGLang splits every expert by TP width unless EP is switched on (`ep_size` defaults to 1;
                    // `moe_tp_size = tp_size / ep_size`): each rank computes its slice of every routed token, so
                    // no rank waits on a busier one (session 18).
                    layout.efficiency.moeImbalance = 1
                    remarks.append("experts split by TP width (SGLang's default ep_size 1): no expert-rank imbalance")
                }
                chosen = layout
                let size = chosen.chipsPerReplica
                guard chips % size == 0 || row.mode != .aggregated else {
                    return .failure(Unexpressible("\(chips) chips are not whole replicas of \(size)"))
                }
                replicas = max(1, chips / size)
            } else {
                guard let planned = plannedLayout(available: chips) else {
                    return .failure(Unexpressible("\(model.id) does not fit on \(chips) × \(chip.id)"))
                }
                (chosen, replicas) = planned
                remarks.append("layout not stated: \(describe(chosen)) × \(replicas)")
            }
            switch row.mode {
            case .prefillOnly: shape = .prefillOnly(chosen)
            case .decodeOnly: shape = .decodeOnly(chosen)
            default: shape = .aggregated(chosen, replicas: replicas)
            }
            do {
                _ = try PerformanceModel(chosen)
            } catch {
                return .failure(Unexpressible("\(error)"))
            }
        }

        // Load.
        let load: Load
        if let batch = row.batch {
            load = .batch(batch)
        } else if let clients = row.concurrency {
            if clients > 1, row.metric == .ttftMilliseconds {
                return .failure(
                    Unexpressible(
                        "mean TTFT of a closed loop of \(clients) clients is set by the server's admission cap "
                            + "(max running requests) and the benchmark's request waves, which the row does not state"
                    )
                )
            }
            if case .decodeOnly = shape {
                return .failure(Unexpressible("a decode-only row with a client concurrency has no prompt stream"))
            }
            load = .concurrency(clients)
        } else {
            var ttft = row.ttftLimitMilliseconds.map { $0 / 1000 }
            let tpot = row.tpotLimitMilliseconds.map { $0 / 1000 }
            if row.scenario == "offline" { ttft = nil }
            if case .disaggregated = shape {
                return .failure(
                    Unexpressible("neither the concurrency nor the batch of the disaggregated run is stated")
                )
            }
            load = .limits(
                ServiceLimits(
                    ttftSeconds: row.scenario == "offline" ? nil : ttft,
                    tpotSeconds: row.scenario == "offline" ? nil : tpot
                )
            )
        }

        if row.scenario == "server" || row.scenario == "interactive" {
            remarks.append(
                "Poisson arrivals (MLPerf \(row.scenario) scenario): the limits bound the 99th percentiles of TTFT and TPOT, the row's TTFT and TPOT are means (iteration and KV-slot queues)"
            )
        }
        // trtllm-bench throughput without --max_batch_size (TensorRT-LLM's perf-overview commands) runs with the
        // batch its tuning heuristic sets for the run's TP (the attention-DP group counts as TP there), PP and
        // lengths (session 17).
        var maxBatchPerRank: Int?
        if profile.engine == "trt-llm", row.source.contains("perf-overview"), case .limits = load,
            case .aggregated(let chosen, _) = shape
        {
            maxBatchPerRank = TRTLLMBenchSettings.maxBatchSize(
                model: model,
                chip: chip,
                tp: chosen.tensorParallel * chosen.dataParallelAttention,
                pp: chosen.pipelineParallel,
                weights: weights,
                kv: kv,
                inputTokens: input,
                outputTokens: output
            )
            if let cap = maxBatchPerRank {
                remarks.append(
                    "trtllm-bench max_batch_size heuristic: \(cap) per attention-DP rank and micro-batch"
                )
            }
        }
        let phase: String =
            switch (row.mode, row.metric) {
            case (.prefillOnly, _), (_, .ttftMilliseconds): "prefill"
            case (.decodeOnly, _), (_, .tpotMilliseconds): "decode"
            default: "mixed"
            }
        let regimes = [
            "phase": phase,
            "architecture": model.moe == nil ? "dense" : "moe",
            "mode": row.mode.rawValue + (speculation == nil ? "" : "+speculative"),
            "vendor": chip.vendor,
            "precision": weights.rawValue,
            "engine": profile.id,
        ]
        return .success(
            ValidationCase(
                row: row,
                shape: shape,
                load: load,
                inputTokens: input,
                outputTokens: output,
                speculation: speculation,
                outputLengthCV2: outputLengthCV2,
                profile: profile,
                maxBatchPerRank: maxBatchPerRank,
                remarks: remarks,
                regimes: regimes
            )
        )
    }

    static func describe(_ deployment: Deployment) -> String {
        var parts = ["TP\(deployment.tensorParallel)"]
        if deployment.pipelineParallel > 1 { parts.append("PP\(deployment.pipelineParallel)") }
        if deployment.dataParallelAttention > 1 { parts.append("DP\(deployment.dataParallelAttention)") }
        if deployment.model.moe != nil { parts.append("EP\(deployment.expertParallel)") }
        return parts.joined(separator: " ")
    }
}
