public import Catalogue
import Foundation

/// Disaggregated serving: a pool of prefill replicas and a pool of decode replicas, each with its own
/// deployment, and the KV cache of every prompt moved from one to the other.
///
/// Throughput is the smaller of what the decode pool emits and what the prefill pool can feed it; TTFT is one
/// prompt's prefill, the KV transfer and the wait in the prefill queue (M/D/1). Figures per chip divide by the
/// chips of both pools, as the published disaggregated results do.
public struct DisaggregatedModel: Sendable {
    public let prefill: PerformanceModel
    public let prefillReplicas: Int
    public let decode: PerformanceModel
    public let decodeReplicas: Int
    /// Bytes per second one prompt's KV cache moves at between the pools.
    public let transferBytesPerSecond: Double

    /// - Parameter transferBytesPerSecond: the link the KV cache crosses; by default the decode chip's scale-up
    ///   link when both pools fit in one scale-up domain, else one 400 Gb/s NIC per chip (50 GB/s).
    public init(
        prefill: PerformanceModel,
        prefillReplicas: Int,
        decode: PerformanceModel,
        decodeReplicas: Int,
        transferBytesPerSecond: Double? = nil
    ) throws(PerfModelError) {
        guard prefillReplicas >= 1, decodeReplicas >= 1 else {
            throw .invalid("a disaggregated deployment needs at least one prefill and one decode replica")
        }
        guard prefill.deployment.model.id == decode.deployment.model.id else {
            throw .invalid("the prefill and decode pools must serve the same model")
        }
        self.prefill = prefill
        self.prefillReplicas = prefillReplicas
        self.decode = decode
        self.decodeReplicas = decodeReplicas
        let chip = decode.deployment.chip
        let domain = chip.scaleUp?.domainSize?.value ?? 8
        let total = Int(prefill.chips) * prefillReplicas + Int(decode.chips) * decodeReplicas
        let scaleUp = (chip.scaleUp?.bandwidthBytesPerSecond?.value ?? 64e9) / 2
        self.transferBytesPerSecond =
            transferBytesPerSecond ?? (total <= domain ? scaleUp : min(scaleUp, 50e9))
    }

    /// Chips of both pools.
    public var chips: Int { Int(prefill.chips) * prefillReplicas + Int(decode.chips) * decodeReplicas }

    /// Seconds to move one prompt's KV cache: the whole model's cache (every layer, every head) of `inputTokens`,
    /// sent in parallel by the prefill replica's chips over their links.
    public func transferSeconds(inputTokens: Int) -> Double {
        let model = decode.deployment.model
        let bytes = model.kvElementsPerToken * decode.deployment.kvPrecision.bytesPerElement * Double(inputTokens)
        return bytes / (transferBytesPerSecond * prefill.chips)
    }

    /// Prompts per second one prefill replica processes.
    public func promptsPerSecondPerPrefillReplica(inputTokens: Int) -> Double {
        prefill.prefillThroughput(inputTokens: inputTokens) * prefill.chips / Double(max(1, inputTokens))
    }

