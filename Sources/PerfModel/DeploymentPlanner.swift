public import Catalogue

extension Deployment {
    /// The parallel layouts the planners try, in order: pipeline stages in powers of two from `firstPipeline`,
    /// and for each, tensor parallelism in powers of two up to the chip's scale-up domain, at most `maxChips` chips.
    static func layouts(chip: Chip, model: ModelArch, maxChips: Int, firstPipeline: Int = 1) -> [(tp: Int, pp: Int)] {
        let domain = max(1, chip.scaleUp?.domainSize?.value ?? 8)
        var result: [(tp: Int, pp: Int)] = []
        var pp = firstPipeline
        while pp <= min(maxChips, model.layers) {
            var tp = 1
            while tp <= domain, tp * pp <= maxChips {
                result.append((tp, pp))
                tp *= 2
            }
            pp *= 2
        }
        return result
    }

    /// The smallest deployment of `model` on `chip` that holds the weights and the KV cache of
    /// `minimumBatch` sequences of `contextTokens`: tensor parallelism in powers of two up to the scale-up domain,
    /// then pipeline stages across domains. MoE models spread experts over the TP group (EP = TP).
    ///
    /// This is how Parity sizes a like-for-like comparison: each chip serves the model on as few chips as it can,
    /// and throughput is reported per chip. With `profile`, every candidate carries the engine's conventions
    /// (`EngineProfile.configure`: its KV block reservation), so the capacity check and the batch limit are the
    /// engine's (issue 17: `simulate --engine` without `--tp` ignored them).
    public static func smallest(
        chip: Chip,
        model: ModelArch,
        weightPrecision: Precision,
        contextTokens: Int,
        minimumBatch: Int = 8,
        maxChips: Int = 256,
        efficiency: Efficiency? = nil,
        profile: EngineProfile? = nil
    ) throws(PerfModelError) -> PerformanceModel {
        var lastError: PerfModelError?
        for (tp, pp) in layouts(chip: chip, model: model, maxChips: maxChips) {
            let plain = Deployment(
                chip: chip,
                model: model,
                tensorParallel: tp,
                pipelineParallel: pp,
                weightPrecision: weightPrecision,
                efficiency: efficiency
            )
            let deployment = profile?.configure(plain) ?? plain
            do throws(PerfModelError) {
                let resolved = try PerformanceModel(deployment)
                if resolved.maxBatch(contextTokens: contextTokens) >= minimumBatch { return resolved }
                lastError = .doesNotFit(
                    model: model.id,
                    chip: chip.id,
                    neededBytes: resolved.weightBytesPerChip
                        + resolved.kvBytesPerTokenPerChip * Double(contextTokens * minimumBatch),
                    availableBytes: resolved.usableBytesPerChip
                )
            } catch .tensorParallelDoesNotDivideHeads {
                // Try the next TP degree.
            } catch .unsupportedPrecision(let chip, let precision) {
                throw .unsupportedPrecision(chip: chip, precision: precision)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? .invalid("no deployment of \(model.id) fits on up to \(maxChips) \(chip.id)")
    }
}

/// A deployment chosen for a serving workload, with its throughput under the limits.
public struct PlannedDeployment: Sendable {
    public var model: PerformanceModel
    public var throughput: LimitedThroughput
}

extension Deployment {
    /// Every fitting deployment of `model` on `chip` (TP in powers of two up to the scale-up domain, PP in powers
    /// of two, at most `maxChips` per replica) evaluated under `limits`; returns the one with the most output
    /// tokens per second per chip that meets them — or, when none does, the smallest that fits (its `best` is nil).
    ///
    /// Serving systems pick the parallelism that maximises goodput: a dense 70B model on a 1.4 TB/s card may meet
    /// a 50 ms TPOT only at TP 4, although it fits at TP 2.
    public static func best(
        chip: Chip,
        model: ModelArch,
        weightPrecision: Precision,
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits,
        maxChips: Int = 64,
        efficiency: Efficiency? = nil
    ) throws(PerfModelError) -> PlannedDeployment {
        let smallest = try Deployment.smallest(
            chip: chip,
            model: model,
            weightPrecision: weightPrecision,
            contextTokens: inputTokens + outputTokens,
            minimumBatch: 1,
            maxChips: maxChips,
            efficiency: efficiency
        )
        var chosen = PlannedDeployment(
            model: smallest,
            throughput: smallest.bestThroughput(inputTokens: inputTokens, outputTokens: outputTokens, limits: limits)
        )
        let first = smallest.deployment
        for (tp, pp) in layouts(chip: chip, model: model, maxChips: maxChips, firstPipeline: first.pipelineParallel)
        where tp != first.tensorParallel || pp != first.pipelineParallel {
            let deployment = Deployment(
                chip: chip,
                model: model,
                tensorParallel: tp,
                pipelineParallel: pp,
                weightPrecision: weightPrecision,
                efficiency: efficiency
            )
            guard let candidate = try? PerformanceModel(deployment),
                candidate.maxBatch(contextTokens: inputTokens + outputTokens) >= 1
            else { continue }
            let throughput = candidate.bestThroughput(
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                limits: limits
            )
            let current = chosen.throughput.best?.outputTokensPerSecondPerChip ?? 0
            if let best = throughput.best, best.outputTokensPerSecondPerChip > current {
                chosen = PlannedDeployment(model: candidate, throughput: throughput)
            }
        }
        return chosen
    }
}
