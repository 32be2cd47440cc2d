/// One step's terms per layer group, per chip: compute and memory time of the attention block, the dense FFN, the
/// MoE experts and the LM head, the communication of one layer, and how the terms combine into seconds.
///
/// Splitting the step lets a continuous-batching iteration merge a decode step with the prefills it carries: their
/// computations add, but the weights are read once per iteration (`mixed(with:share:)`).
struct StepParts: Sendable {
    var attentionCompute = 0.0
    /// Attention weights plus the KV cache read.
    var attentionMemory = 0.0
    var kvMemory = 0.0
    var denseCompute = 0.0
    var denseMemory = 0.0
    var moeCompute = 0.0
    var moeMemory = 0.0
    /// Expert all-to-all of one MoE layer.
    var allToAll = 0.0
    /// TP all-reduces of one layer.
    var allReduce = 0.0
    var lmHeadCompute = 0.0
    var lmHeadMemory = 0.0
    /// Hand-offs of one micro-batch between pipeline stages and back to the sampling rank, once per round
    /// (`Deployment.pipelineLogitsToFirstRank`; 0 otherwise).
    var pipelineHandOff = 0.0

    /// A continuous-batching iteration: this decode step with `share` prefill steps of `prefill` merged in (the
    /// prompts joining per step). Their FLOPs and messages add; each weight is read once per iteration, so memory
    /// time is the decode step's plus, in the `min(share, 1)` of iterations that carry a prefill, whatever the
    /// prefill reads beyond it (experts its tokens touch that the decode step's do not). A prefill writes its KV
    /// cache rather than reading it.
    @inline(__always)
    func mixed(with prefill: StepParts, share: Double) -> StepParts {
        let carrying = min(share, 1)
        func memory(_ decode: Double, _ extra: Double) -> Double { decode + carrying * max(0, extra - decode) }
        var result = self
        result.attentionCompute += share * prefill.attentionCompute
        result.attentionMemory = memory(attentionMemory - kvMemory, prefill.attentionMemory) + kvMemory
        result.denseCompute += share * prefill.denseCompute
        result.denseMemory = memory(denseMemory, prefill.denseMemory)
        result.moeCompute += share * prefill.moeCompute
        result.moeMemory = memory(moeMemory, prefill.moeMemory)
        result.allToAll += share * prefill.allToAll
        result.allReduce += share * prefill.allReduce
        result.lmHeadCompute += share * prefill.lmHeadCompute
        result.lmHeadMemory = memory(lmHeadMemory, prefill.lmHeadMemory)
        result.pipelineHandOff += share * prefill.pipelineHandOff
        return result
    }
}
