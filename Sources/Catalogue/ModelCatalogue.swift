public import Foundation
import Yams

/// The LLM architectures known to Parity: built-in resources plus user directories (`<dir>/models/*.yaml`).
public struct ModelCatalogue: Sendable {
    public private(set) var models: [ModelArch]

    public init(models: [ModelArch]) {
        self.models = models.sorted { $0.id < $1.id }
    }

    public static func load(userDirectories: [URL] = []) throws(CatalogueError) -> ModelCatalogue {
        guard let builtIn = CatalogueFiles.builtInDirectory("models") else {
            throw CatalogueError(message: "the built-in model catalogue is missing from the package resources")
        }
        var byID: [String: ModelArch] = [:]
        let root = builtIn.deletingLastPathComponent()
        for url in try CatalogueFiles.yamlFiles(in: root, kind: "models", includeTopLevel: false) {
            let name = "models/\(url.lastPathComponent)"
            let model = try ModelDecoder.decode(text: try CatalogueFiles.read(url, displayName: name), file: name)
            byID[model.id] = model
        }
        for directory in userDirectories {
            for url in try CatalogueFiles.yamlFiles(in: directory, kind: "models", includeTopLevel: false) {
                let model = try ModelDecoder.decode(
                    text: try CatalogueFiles.read(url, displayName: url.path),
                    file: url.path
                )
                byID[model.id] = model
            }
        }
        return ModelCatalogue(models: Array(byID.values))
    }

    /// Parses one model YAML document.
    public static func decode(text: String, file: String) throws(CatalogueError) -> ModelArch {
        try ModelDecoder.decode(text: text, file: file)
    }

    /// The model with this id or alias (case and punctuation ignored).
    public func model(_ query: String) throws(UnknownIDError) -> ModelArch {
        let key = Suggestions.normalise(query)
        if let model = models.first(where: { Suggestions.normalise($0.id) == key }) { return model }
        if let model = models.first(where: { $0.aliases.contains { Suggestions.normalise($0) == key } }) {
            return model
        }
        throw UnknownIDError(
            kind: "model",
            id: query,
            suggestions: Suggestions.closest(to: query, among: models.map(\.id))
        )
    }
}

