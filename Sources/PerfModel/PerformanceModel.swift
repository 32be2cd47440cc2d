import Catalogue
import Foundation

/// The analytical LLM inference model (roofline per layer group, with communication and continuous batching).
///
/// Formulas follow kipply's "Transformer Inference Arithmetic", the JAX scaling book's inference chapter and
/// nccl-tests' bus-bandwidth definitions; `docs/perfmodel.md` states each one. A deployment is resolved once
/// (chip peaks, shard sizes, memory) and then predicts in O(1) without allocation.
public struct PerformanceModel: Sendable, Hashable {
    /// Version string recorded with every modelled figure.
    public static let version = "parity-perfmodel/1"

    public let deployment: Deployment

    // Resolved figures, per chip.
    let computeFLOPS: Double
    /// Throughput of the attention score and value products (q·k, p·v), which run at the KV cache's precision
    /// when both it and the activations are 8-bit (FP8 attention kernels), else at BF16.
    let attentionFLOPS: Double
    /// Link for TP all-reduces: the scale-up link when the TP group fits in one scale-up domain.
    let tensorLinkBytesPerSecond: Double
    /// Expert all-to-all links: chips of the same scale-up domain over scale-up, others over a 400 Gb/s NIC.
    let scaleUpLinkBytesPerSecond: Double
    let scaleOutLinkBytesPerSecond: Double
    /// Chips of an EP group that share a scale-up domain.
    let domainChips: Double
    /// Links of the pipeline hand-offs (`Deployment.pipelineLogitsToFirstRank`): between neighbouring stages (the
    /// scale-out NIC when a stage's TP group fills a scale-up domain, so neighbours sit in different domains), and
    /// from the last stage back to rank 0 (the NIC when the replica spans more than one domain).
    let stageLinkBytesPerSecond: Double
    let returnLinkBytesPerSecond: Double
    /// Output vocabulary: FP32 logits per scored token in the pipeline's return hand-off.
    let vocabulary: Double
    /// Expected scale-up domains other than its own that one token's k experts live in (hierarchical
    /// all-to-all sends a token once per remote domain and forwards it inside: DeepSeek-V3 report §3.2.2, DeepEP).
    let remoteDomainsPerToken: Double
    /// Expected other chips of its own scale-up domain that hold at least one of a token's k experts: dispatch
    /// sends a token once per destination chip, not once per expert (DeepEP's per-rank layout), so
    /// (domain − 1)(1 − (1 − 1/EP)^k).
    let localPeersPerToken: Double
    /// The expert all-to-all overlaps computation (`Deployment.overlapsExpertCommunication`).
    let overlapsExpertCommunication: Bool
    let bandwidthBytesPerSecond: Double
    let weightBytesPerChip: Double
    let kvBytesPerTokenPerChip: Double
    let usableBytesPerChip: Double
    let chips: Double
    // Shape.
    let layers: Double
    let denseLayers: Double
    let moeLayers: Double
    let tp: Double
    let pp: Double
    let dp: Double
    let ep: Double
    let d: Double
    let weightBytes: Double
    let kvBytes: Double
    // Per-layer parameter shards (elements per chip).
    let attentionParamsPerChip: Double
    let denseFFNParamsPerChip: Double
    let sharedParamsPerChip: Double
    let expertParams: Double
    let localExperts: Double
    let routedExperts: Double
    let activeExperts: Double
    let lmHeadParamsPerChip: Double
    // Attention shape per chip.
    let attentionScoreDimPerChip: Double
    /// Prefill attends with full heads (MLA is not absorbed there): q·k over the q/k head dim, values over v.
    let prefillScoreDimPerChip: Double
    let kvElementsPerTokenPerLayerPerChip: Double