    /// Serving a closed loop of `concurrency` clients (`bench_serving --max-concurrency C`) in steady state,
    /// spread evenly over the decode replicas. Requests complete at the smaller of what the loop sustains,
    /// C / (TTFT₀ + output × TPOT) with TTFT₀ one prompt's prefill and KV transfer, and the prefill pool's rate.
    /// When the prefill pool is the limit, prompts queue and TTFT follows from Little's law:
    /// C / rate − output × TPOT.
    ///
    /// A run of a finite number of `prompts` (`--num-prompts P`) starts with all min(C, P) clients sending at
    /// once: the prefill pool works through that burst before the decode pool has its full batch, so the run
    /// lasts the loop's P ÷ (C / (TTFT₀ + output × TPOT)) plus the burst's extra wait, burst ÷ prefill rate − one
    /// prompt's prefill; and never less than the prefill pool's P ÷ prefill rate plus the last prompt's transfer
    /// and decode. Throughput is P over that duration (what `bench_serving` divides by). With one wave (P = C)
    /// both give the burst's prefill plus one request's decode; as P grows the ramp's share vanishes. A finite
    /// client `requestRate` (requests per second) caps the rate at which requests start, so such a run lasts at
    /// least P ÷ requestRate plus the last request's prefill, transfer and decode.
    public func predict(
        concurrency: Int,
        inputTokens: Int,
        outputTokens: Int,
        speculation: Speculation? = nil,
        prompts: Int? = nil,
        requestRate: Double? = nil
    ) -> Prediction {
        let perReplica = max(1, Int((Double(concurrency) / Double(decodeReplicas)).rounded(.up)))
        var result = decode.predict(
            batch: perReplica,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            disaggregated: true,
            speculation: speculation
        )
        let output = Double(max(1, outputTokens))
        let prefillRate = Double(prefillReplicas) * promptsPerSecondPerPrefillReplica(inputTokens: inputTokens)
        let service = prefill.predict(batch: 1, inputTokens: inputTokens, outputTokens: 1).prefillSeconds
        let firstToken = service + transferSeconds(inputTokens: inputTokens)
        let clients = Double(max(1, concurrency))
        let loop = clients / (firstToken + output * result.tpotSeconds)
        let steady = min(loop, prefillRate)
        result.ttftSeconds = max(firstToken, clients / steady - output * result.tpotSeconds)
        result.prefillSeconds = service
        var rate = steady
        if let prompts, prompts >= 1 {
            let total = Double(prompts)
            let burst = min(clients, total)
            let ramp = max(0, burst / prefillRate - service)
            let lastRequest = transferSeconds(inputTokens: inputTokens) + output * result.tpotSeconds
            var duration = max(total / loop + ramp, total / prefillRate + lastRequest)
            if let requestRate, requestRate > 0 {
                duration = max(duration, total / requestRate + service + lastRequest)
            }
            rate = total / duration
        }
        result.outputTokensPerSecondPerChip = rate * output / Double(chips)
        result.totalTokensPerSecondPerChip = rate * (Double(max(1, inputTokens)) + output) / Double(chips)
        return result
    }

    /// The prefill-pool size per decode replica that keeps up with the decode pool at `decodeBatch` and meets a
    /// TTFT limit, with the resulting throughput per chip of both pools. `nil` when even an idle prefill replica
    /// misses the TTFT limit or the decode step misses the TPOT limit.
    public static func poolRatio(
        prefill: PerformanceModel,
        decode: PerformanceModel,
        decodeBatch: Int,
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits,
        speculation: Speculation? = nil,
        transferBytesPerSecond: Double
    ) -> (prefillReplicasPerDecodeReplica: Double, prediction: Prediction)? {
        var result = decode.predict(
            batch: decodeBatch,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            disaggregated: true,
            speculation: speculation
        )
        if let tpot = limits.tpotSeconds, result.tpotSeconds > tpot { return nil }
        let output = Double(max(1, outputTokens))
        let demand = Double(result.batch) / (output * result.tpotSeconds)
        let perPrefill =
            prefill.prefillThroughput(inputTokens: inputTokens) * prefill.chips / Double(max(1, inputTokens))
        let service = prefill.predict(batch: 1, inputTokens: inputTokens, outputTokens: 1).prefillSeconds
        let bytes =
            decode.deployment.model.kvElementsPerToken * decode.deployment.kvPrecision.bytesPerElement
            * Double(inputTokens)
        let transfer = bytes / (transferBytesPerSecond * prefill.chips)
        // The highest prefill utilisation ρ whose M/D/1 wait keeps TTFT within the limit:
        // service + transfer + ρ / (2(1 − ρ)) / μ ≤ limit  ⇔  ρ ≤ 2xμ / (1 + 2xμ), x = limit − service − transfer.
        var utilisation = 0.9
        if let limit = limits.ttftSeconds {
            let slack = limit - service - transfer
            guard slack > 0 else { return nil }
            let k = 2 * slack * perPrefill
            utilisation = min(utilisation, k / (1 + k))
        }
        let ratio = demand / (perPrefill * utilisation)
        let chips = decode.chips + ratio * prefill.chips
        result.ttftSeconds = service + transfer + utilisation / (2 * (1 - utilisation)) / perPrefill
        result.prefillSeconds = service
        result.outputTokensPerSecondPerChip = demand * output / chips
        result.totalTokensPerSecondPerChip = demand * (Double(max(1, inputTokens)) + output) / chips
        return (ratio, result)
    }

