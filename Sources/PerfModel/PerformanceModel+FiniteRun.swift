import Foundation

extension PerformanceModel {
    /// An offline run of a finite number of identical requests all queued at once, as `trtllm-bench throughput`
    /// runs them (TensorRT-LLM's perf-overview: `prepare_dataset.py token-norm-dist --input-stdev=0
    /// --output-stdev=0`, "all requests are queued in rapid succession"), and reports total output tokens over
    /// the whole run's time.
    ///
    /// With every request the same length and all of them waiting, the engine fills its `batch` slots, and the
    /// requests it admitted together finish together `outputTokens` steps later, when the next `batch` take their
    /// places: the run proceeds in waves. `prompts` ÷ `replicas` per replica make ⌊p ÷ b⌋ full waves of
    /// O × TPOT(b) each and, when b does not divide p, a last wave of the r = p − ⌊p ÷ b⌋ · b left over, which
    /// lasts O × TPOT(r): fewer sequences make a shorter step, but the step never shrinks in proportion (the
    /// weights are read whatever the batch), so the tail runs below the full batch's throughput (the drain).
    /// Each wave's prompts are charged inside its steps, as in steady state (`predict`). Throughput is p · O
    /// over the sum. When b divides p the run is p ÷ b full waves and the figure is the steady state's.
    public func finiteRun(
        prompts: Int,
        replicas: Int,
        batch: Int,
        inputTokens: Int,
        outputTokens: Int,
        speculation: Speculation? = nil
    ) -> Prediction {
        let perReplica = Double(max(1, prompts)) / Double(max(1, replicas))
        let full = max(1, batch)
        let output = Double(max(1, outputTokens))
        func wave(_ size: Int) -> Prediction {
            predict(batch: size, inputTokens: inputTokens, outputTokens: outputTokens, speculation: speculation)
        }
        let waves = (perReplica / Double(full)).rounded(.down)
        let leftOver = Int((perReplica - waves * Double(full)).rounded())
        var result = wave(waves >= 1 ? full : max(1, leftOver))
        var seconds = waves * output * result.tpotSeconds
        if leftOver >= 1 {
            seconds += output * (waves >= 1 ? wave(leftOver).tpotSeconds : result.tpotSeconds)
        }
        let served = waves >= 1 ? perReplica : Double(max(1, leftOver))
        let rate = served / seconds
        result.outputTokensPerSecondPerChip = rate * output / chips
        result.totalTokensPerSecondPerChip = rate * (Double(max(1, inputTokens)) + output) / chips
        return result
    }
}