    /// Resolves a deployment, rejecting impossible ones with a reason.
    public init(_ deployment: Deployment) throws(PerfModelError) {
        self.deployment = deployment
        let chip = deployment.chip
        let model = deployment.model
        let tpInt = deployment.tensorParallel
        guard tpInt >= 1, deployment.pipelineParallel >= 1, deployment.dataParallelAttention >= 1,
            deployment.expertParallel >= 1
        else {
            throw .invalid("parallel degrees must be at least 1")
        }
        guard model.heads % tpInt == 0, model.kvHeads % tpInt == 0 || tpInt % model.kvHeads == 0 || model.mla != nil
        else {
            throw .tensorParallelDoesNotDivideHeads(
                model: model.id,
                tp: tpInt,
                heads: model.heads,
                kvHeads: model.kvHeads
            )
        }
        guard deployment.pipelineParallel <= model.layers else {
            throw .invalid(
                "pipeline parallel \(deployment.pipelineParallel) exceeds \(model.id)'s \(model.layers) layers"
            )
        }
        if model.moe != nil {
            // EP need not divide the experts: serving systems replicate hot experts (redundant experts).
            guard deployment.expertParallel <= deployment.chipsPerReplica else {
                throw .invalid(
                    "expert parallel \(deployment.expertParallel) exceeds the replica's \(deployment.chipsPerReplica) chips (TP × PP × DP)"
                )
            }
        } else if deployment.expertParallel != tpInt * deployment.dataParallelAttention {
            throw .invalid("\(model.id) is dense; expert parallelism does not apply")
        }
        guard let compute = chip.denseThroughput(for: deployment.activationPrecision) else {
            throw .unsupportedPrecision(chip: chip.id, precision: deployment.activationPrecision)
        }
        let efficiency = deployment.efficiency
        computeFLOPS = compute.value * efficiency.matrix
        let kvPrecision = deployment.kvPrecision
        let scorePrecision: Precision =
            kvPrecision.bitLength <= 8 && deployment.activationPrecision.bitLength <= 8 ? kvPrecision : .bf16
        let scoreCompute = chip.denseThroughput(for: scorePrecision)?.value ?? compute.value
        // Never faster than the matrix precision itself.
        attentionFLOPS = min(scoreCompute, compute.value) * efficiency.matrix
        bandwidthBytesPerSecond = chip.memory.bandwidthBytesPerSecond.value * efficiency.memory
        // Catalogue scale-up figures are aggregate bidirectional; a collective uses one direction.
        let domain = chip.scaleUp?.domainSize?.value ?? 8
        let scaleUp = chip.scaleUp?.bandwidthBytesPerSecond.map { $0.value / 2 } ?? Self.pcieBytesPerSecond(chip)
        let replicaChips = deployment.chipsPerReplica
        // Beyond the scale-up domain, traffic crosses a 400 Gb/s NIC (50 GB/s per direction).
        tensorLinkBytesPerSecond = (tpInt > domain ? min(scaleUp, 50e9) : scaleUp) * efficiency.interconnect
        scaleUpLinkBytesPerSecond = scaleUp * efficiency.interconnect
        scaleOutLinkBytesPerSecond = min(scaleUp, 50e9) * efficiency.interconnect
        domainChips = Double(min(domain, deployment.expertParallel))
        let domains = Double(deployment.expertParallel) / domainChips
        let k = Double(model.moe?.activeExperts ?? 0)
        remoteDomainsPerToken = Self.remoteDomainsPerToken(domains: domains, activeExperts: k, moe: model.moe)
        localPeersPerToken =
            (domainChips - 1) * (1 - Foundation.pow(1 - 1 / Double(deployment.expertParallel), k))
        overlapsExpertCommunication = deployment.overlapsExpertCommunication
        stageLinkBytesPerSecond = tpInt >= domain ? scaleOutLinkBytesPerSecond : scaleUpLinkBytesPerSecond
        returnLinkBytesPerSecond = replicaChips > domain ? scaleOutLinkBytesPerSecond : scaleUpLinkBytesPerSecond
        vocabulary = Double(model.vocab)

        tp = Double(tpInt)
        pp = Double(deployment.pipelineParallel)
        dp = Double(deployment.dataParallelAttention)
        ep = Double(deployment.expertParallel)
        chips = Double(replicaChips)
        layers = Double(model.layers)
        moeLayers = Double(model.moeLayers)
        denseLayers = Double(model.denseFFNLayers)
        d = Double(model.hiddenSize)
        weightBytes = deployment.weightPrecision.bytesPerElement
        kvBytes = deployment.kvPrecision.bytesPerElement

        attentionParamsPerChip = model.attentionParamsPerLayer / tp
        denseFFNParamsPerChip = model.ffnParams(width: model.ffnSize) / tp
        sharedParamsPerChip = model.sharedExpertParamsPerLayer / tp
        expertParams = model.moe.map { model.ffnParams(width: $0.expertFFNSize) } ?? 0
        routedExperts = Double(model.moe?.routedExperts ?? 0)
        activeExperts = Double(model.moe?.activeExperts ?? 0)
        localExperts = max(1, routedExperts / ep)
        lmHeadParamsPerChip = Double(model.vocab) * d / tp

        if let mla = model.mla {
            // Absorbed MLA decode: every head scores over the latent plus rope dims and reads values from the latent.
            attentionScoreDimPerChip = Double(model.heads) / tp * Double(2 * mla.kvLoraRank + mla.qkRopeHeadDim)
            prefillScoreDimPerChip =
                Double(model.heads) / tp * Double(mla.qkNopeHeadDim + mla.qkRopeHeadDim + mla.vHeadDim)
            // The latent cache is not split by heads, so every TP rank holds it whole.
            kvElementsPerTokenPerLayerPerChip = Double(mla.kvLoraRank + mla.qkRopeHeadDim)
        } else {
            attentionScoreDimPerChip = Double(model.heads) / tp * Double(2 * model.headDim)
            prefillScoreDimPerChip = attentionScoreDimPerChip
            let kvHeadsPerChip = max(1, Double(model.kvHeads) / tp)
            kvElementsPerTokenPerLayerPerChip = 2 * kvHeadsPerChip * Double(model.headDim)
        }
        kvBytesPerTokenPerChip = kvElementsPerTokenPerLayerPerChip * kvBytes * layers / pp

        // Weights per chip: TP-sharded non-expert parameters (replicated over DP ranks) plus local experts, per stage.
        let nonExpert = model.nonExpertParams / tp
        let experts = model.expertParams / ep
        weightBytesPerChip = (nonExpert + experts) / pp * weightBytes
        usableBytesPerChip = chip.memory.capacityBytes.value * deployment.memoryUtilisation
        if weightBytesPerChip >= usableBytesPerChip {
            throw .doesNotFit(
                model: model.id,
                chip: chip.id,
                neededBytes: weightBytesPerChip,
                availableBytes: usableBytesPerChip
            )
        }
    }

    /// Expected scale-up domains other than a token's own that hold at least one of its experts.
    ///
    /// D domains, k experts each in a uniformly chosen domain: (D − 1)(1 − (1 − 1/D)^k). With group-limited
    /// routing (DeepSeek-V3: 8 groups of 32 experts, a token's experts from its best 4) and D dividing the groups,
    /// each domain holds G / D whole groups — the experts' order places them so, and DeepSeek's EPLB keeps them so
    /// ("use hierarchical load-balance policy" when `num_groups % num_nodes == 0`: step 1 packs groups to nodes,
    /// deepseek-ai/EPLB `eplb.py`) — so a domain is reached when one of its groups is among the token's t:
    /// (D − 1)(1 − C(G − G/D, t) / C(G, t)) (session 18). At 4 domains: 3 × 55/70 = 2.36 remote domains, not
    /// 3 × (1 − 0.75⁸) = 2.70.
    static func remoteDomainsPerToken(domains: Double, activeExperts k: Double, moe: ModelArch.MoE?) -> Double {
        guard domains > 1 else { return 0 }
        let d = Int(domains.rounded())
        if let groups = moe?.expertGroups, let chosen = moe?.groupsPerToken, Double(d) == domains,
            groups % d == 0
        {
            // C(G − G/D, t) / C(G, t) = Π_{i<t} (G − G/D − i) / (G − i): the chance that none of t groups is here.
            let others = groups - groups / d
            var missed = 1.0
            for i in 0..<chosen { missed *= Double(max(0, others - i)) / Double(groups - i) }
            return domains - 1 - (domains - 1) * missed
        }
        return (domains - 1) * (1 - Foundation.pow(1 - 1 / domains, k))
    }

