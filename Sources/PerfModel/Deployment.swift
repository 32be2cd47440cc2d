public import Catalogue

/// How a model is served: on which chip, how it is split, and at which precisions.
public struct Deployment: Sendable, Hashable, Codable {
    public var chip: Chip
    public var model: ModelArch
    /// Tensor parallel degree (shards attention heads and FFNs).
    public var tensorParallel: Int
    /// Pipeline parallel degree (splits layers into stages).
    public var pipelineParallel: Int
    /// Attention data-parallel degree inside one replica (DeepSeek-style DP attention with expert parallelism).
    public var dataParallelAttention: Int
    /// Expert parallel degree: routed experts are sharded over this many chips. Defaults to TP × DP.
    public var expertParallel: Int
    public var weightPrecision: Precision
    /// Precision of matrix arithmetic; a chip without it runs at the nearest wider precision it has.
    public var activationPrecision: Precision
    public var kvPrecision: Precision
    /// Fraction of memory usable for weights and KV cache (the rest: activations, runtime, fragmentation).
    public var memoryUtilisation: Double
    /// Share of a request's output tokens whose KV blocks the engine holds for it on average: 1 when the
    /// scheduler reserves the whole output at admission (TensorRT-LLM's default GUARANTEED_NO_EVICT), ½ when
    /// blocks are taken as tokens are generated and running sequences are spread over their progress (vLLM's
    /// PagedAttention, SGLang). Set by the engine profile; 1 by default.
    public var kvOutputReservation: Double = 1
    /// Whether the expert all-to-all runs concurrently with computation (SGLang's two-batch overlap, DeepEP's
    /// communication–computation overlap: one half of the batch computes while the other's tokens travel), so a
    /// MoE layer takes the longer of the two instead of their sum. Off unless the run states it.
    public var overlapsExpertCommunication: Bool = false
    /// Whether the engine prefills each prompt whole in one iteration (no chunked prefill: TensorRT-LLM's
    /// default), so that with fewer than one prompt per step only some iterations carry a prefill, and those
    /// carry all of it. Set by the engine profile; off by default (prefills spread over the steps).
    public var wholePromptPrefill: Bool = false
    /// Whether prefill and decode run as separate iterations (MindIE without SplitFuse: a batch is either a prefill
    /// batch or a decode batch), so each decode step is followed by a prefill iteration of the prompts that joined,
    /// which reads the weights again instead of riding in the decode step. Set by the engine profile; off by default.
    public var separatePrefill: Bool = false
    /// Whether decode steps dispatch each token to each of its k experts over the scale-out NIC (DeepEP's
    /// low-latency kernels, "pure RDMA": one copy per expert, no forwarding through NVLink), instead of once per
    /// remote scale-up domain and then over NVLink (DeepEP's normal kernels, the default). Applies with attention
    /// DP and EP; set by the engine profile; off by default.
    public var perExpertDispatch: Bool = false
    /// Whether, with PP, each micro-batch's hand-offs lie on its round: the hidden state crosses every stage
    /// boundary (BF16, stage main rank to stage main rank) and the last stage sends the micro-batch's FP32 logits
    /// back to rank 0, which samples (Chitu's pipeline executor). Set by the engine profile; off by default (the
    /// hand-offs are not charged).
    public var pipelineLogitsToFirstRank: Bool = false
    public var efficiency: Efficiency

    public init(
        chip: Chip,
        model: ModelArch,
        tensorParallel: Int = 1,
        pipelineParallel: Int = 1,
        dataParallelAttention: Int = 1,
        expertParallel: Int? = nil,
        weightPrecision: Precision = .bf16,
        activationPrecision: Precision? = nil,
        kvPrecision: Precision? = nil,
        memoryUtilisation: Double = 0.9,
        efficiency: Efficiency? = nil
    ) {
        self.chip = chip
        self.model = model
        self.tensorParallel = tensorParallel
        self.pipelineParallel = pipelineParallel
        self.dataParallelAttention = dataParallelAttention
        self.expertParallel = expertParallel ?? tensorParallel * dataParallelAttention
        self.weightPrecision = weightPrecision
        self.activationPrecision = activationPrecision ?? (weightPrecision.isInteger ? .bf16 : weightPrecision)
        self.kvPrecision = kvPrecision ?? .bf16
        self.memoryUtilisation = memoryUtilisation
        self.efficiency = efficiency ?? .defaults(for: chip, precision: self.activationPrecision)
    }

    /// Chips in one model replica.
    public var chipsPerReplica: Int { tensorParallel * pipelineParallel * dataParallelAttention }
}