enum ModelDecoder {
    static func decode(text: String, file: String) throws(CatalogueError) -> ModelArch {
        let reader = try YAMLReader(text: text, file: file)
        let root = reader.root
        try reader.rejectUnknownKeys(
            root,
            allowed: [
                "id", "name", "aliases", "source", "layers", "hidden_size", "heads", "kv_heads", "head_dim",
                "ffn_size", "vocab", "tied_embeddings", "gated_mlp", "published_params", "published_active_params",
                "moe", "mla", "note",
            ],
            path: ""
        )
        func string(_ node: Node, _ key: String, path: String) throws(CatalogueError) -> String {
            try reader.string(try reader.require(node, key, path: path), path: path)
        }
        func positive(_ node: Node, _ key: String, path: String) throws(CatalogueError) -> Int {
            let valueNode = try reader.require(node, key, path: path)
            let value = try reader.int(valueNode, path: path)
            guard value > 0 else { throw reader.error(valueNode, path, "must be positive") }
            return value
        }
        func count(_ node: Node, _ key: String, path: String) throws(CatalogueError) -> Int {
            let valueNode = try reader.require(node, key, path: path)
            let value = try reader.int(valueNode, path: path)
            guard value >= 0 else { throw reader.error(valueNode, path, "must not be negative") }
            return value
        }
        func published(_ key: String) throws(CatalogueError) -> Sourced<Double>? {
            guard let node = reader.child(root, key) else { return nil }
            return try reader.figure(node, path: key, sources: [:]) { (n: Node, p: String) throws(CatalogueError) in
                try reader.double(n, path: p)
            }
        }
        var moe: ModelArch.MoE?
        if let node = reader.child(root, "moe") {
            moe = ModelArch.MoE(
                routedExperts: try positive(node, "routed_experts", path: "moe.routed_experts"),
                sharedExperts: try count(node, "shared_experts", path: "moe.shared_experts"),
                activeExperts: try positive(node, "active_experts", path: "moe.active_experts"),
                expertFFNSize: try positive(node, "expert_ffn_size", path: "moe.expert_ffn_size"),
                denseLayers: try count(node, "dense_layers", path: "moe.dense_layers"),
                expertGroups: try reader.child(node, "expert_groups").map { _ throws(CatalogueError) in
                    try positive(node, "expert_groups", path: "moe.expert_groups")
                },
                groupsPerToken: try reader.child(node, "groups_per_token").map { _ throws(CatalogueError) in
                    try positive(node, "groups_per_token", path: "moe.groups_per_token")
                }
            )
        }
        var mla: ModelArch.MLA?
        if let node = reader.child(root, "mla") {
            mla = ModelArch.MLA(
                kvLoraRank: try positive(node, "kv_lora_rank", path: "mla.kv_lora_rank"),
                qLoraRank: try reader.child(node, "q_lora_rank").map { (n: Node) throws(CatalogueError) in
                    try reader.int(n, path: "mla.q_lora_rank")
                },
                qkNopeHeadDim: try positive(node, "qk_nope_head_dim", path: "mla.qk_nope_head_dim"),
                qkRopeHeadDim: try positive(node, "qk_rope_head_dim", path: "mla.qk_rope_head_dim"),
                vHeadDim: try positive(node, "v_head_dim", path: "mla.v_head_dim")
            )
        }
        let id = try string(root, "id", path: "id")
        let gated = try reader.child(root, "gated_mlp").map { (n: Node) throws(CatalogueError) in
            try reader.bool(n, path: "gated_mlp")
        }
        let model = ModelArch(
            id: id,
            name: try string(root, "name", path: "name"),
            aliases: try reader.child(root, "aliases").map { (n: Node) throws(CatalogueError) in
                try reader.stringList(n, path: "aliases")
            } ?? [],
            source: try string(root, "source", path: "source"),
            layers: try positive(root, "layers", path: "layers"),
            hiddenSize: try positive(root, "hidden_size", path: "hidden_size"),
            heads: try positive(root, "heads", path: "heads"),
            kvHeads: try positive(root, "kv_heads", path: "kv_heads"),
            headDim: try positive(root, "head_dim", path: "head_dim"),
            ffnSize: try positive(root, "ffn_size", path: "ffn_size"),
            vocab: try positive(root, "vocab", path: "vocab"),
            tiedEmbeddings: try reader.child(root, "tied_embeddings").map { (n: Node) throws(CatalogueError) in
                try reader.bool(n, path: "tied_embeddings")
            } ?? false,
            gatedMLP: gated ?? true,
            moe: moe,
            mla: mla,
            publishedParams: try published("published_params"),
            publishedActiveParams: try published("published_active_params")
        )
        if let moe, moe.activeExperts > moe.routedExperts {
            throw reader.error(reader.child(root, "moe"), "moe.active_experts", "exceeds routed_experts")
        }
        if let moe, (moe.expertGroups == nil) != (moe.groupsPerToken == nil) {
            throw reader.error(
                reader.child(root, "moe"),
                "moe.expert_groups",
                "expert_groups and groups_per_token go together"
            )
        }
        if let moe, let groups = moe.expertGroups, let chosen = moe.groupsPerToken,
            moe.routedExperts % groups != 0 || chosen > groups
        {
            throw reader.error(
                reader.child(root, "moe"),
                "moe.expert_groups",
                "must divide routed_experts, with groups_per_token at most expert_groups"
            )
        }
        if let moe, moe.denseLayers > model.layers {
            throw reader.error(reader.child(root, "moe"), "moe.dense_layers", "exceeds layers")
        }
        return model
    }
}