    /// One direction of a PCIe x16 link, the only path between cards without a scale-up fabric: 16 lanes at
    /// 2^(gen − 3) × 8 GT/s with 128b/130b encoding up to Gen5 (Gen5: 63 GB/s) and 242/256 FLIT efficiency from
    /// Gen6 (PCI-SIG base specifications). A chip whose generation is not in the catalogue gets 32 GB/s (Gen4).
    static func pcieBytesPerSecond(_ chip: Chip) -> Double {
        guard let generation = chip.pcieGeneration?.value, generation >= 3 else { return 32e9 }
        let encoding = generation >= 6 ? 242.0 / 256 : 128.0 / 130
        return 16 * 1e9 * Foundation.pow(2, Double(generation - 3)) * encoding
    }

    // MARK: - Capacity

    /// Most concurrent sequences per replica whose KV cache fits beside the weights, at the given context length.
    /// Most concurrent sequences per replica for a request shape: each holds its prompt plus the engine's share
    /// of its output (`Deployment.kvOutputReservation`: all of it when reserved at admission, half on average
    /// when blocks are taken as tokens are generated).
    ///
    /// `outputLengthCV2` is the squared coefficient of variation of the workload's output lengths (0: every request
    /// emits the same number of tokens). A running batch over-represents long requests — each stays resident for
    /// its O steps — so the output share a sequence holds grows by 1 + cv² (length-biased residence).
    public func maxBatch(inputTokens: Int, outputTokens: Int, outputLengthCV2: Double = 0) -> Int {
        maxBatch(
            contextTokens: heldTokens(
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                outputLengthCV2: outputLengthCV2
            )
        )
    }

    /// KV tokens one sequence holds on average (see `maxBatch(inputTokens:outputTokens:)`): its prompt plus the
    /// engine's share of its output.
    public func heldTokens(inputTokens: Int, outputTokens: Int, outputLengthCV2: Double = 0) -> Int {
        max(1, inputTokens)
            + Int(
                (Double(max(1, outputTokens)) * (1 + outputLengthCV2) * deployment.kvOutputReservation).rounded(.up)
            )
    }

    public func maxBatch(contextTokens: Int) -> Int {
        let perSequence = kvBytesPerTokenPerChip * Double(max(1, contextTokens))
        let free = usableBytesPerChip - weightBytesPerChip
        // Each DP attention rank holds its own sequences; TP ranks and PP stages hold slices of every sequence.
        return Int((free / perSequence).rounded(.down) * dp)
    }

    /// Expected distinct routed experts a chip reads in one MoE layer when `tokens` tokens are routed over the
    /// EP group: E_local · (1 − (1 − k/E)^tokens), uniform routing.
    public func expertsTouchedPerChip(tokens: Int) -> Double {
        guard routedExperts > 0 else { return 0 }
        return localExperts * (1 - Foundation.pow(1 - activeExperts / routedExperts, Double(tokens)))
    }

    // MARK: - Timing

    /// Time of one step over `tokens` new tokens per attention rank, each attending over `context` tokens,
    /// returning seconds and which term bound it. `causalPrefill` halves the attention term (a prompt attends to
    /// itself). `queriesPerSequence` > 1 is a speculative verification step: each sequence scores that many tokens
    /// against its cache, which is read once (so KV bytes scale with `tokens / queriesPerSequence`).
    @inline(__always)
    func stepTime(
        tokens: Double,
        context: Double,
        causalPrefill: Bool,
        queriesPerSequence: Double = 1
    ) -> (seconds: Double, bound: Bound) {
        time(
            stepParts(
                tokens: tokens,
                context: context,
                causalPrefill: causalPrefill,
                queriesPerSequence: queriesPerSequence
            )
        )
    }

