import Catalogue
import Testing

/// Model YAML decoding: the MoE router's expert groups (session 18).
@Suite struct ModelDecoderTests {
    /// A small MoE document; `extra` lines go under `moe:`.
    static func document(moe extra: String) -> String {
        """
        id: test-moe
        name: Test MoE
        source: "https://example.org/config.json"
        layers: 4
        hidden_size: 1024
        heads: 8
        kv_heads: 8
        head_dim: 128
        ffn_size: 4096
        vocab: 32000
        moe:
          routed_experts: 64
          shared_experts: 0
          active_experts: 4
          expert_ffn_size: 512
          dense_layers: 0
        \(extra)
        """
    }

    @Test func expertGroupsAreReadWithTheGroupsPerToken() throws {
        let model = try ModelCatalogue.decode(
            text: Self.document(moe: "  expert_groups: 8\n  groups_per_token: 2"),
            file: "test.yaml"
        )
        #expect(model.moe?.expertGroups == 8)
        #expect(model.moe?.groupsPerToken == 2)
        let plain = try ModelCatalogue.decode(text: Self.document(moe: ""), file: "test.yaml")
        #expect(plain.moe?.expertGroups == nil && plain.moe?.groupsPerToken == nil)
    }

    @Test func halfStatedOrUnevenGroupsAreRefusedWithTheirKey() {
        for (extra, reason) in [
            ("  expert_groups: 8", "go together"),
            ("  groups_per_token: 2", "go together"),
            ("  expert_groups: 6\n  groups_per_token: 2", "must divide routed_experts"),
            ("  expert_groups: 8\n  groups_per_token: 9", "must divide routed_experts"),
        ] {
            #expect {
                try ModelCatalogue.decode(text: Self.document(moe: extra), file: "test.yaml")
            } throws: { error in
                let message = String(describing: error)
                return message.contains("moe.expert_groups") && message.contains(reason)
            }
        }
    }
}
