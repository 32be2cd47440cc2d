/// A decoder-only LLM architecture, from the model's published `config.json`.
public struct ModelArch: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var aliases: [String]
    /// The config the figures were copied from.
    public var source: String
    public var layers: Int
    public var hiddenSize: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    /// FFN width of dense layers (`intermediate_size`).
    public var ffnSize: Int
    public var vocab: Int
    public var tiedEmbeddings: Bool
    /// `false` for two-matrix MLPs (GPT-J); gated SiLU MLPs have three matrices.
    public var gatedMLP: Bool
    public var moe: MoE?
    public var mla: MLA?
    public var publishedParams: Sourced<Double>?
    public var publishedActiveParams: Sourced<Double>?

    public struct MoE: Sendable, Hashable, Codable {
        public var routedExperts: Int
        public var sharedExperts: Int
        /// Routed experts chosen per token.
        public var activeExperts: Int
        public var expertFFNSize: Int
        /// Leading layers with a dense FFN instead of experts.
        public var denseLayers: Int
        /// Group-limited routing (DeepSeek-V3's `n_group`): the routed experts form this many equal groups, in
        /// order, and a token's experts come from `groupsPerToken` of them (`topk_group`). Nil: no grouping.
        public var expertGroups: Int? = nil
        public var groupsPerToken: Int? = nil
    }

    /// Multi-head latent attention (DeepSeek-V2/V3).
    public struct MLA: Sendable, Hashable, Codable {
        public var kvLoraRank: Int
        public var qLoraRank: Int?
        public var qkNopeHeadDim: Int
        public var qkRopeHeadDim: Int
        public var vHeadDim: Int
    }

    public var moeLayers: Int { moe.map { layers - $0.denseLayers } ?? 0 }
    public var denseFFNLayers: Int { layers - moeLayers }

    /// Parameters of one attention block (projections only; norms are negligible).
    public var attentionParamsPerLayer: Double {
        let d = Double(hiddenSize)
        let h = Double(heads)
        if let mla {
            let qk = Double(mla.qkNopeHeadDim + mla.qkRopeHeadDim)
            let q: Double =
                if let rank = mla.qLoraRank { d * Double(rank) + Double(rank) * h * qk } else { d * h * qk }
            let kvDown = d * Double(mla.kvLoraRank + mla.qkRopeHeadDim)
            let kvUp = Double(mla.kvLoraRank) * h * Double(mla.qkNopeHeadDim + mla.vHeadDim)
            let out = h * Double(mla.vHeadDim) * d
            return q + kvDown + kvUp + out
        }
        let hd = Double(headDim)
        return d * hd * (2 * h + 2 * Double(kvHeads))
    }

    /// Parameters of one FFN of width `width`.
    public func ffnParams(width: Int) -> Double {
        Double(gatedMLP ? 3 : 2) * Double(hiddenSize) * Double(width)
    }

    /// Parameters of all routed experts of one MoE layer plus its router.
    public var routedExpertParamsPerLayer: Double {
        guard let moe else { return 0 }
        return Double(moe.routedExperts) * ffnParams(width: moe.expertFFNSize)
            + Double(hiddenSize * moe.routedExperts)
    }

    /// Parameters of the shared experts of one MoE layer.
    public var sharedExpertParamsPerLayer: Double {
        guard let moe else { return 0 }
        return Double(moe.sharedExperts) * ffnParams(width: moe.expertFFNSize)
    }

    public var embeddingParams: Double {
        Double(vocab * hiddenSize) * (tiedEmbeddings ? 1 : 2)
    }

    /// Parameters that every token uses and that are sharded by tensor parallelism (all but routed experts).
    public var nonExpertParams: Double {
        Double(layers) * attentionParamsPerLayer + Double(denseFFNLayers) * ffnParams(width: ffnSize)
            + Double(moeLayers) * sharedExpertParamsPerLayer + embeddingParams
    }

    /// All routed-expert parameters.
    public var expertParams: Double { Double(moeLayers) * routedExpertParamsPerLayer }

    /// Total parameters, derived from the architecture.
    public var totalParams: Double { nonExpertParams + expertParams }

    /// Parameters a token activates: everything but the routed experts it does not choose.
    public var activeParams: Double {
        guard let moe else { return totalParams }
        let activeRouted = Double(moe.activeExperts) * ffnParams(width: moe.expertFFNSize)
        return nonExpertParams + Double(moeLayers) * (activeRouted + Double(hiddenSize * moe.routedExperts))
    }

    /// KV-cache elements per token (all layers): 2·L·kv·head_dim for MHA/GQA, L·(latent + rope) for MLA.
    public var kvElementsPerToken: Double {
        if let mla { return Double(layers * (mla.kvLoraRank + mla.qkRopeHeadDim)) }
        return Double(2 * layers * kvHeads * headDim)
    }
}