    /// The terms of one step (see `stepTime`).
    @inline(__always)
    func stepParts(
        tokens: Double,
        context: Double,
        causalPrefill: Bool,
        queriesPerSequence: Double = 1
    ) -> StepParts {
        let w = weightBytes
        var parts = StepParts()
        // Attention block: projections + scores/values over the context.
        let projectionFLOPs = 2 * attentionParamsPerChip * tokens
        let scoreFLOPs =
            2 * tokens * context * (causalPrefill ? 0.5 * prefillScoreDimPerChip : attentionScoreDimPerChip)
        let kvRead =
            causalPrefill ? 0 : tokens / queriesPerSequence * context * kvElementsPerTokenPerLayerPerChip * kvBytes
        parts.kvMemory = kvRead / bandwidthBytesPerSecond
        parts.attentionCompute = projectionFLOPs / computeFLOPS + scoreFLOPs / attentionFLOPS
        parts.attentionMemory = attentionParamsPerChip * w / bandwidthBytesPerSecond + parts.kvMemory

        // Dense FFN layers.
        parts.denseCompute = 2 * denseFFNParamsPerChip * tokens / computeFLOPS
        parts.denseMemory = denseFFNParamsPerChip * w / bandwidthBytesPerSecond

        // MoE layers: tokens of all DP ranks are routed over the EP group; a chip reads only the experts touched.
        if moeLayers > 0 {
            let groupTokens = tokens * dp
            let touched = localExperts * (1 - Foundation.pow(1 - activeExperts / routedExperts, groupTokens))
            // The busiest rank sets the pace: its load is the mean times the imbalance factor. With EP 1 every
            // chip holds every expert (or a TP slice of each), so no rank waits on a busier one (session 18).
            let imbalance = ep > 1 ? deployment.efficiency.moeImbalance : 1
            let routedTokensPerChip = groupTokens * activeExperts / ep * imbalance
            parts.moeCompute =
                (2 * expertParams * routedTokensPerChip + 2 * sharedParamsPerChip * tokens) / computeFLOPS
            parts.moeMemory = (touched * expertParams + sharedParamsPerChip) * w / bandwidthBytesPerSecond
            if dp > 1, ep > 1 {
                // Tokens live on different DP ranks, so they travel to their experts and back: dispatch in 1-byte
                // FP8 and combine in 2-byte BF16, (ep−1)/ep of it leaving the chip. TP ranks of one DP group hold
                // the same tokens and split the sending. With DP 1 every rank already holds every token (the EP
                // group is the TP group): the experts' partial outputs are summed by the TP all-reduce that ends
                // the block, so no all-to-all is charged (issue 17: TP8 charged both).
                // Hierarchical all-to-all: a token crosses the NIC once per remote domain holding one of its
                // experts, and inside a domain travels over scale-up once to each other chip holding one of its
                // experts (not once per expert: DeepEP sends per destination rank); both links carry their share
                // at once.
                let perToken = tokens / tp * d * 3
                let latency = 2 * deployment.efficiency.collectiveLatencySeconds
                if deployment.perExpertDispatch, !causalPrefill {
                    // Low-latency dispatch (DeepEP's pure-RDMA kernels): one copy per expert, every one that is
                    // not on this chip over the NIC.
                    parts.allToAll = latency + perToken * activeExperts * (ep - 1) / ep / scaleOutLinkBytesPerSecond
                } else {
                    let inside = perToken * localPeersPerToken / scaleUpLinkBytesPerSecond
                    let outside = perToken * remoteDomainsPerToken / scaleOutLinkBytesPerSecond
                    parts.allToAll = latency + max(inside, outside)
                }
            }
        }

        // Two TP all-reduces per layer of tokens × d activations in BF16 (ring: 2(p−1)/p of the message per chip).
        if tp > 1 {
            let message = tokens * d * 2
            parts.allReduce =
                2
                * (deployment.efficiency.collectiveLatencySeconds + 2 * (tp - 1) / tp * message
                    / tensorLinkBytesPerSecond)
        }

        // The LM head scores only the last position of each prompt in a prefill (engines gather the last token's
        // hidden state before it), every token in a decode step.
        let scored = causalPrefill ? max(1, tokens / max(1, context)) : tokens
        parts.lmHeadCompute = 2 * lmHeadParamsPerChip * scored / computeFLOPS
        parts.lmHeadMemory = lmHeadParamsPerChip * w / bandwidthBytesPerSecond
        if pp > 1, deployment.pipelineLogitsToFirstRank {
            // Chitu's pipeline: the micro-batch's BF16 hidden state crosses each of the pp − 1 stage boundaries,
            // then the last stage sends its FP32 logits to rank 0, which samples before the micro-batch's next
            // round; each send is one point-to-point message in the micro-batch's cycle. With TP, each stage's
            // main rank broadcasts what it received (the tokens at stage 0, the hidden state after it) over its TP
            // group before the stage runs, and stage 0 broadcasts the task metadata first (session 18, round 2).
            let latency = deployment.efficiency.collectiveLatencySeconds
            let hiddenBytes = tokens * d * 2
            let hidden = latency + hiddenBytes / stageLinkBytesPerSecond
            let logits = latency + scored * vocabulary * 4 / returnLinkBytesPerSecond
            let broadcasts = tp > 1 ? (pp + 1) * latency + (pp - 1) * hiddenBytes / tensorLinkBytesPerSecond : 0
            parts.pipelineHandOff = (pp - 1) * hidden + logits + broadcasts
        }
        return parts
    }

    /// Seconds of a step from its terms, and the term that binds it.
    @inline(__always)
    func time(_ parts: StepParts) -> (seconds: Double, bound: Bound) {
        let attention = max(parts.attentionCompute, parts.attentionMemory)
        let dense = max(parts.denseCompute, parts.denseMemory)
        let moe = max(parts.moeCompute, parts.moeMemory)
        // A MoE layer is its attention, its experts and their all-to-all in turn, or, when the all-to-all overlaps
        // computation (two-batch overlap), the longer of the two.
        let moeBlock =
            overlapsExpertCommunication
            ? moeLayers * max(attention + moe, parts.allToAll) : moeLayers * (attention + moe + parts.allToAll)
        let perLayerStages = (layers - moeLayers) * attention + denseLayers * dense + moeBlock
        let lmHead = max(parts.lmHeadCompute, parts.lmHeadMemory)
        let communication = layers * parts.allReduce + moeLayers * parts.allToAll
        // A token passes every pipeline stage in turn; each stage holds layers / pp, so the path covers all layers.
        let seconds = perLayerStages + lmHead + layers * parts.allReduce

        let layerCompute: Double = layers * parts.attentionCompute + denseLayers * parts.denseCompute
        let computeTotal: Double = layerCompute + moeLayers * parts.moeCompute + parts.lmHeadCompute
        let kvTotal: Double = layers * parts.kvMemory
        let attentionWeights: Double = layers * (parts.attentionMemory - parts.kvMemory)
        let ffnWeights: Double = denseLayers * parts.denseMemory + moeLayers * parts.moeMemory
        let weightTotal: Double = attentionWeights + ffnWeights + parts.lmHeadMemory
        let bound: Bound
        if communication > max(computeTotal, kvTotal + weightTotal) {
            bound = .interconnect
        } else if computeTotal >= kvTotal + weightTotal {
            bound = .compute
        } else {
            bound = kvTotal > weightTotal ? .kvReads : .weights
        }
        return (seconds, bound)
    }