    /// The best decode batch and pool ratio under the limits: the most output tokens per second per chip of both
    /// pools. The decode batch search scales with the decode replica's DP degree.
    public static func best(
        prefill: PerformanceModel,
        decode: PerformanceModel,
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits,
        speculation: Speculation? = nil,
        transferBytesPerSecond: Double = 50e9
    ) -> (prefillReplicasPerDecodeReplica: Double, prediction: Prediction)? {
        let capacity = decode.maxBatch(inputTokens: inputTokens, outputTokens: outputTokens)
        let limit = min(4096 * Int(decode.dp), capacity)
        var best: (prefillReplicasPerDecodeReplica: Double, prediction: Prediction)?
        for batch in PerformanceModel.batchGrid(upTo: max(1, limit)) {
            guard
                let candidate = poolRatio(
                    prefill: prefill,
                    decode: decode,
                    decodeBatch: batch,
                    inputTokens: inputTokens,
                    outputTokens: outputTokens,
                    limits: limits,
                    speculation: speculation,
                    transferBytesPerSecond: transferBytesPerSecond
                )
            else { continue }
            if candidate.prediction.outputTokensPerSecondPerChip
                > (best?.prediction.outputTokensPerSecondPerChip ?? 0)
            {
                best = candidate
            }
        }
        return best
    }
}

/// The best disaggregated deployment found by a search over pool layouts.
public struct DisaggregatedPlan: Sendable {
    public var prefill: PerformanceModel
    public var decode: PerformanceModel
    /// Prefill replicas per decode replica that keep the decode pool fed within the TTFT limit.
    public var prefillReplicasPerDecodeReplica: Double
    public var prediction: Prediction
}

extension DisaggregatedModel {
    /// Searches prefill and decode layouts separately — tensor parallelism in powers of two up to the scale-up
    /// domain, and for MoE models attention DP + expert parallelism in powers of two up to `maxChipsPerReplica` —
    /// and for each pair the decode batch and pool ratio (`best`); returns the pair with the most output tokens
    /// per second per chip of both pools under the limits, or nil when none meets them.
    public static func search(
        chip: Chip,
        model: ModelArch,
        weightPrecision: Precision,
        kvPrecision: Precision? = nil,
        efficiency: Efficiency? = nil,
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits,
        speculation: Speculation? = nil,
        maxChipsPerReplica: Int = 64
    ) -> DisaggregatedPlan? {
        let domain = max(1, chip.scaleUp?.domainSize?.value ?? 8)
        var layouts: [(tp: Int, dp: Int)] = []
        var tp = 1
        while tp <= min(domain, maxChipsPerReplica) {
            layouts.append((tp, 1))
            tp *= 2
        }
        if model.moe != nil {
            var dp = 2
            while dp <= maxChipsPerReplica {
                layouts.append((1, dp))
                dp *= 2
            }
        }
        let candidates: [PerformanceModel] = layouts.compactMap { layout in
            try? PerformanceModel(
                Deployment(
                    chip: chip,
                    model: model,
                    tensorParallel: layout.tp,
                    dataParallelAttention: layout.dp,
                    weightPrecision: weightPrecision,
                    kvPrecision: kvPrecision,
                    efficiency: efficiency
                )
            )
        }.filter { $0.maxBatch(contextTokens: inputTokens + outputTokens) >= 1 }
        let transfer = min((chip.scaleUp?.bandwidthBytesPerSecond?.value ?? 64e9) / 2, 50e9)
        var best: DisaggregatedPlan?
        for prefill in candidates {
            for decode in candidates {
                guard
                    let found = Self.best(
                        prefill: prefill,
                        decode: decode,
                        inputTokens: inputTokens,
                        outputTokens: outputTokens,
                        limits: limits,
                        speculation: speculation,
                        transferBytesPerSecond: transfer
                    )
                else { continue }
                if found.prediction.outputTokensPerSecondPerChip > (best?.prediction.outputTokensPerSecondPerChip ?? 0)
                {
                    best = DisaggregatedPlan(
                        prefill: prefill,
                        decode: decode,
                        prefillReplicasPerDecodeReplica: found.prefillReplicasPerDecodeReplica,
                        prediction: found.prediction
                    )
                }
            }
        }
        return best
    }
}