    /// Seconds of one round of a pipeline in which every micro-batch advances one iteration: the stages work
    /// concurrently on different micro-batches, so a round is `pp` iterations of the slowest stage, not one pass
    /// over the stages' sum. TensorRT-LLM splits the layers with `torch.tensor_split` (`Mapping.pp_layers` in
    /// `tensorrt_llm/mapping.py`: "If num_layers % pp_size = n != 0, first n ranks get one extra layer") and the
    /// last stage also holds the output head, so the slowest stage is ⌈L ÷ pp⌉ layers or ⌊L ÷ pp⌋ layers and the
    /// head, each layer at the step's mean per-layer time (session 18). Without PP it is `time(parts)`.
    @inline(__always)
    func pipelineRoundSeconds(_ parts: StepParts) -> Double {
        let whole = time(parts).seconds
        guard pp > 1 else { return whole }
        let lmHead = max(parts.lmHeadCompute, parts.lmHeadMemory)
        let perLayer = (whole - lmHead) / layers
        let stages = Double(Int(pp))
        let widest = (layers / stages).rounded(.up) * perLayer
        let last = (layers / stages).rounded(.down) * perLayer + lmHead
        return stages * max(widest, last) + parts.pipelineHandOff
    }

    /// The framework's host time (scheduling, sampling, launches) per decode step, i.e. per round of the
    /// pipeline: with PP every micro-batch is an executor iteration of its own on every stage — TensorRT-LLM's
    /// `PyExecutor._executor_loop_pp` fetches, schedules (`_schedule()`), runs and samples one micro-batch per
    /// loop pass, cycling `microbatch_id` over `pp` micro-batches — so a round pays the per-iteration overhead
    /// `pp` times (session 17; before, once per round whatever PP).
    @inline(__always)
    var stepOverheadSeconds: Double { deployment.efficiency.stepOverheadSeconds * pp }

    /// One decode step of `sequencesPerRank` sequences per attention rank, with speculative verification when
    /// `speculation` is set: every sequence scores 1 + k tokens, and the draft (one extra layer, as DeepSeek's MTP
    /// module and EAGLE-3's head are) runs k times. Returns the step without the framework overhead.
    @inline(__always)
    func decodeStepTime(
        sequencesPerRank: Double,
        context: Double,
        speculation: Speculation?
    ) -> (seconds: Double, bound: Bound) {
        let step = decodeStepParts(sequencesPerRank: sequencesPerRank, context: context, speculation: speculation)
        let main = time(step.parts)
        return (main.seconds + step.draftSeconds, main.bound)
    }

    /// The terms of a decode step's main pass (the verification pass with speculation) and the draft's seconds.
    @inline(__always)
    func decodeStepParts(
        sequencesPerRank: Double,
        context: Double,
        speculation: Speculation?
    ) -> (parts: StepParts, draftSeconds: Double) {
        guard let speculation else {
            return (stepParts(tokens: sequencesPerRank, context: context, causalPrefill: false), 0)
        }
        let queries = 1 + Double(speculation.draftTokens)
        let verify = stepParts(
            tokens: sequencesPerRank * queries,
            context: context,
            causalPrefill: false,
            queriesPerSequence: queries
        )
        // Each draft step runs one layer and scores its tokens with an output head (session 17; before, 1/layers
        // of the target's head): the target's for MTP, a draft vocabulary's for EAGLE-3.
        let single = stepParts(tokens: sequencesPerRank, context: context, causalPrefill: false)
        let targetHead = max(single.lmHeadCompute, single.lmHeadMemory)
        let headShare =
            speculation.draftVocabulary.map { min(1, Double($0) / Double(max(1, deployment.model.vocab))) } ?? 1
        let draftStep = (time(single).seconds - targetHead) / layers + targetHead * headShare
        return (verify, Double(speculation.draftTokens) * draftStep)
    }

    /// One continuous-batching iteration: a decode step (with its draft) carrying `promptsPerStep` prompts' prefills.
    ///
    /// The prefills ride in the decode iterations (inflight batching, chunked prefill, mixed chunks): their FLOPs
    /// add to the iteration's, but the weights are read once per iteration, not again per prompt. When the engine
    /// runs each prompt's prefill whole in one iteration (`Deployment.wholePromptPrefill`: TensorRT-LLM without
    /// chunked context) and fewer than one prompt joins per step, a share f of the iterations carries one and the
    /// rest are decode alone: the mean iteration is f · time(decode + prompt) + (1 − f) · time(decode), not
    /// time(decode + f · prompt), which hides a fraction of a prompt's arithmetic in every decode step's memory time
    /// (session 17). When it runs prefill and decode as separate iterations (`Deployment.separatePrefill`: MindIE
    /// without SplitFuse), the prompts' prefill iteration adds to the decode step instead (session 17, round 2).
    /// Otherwise the prefills are spread over the steps. The Poisson queue's wider step goes through
    /// the same rule, so the running count's spread is measured on one formula.
    @inline(__always)
    func iterationSeconds(
        _ decode: (parts: StepParts, draftSeconds: Double),
        prefill: StepParts,
        promptsPerStep: Double,
        overhead: Double
    ) -> Double {
        if promptsPerStep <= 0 { return pipelineRoundSeconds(decode.parts) + decode.draftSeconds + overhead }
        if deployment.separatePrefill {
            // A prefill iteration of the prompts that joined follows each decode step: with p ≥ 1 prompts per step
            // one batch of p prompts (weights read once for it), with p < 1 one prompt in a share p of the steps.
            return pipelineRoundSeconds(decode.parts) + decode.draftSeconds
                + pipelineRoundSeconds(StepParts().mixed(with: prefill, share: promptsPerStep)) + overhead
        }
        if deployment.wholePromptPrefill, promptsPerStep < 1 {
            return promptsPerStep * pipelineRoundSeconds(decode.parts.mixed(with: prefill, share: 1))
                + (1 - promptsPerStep) * pipelineRoundSeconds(decode.parts) + decode.draftSeconds + overhead
        }
        return pipelineRoundSeconds(decode.parts.mixed(with: prefill, share: promptsPerStep)) + decode.draftSeconds
            + overhead
    }

    /// Predicts serving at `batch` concurrent sequences per replica with the given request shape.
    ///
    /// With `disaggregated`, prefill runs on other chips (a decode-only instance): decode steps are not
    /// interrupted by prefills, and TTFT is the prefill time alone. With `speculation`, each decode step emits
    /// the acceptance length in tokens per sequence. With `poissonArrivals` (an open loop, e.g. MLPerf's server
    /// scenario), an aggregated instance's TTFT and the 99th percentiles come from the iteration and KV-slot
    /// queues (`openLoopLatencies`), and a decode-only instance waits half the iteration in progress (PASTA). A
    /// closed loop (a client that sends when its previous request ends) or a fixed batch has no such wait beyond
    /// the one step charged to every aggregated prompt.
    ///
    /// `outputLengthCV2` is the squared coefficient of variation of the output lengths (0: fixed). A running batch
    /// over-represents long requests, each resident for its O steps, so its mean context is
    /// I + E[O²] / (2 E[O]) = I + (1 + cv²) · E[O] / 2 and the KV it holds grows alike (length-biased residence;
    /// MLPerf DeepSeek-R1's outputs have cv² 1.57, a running context 2.6× the fixed-length figure). Requests still
    /// finish at b / E[O] per step.
    public func predict(
        batch: Int,
        inputTokens: Int,
        outputTokens: Int,
        disaggregated: Bool = false,
        speculation: Speculation? = nil,
        poissonArrivals: Bool = false,
        outputLengthCV2: Double = 0
    ) -> Prediction {
        let b = Double(max(1, batch))
        let input = Double(max(1, inputTokens))
        let output = Double(max(1, outputTokens))
        // Sequences are split over DP attention ranks and PP micro-batches.
        let tokensPerRank = max(1, b / dp / pp)
        let meanContext = input + (1 + outputLengthCV2) * output / 2
        let decodeParts = decodeStepParts(
            sequencesPerRank: tokensPerRank,
            context: meanContext,
            speculation: speculation
        )
        let decodeMain = time(decodeParts.parts)
        let decode = (seconds: decodeMain.seconds + decodeParts.draftSeconds, bound: decodeMain.bound)
        let overhead = stepOverheadSeconds
        let decodeStep = decode.seconds + overhead
        let prefillParts = stepParts(tokens: input, context: input, causalPrefill: true)
        let prefill = time(prefillParts)
        // Continuous batching: b/output requests finish per emitted token on average, and as many prefills join.
        // One prefill step prefills a prompt on every DP rank at once, so b/output prompts cost b/output/dp steps
        // (issue 17: charging a whole DP-wide step per prompt counted each prompt dp times).
        let tokensPerStep = speculation?.acceptanceLength ?? 1
        // With PP, a prompt's prefill passes every stage but each stage does 1/pp of it while the others work on
        // other micro-batches, so its cost to throughput is 1/pp of its traversal time (issue 17: counted pp times).
        let prefillStepsPerStep = disaggregated ? 0 : b * tokensPerStep / output / dp / pp
        // The prefills ride in the decode iterations (`iterationSeconds`).
        let step = iterationSeconds(
            decodeParts,
            prefill: prefillParts,
            promptsPerStep: prefillStepsPerStep,
            overhead: overhead
        )
        let tpot = step / tokensPerStep
        // A prompt waits one step for a slot among the running sequences; alone (batch 1: one request at a time)
        // it finds the engine idle, so its TTFT is the prefill (session 16; before, batch 1 waited a step too).
        // A decode-only instance under Poisson arrivals waits half the iteration in progress (PASTA).
        var ttft =
            prefill.seconds + (disaggregated || b <= 1 ? 0 : step)
            + (poissonArrivals && disaggregated ? 0.5 * decodeStep : 0)
        let maxBatch = maxBatch(
            inputTokens: Int(input),
            outputTokens: Int(output),
            outputLengthCV2: outputLengthCV2
        )
        var ttftP99: Double?
        var tpotP99: Double?
        if poissonArrivals, !disaggregated {
            (ttft, ttftP99, tpotP99) = openLoopLatencies(
                tokensPerRank: tokensPerRank,
                meanContext: meanContext,
                speculation: speculation,
                prefillParts: prefillParts,
                promptsPerStep: prefillStepsPerStep,
                overhead: overhead,
                step: step,
                decodeStep: decodeStep,
                tpot: tpot,
                batch: b,
                output: output,
                maxBatch: maxBatch,
                outputLengthCV2: outputLengthCV2
            )
        }
        let perReplica = b / tpot
        let stepBound: Bound =
            overhead > decode.seconds ? .overhead : decode.bound
        return Prediction(
            batch: Int(b),
            inputTokens: Int(input),
            outputTokens: Int(output),
            ttftSeconds: ttft,
            tpotSeconds: tpot,
            decodeStepSeconds: decodeStep,
            prefillSeconds: prefill.seconds,
            outputTokensPerSecondPerChip: perReplica / chips,
            outputTokensPerSecondPerUser: 1 / tpot,
            totalTokensPerSecondPerChip: perReplica * (input + output) / output / chips,
            weightBytesPerChip: weightBytesPerChip,
            kvBytesPerSequencePerChip: kvBytesPerTokenPerChip * (input + output),
            maxBatch: maxBatch,
            decodeBound: stepBound,
            prefillBound: prefill.bound,
            limitedByCapacity: b >= Double(maxBatch),
            calibration: deployment.efficiency.tier,
            ttftP99Seconds: ttftP99,
            tpotP99Seconds: tpotP99
        )
    }

    /// Mean and 99th-percentile TTFT and the 99th-percentile TPOT of an aggregated instance under Poisson arrivals
    /// (session 17): the gated iteration queue of `PoissonServerQueue`. The prompt's own cost is what its prefill
    /// adds to an iteration; the running count's spread is the iteration's change for √n more sequences per rank;
    /// a request that finds the KV cache full waits for a slot (`PoissonServerQueue.slotWait`), per DP rank. Kept
    /// out of `predict`'s body (never inlined) so that the closed-loop and fixed-batch predictions stay small.
    @inline(never)
    func openLoopLatencies(
        tokensPerRank: Double,
        meanContext: Double,
        speculation: Speculation?,
        prefillParts: StepParts,
        promptsPerStep: Double,
        overhead: Double,
        step: Double,
        decodeStep: Double,
        tpot: Double,
        batch b: Double,
        output: Double,
        maxBatch: Int,
        outputLengthCV2: Double
    ) -> (ttft: Double, ttftP99: Double, tpotP99: Double) {
        let tokensPerStep = speculation?.acceptanceLength ?? 1
        let wider = decodeStepParts(
            sequencesPerRank: tokensPerRank + tokensPerRank.squareRoot(),
            context: meanContext,
            speculation: speculation
        )
        let widerStep = iterationSeconds(
            wider,
            prefill: prefillParts,
            promptsPerStep: promptsPerStep,
            overhead: overhead
        )
        let server = PoissonServerQueue(
            iterationSeconds: step,
            promptSeconds: promptsPerStep > 0 ? max(0, step - decodeStep) / promptsPerStep : 0,
            promptsPerIteration: promptsPerStep,
            runningSpreadSeconds: max(0, widerStep - step),
            iterationsPerRequest: output / tokensPerStep,
            tokensPerIteration: tokensPerStep
        )
        var ttft = server.meanTTFTSeconds
        var ttftP99 = server.p99TTFTSeconds
        if let wait = PoissonServerQueue.slotWait(
            slots: maxBatch / Int(dp),
            offered: b / dp,
            holdingSeconds: ttft + output * tpot,
            holdingCV2: outputLengthCV2
        ) {
            ttft += wait.mean
            ttftP99 = server.p99TTFTSeconds + wait.p99
        }
        return (ttft, ttftP99, server.p99TPOTSeconds)
    }

    /// Like `predict`, but refuses a batch whose KV cache does not fit, naming the capacity.
    public func predictWithinCapacity(
        batch: Int,
        inputTokens: Int,
        outputTokens: Int,
        disaggregated: Bool = false,
        speculation: Speculation? = nil,
        poissonArrivals: Bool = false
    ) throws(PerfModelError) -> Prediction {
        let capacity = maxBatch(inputTokens: inputTokens, outputTokens: outputTokens)
        guard batch <= capacity else {
            throw .exceedsCapacity(
                batch: batch,
                capacity: capacity,
                contextTokens: heldTokens(inputTokens: inputTokens, outputTokens: outputTokens)
            )
        }
        return predict(
            batch: batch,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            disaggregated: disaggregated,
            speculation: speculation,
            poissonArrivals: poissonArrivals
        )
    }

    /// A closed loop of `concurrency` clients over `replicas` aggregated replicas (`bench_serving
    /// --max-concurrency`), in steady state: each replica runs its share of the clients with prefills interleaved,
    /// and by Little's law requests complete at C / (TTFT + output × TPOT).
    ///
    /// A replica runs at most as many sequences as its KV cache holds and as the engine's scheduler admits
    /// (`maxRunning`, e.g. vLLM's `max_num_seqs`); clients beyond that wait in the server's queue. Then requests
    /// complete at running × replicas / (TTFT + output × TPOT) of the running batch, and the clients' mean TTFT
    /// is C / rate − output × TPOT (the queue wait included). Before session 16 every client ran at once, whatever
    /// the capacity.
    public func closedLoop(
        concurrency: Int,
        replicas: Int,
        inputTokens: Int,
        outputTokens: Int,
        speculation: Speculation? = nil,
        maxRunning: Int? = nil,
        outputLengthCV2: Double = 0
    ) -> Prediction {
        let replicas = max(1, replicas)
        let perReplica = max(1, Int((Double(concurrency) / Double(replicas)).rounded(.up)))
        let capacity = max(
            1,
            maxBatch(inputTokens: inputTokens, outputTokens: outputTokens, outputLengthCV2: outputLengthCV2)
        )
        let running = min(perReplica, capacity, max(1, maxRunning ?? Int.max))
        var result = predict(
            batch: running,
            inputTokens: inputTokens,
            outputTokens: outputTokens,
            speculation: speculation,
            outputLengthCV2: outputLengthCV2
        )
        let output = Double(max(1, outputTokens))
        let clients = Double(max(1, concurrency))
        let served = running < perReplica ? Double(running * replicas) : clients
        let rate = served / (result.ttftSeconds + output * result.tpotSeconds)
        let allChips = chips * Double(replicas)
        result.outputTokensPerSecondPerChip = rate * output / allChips
        result.totalTokensPerSecondPerChip = rate * (Double(max(1, inputTokens)) + output) / allChips
        if running < perReplica {
            result.ttftSeconds = clients / rate - output * result.tpotSeconds
        }
        return result
    }

    /// Prefill-only throughput (a prefill instance): input tokens per second per chip when each attention rank
    /// processes chunks of `chunkTokens` tokens of prompts of `inputTokens` tokens.
    public func prefillThroughput(inputTokens: Int, chunkTokens: Int = 16384) -> Double {
        let input = Double(max(1, inputTokens))
        let tokens = max(input, Double(chunkTokens))
        let step = pipelineRoundSeconds(stepParts(tokens: tokens, context: input, causalPrefill: true))
        // Every DP rank prefills its chunk at once; PP stages each hold a different chunk (pipelined), so a round of
        // pp chunks takes pp iterations of the slowest stage (session 18).
        return tokens * dp * pp / step / chips
    }

    /// The batch sizes a sweep visits: powers of two and their midpoints up to the capacity limit.
    public static func batchGrid(upTo limit: Int) -> [Int] {
        var grid: [Int] = []
        var value = 1
        while value <= limit {
            grid.append(value)
            let mid = value + value / 2
            if value >= 2, mid <= limit { grid.append(mid) }
            value *= 2
        }
        if grid.last != limit, limit >= 1 { grid.append(limit) }
        return grid
    }

    /// The best throughput per chip under the limits, and the throughput–interactivity curve.
    ///
    /// The search visits batches up to the KV capacity and at most `maxBatchCapPerRank` per attention DP rank
    /// (so it scales with DP).
    public func bestThroughput(
        inputTokens: Int,
        outputTokens: Int,
        limits: ServiceLimits,
        maxBatchCapPerRank: Int = 4096,
        disaggregated: Bool = false,
        speculation: Speculation? = nil,
        poissonArrivals: Bool = false,
        outputLengthCV2: Double = 0
    ) -> LimitedThroughput {
        let capacity = maxBatch(inputTokens: inputTokens, outputTokens: outputTokens, outputLengthCV2: outputLengthCV2)
        let limit = min(maxBatchCapPerRank * Int(dp), capacity)
        // Under Poisson arrivals the limits bound the 99th percentiles (MLPerf's server rules), and the mean running
        // count must stay below the KV capacity per rank, where the slot queue has a steady state (session 17).
        func evaluate(_ batch: Int) -> (prediction: Prediction, meets: Bool) {
            let prediction = predict(
                batch: batch,
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                disaggregated: disaggregated,
                speculation: speculation,
                poissonArrivals: poissonArrivals,
                outputLengthCV2: outputLengthCV2
            )
            let meets =
                limits.admits(
                    ttftSeconds: prediction.ttftP99Seconds ?? prediction.ttftSeconds,
                    tpotSeconds: prediction.tpotP99Seconds ?? prediction.tpotSeconds
                ) && (!poissonArrivals || admitsOpenLoop(batch: batch, capacity: capacity)) && batch <= limit
            return (prediction, meets)
        }
        var best: Prediction?
        var curve: [CurvePoint] = []
        for batch in Self.batchGrid(upTo: max(1, limit)) {
            let (prediction, meets) = evaluate(batch)
            curve.append(
                CurvePoint(
                    batch: batch,
                    outputTokensPerSecondPerUser: prediction.outputTokensPerSecondPerUser,
                    outputTokensPerSecondPerChip: prediction.outputTokensPerSecondPerChip,
                    ttftSeconds: prediction.ttftSeconds,
                    tpotSeconds: prediction.tpotSeconds,
                    meetsLimits: meets
                )
            )
            if meets, prediction.outputTokensPerSecondPerChip > (best?.outputTokensPerSecondPerChip ?? 0) {
                best = prediction
            }
        }
        // An MLPerf submitter sets its server's target QPS freely, not on a grid of powers of two: under Poisson
        // arrivals the running count is refined by bisection between the best grid batch and the next grid batch,
        // which misses the limits, to the largest batch that meets them (session 17).
        if poissonArrivals, let found = best,
            let next = curve.first(where: { $0.batch > found.batch && !$0.meetsLimits })?.batch
        {
            var low = found.batch
            var high = next
            while high - low > 1 {
                let middle = (low + high) / 2
                let (prediction, meets) = evaluate(middle)
                if meets {
                    low = middle
                    if prediction.outputTokensPerSecondPerChip > (best?.outputTokensPerSecondPerChip ?? 0) {
                        best = prediction
                    }
                } else {
                    high = middle
                }
            }
        }
        var reason: String?
        if best == nil {
            if capacity < 1 {
                reason = "not even one sequence of \(inputTokens + outputTokens) tokens fits in the KV cache"
            } else if let first = curve.first {
                reason =
                    "batch 1 misses the limits (\(limits.summary)): TTFT \(Self.ms(first.ttftSeconds)), "
                    + "TPOT \(Self.ms(first.tpotSeconds))"
            }
        }
        return LimitedThroughput(best: best, limits: limits, curve: curve, reason: reason)
    }

    /// Whether an open loop whose mean running count per replica is `batch` has a steady state: per attention DP
    /// rank the mean stays below the sequences the KV cache holds, so the slot queue of
    /// `PoissonServerQueue.slotWait` is stable (its wait is then part of the TTFT the limits bound).
    func admitsOpenLoop(batch: Int, capacity: Int) -> Bool {
        Double(batch) / dp < Double(capacity / Int(dp))
    }

    static func ms(_ seconds: Double) -> String {
        "\(Quantity.trimmed(seconds * 1000, digits: 1)) ms"
    }
}
