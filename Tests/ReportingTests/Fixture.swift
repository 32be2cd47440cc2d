import Assessment
import Catalogue
import Foundation

enum Fixture {
    static func chip(_ id: String, bf16: Double, bandwidth: Double, market: Market = .domesticChina) -> Chip {
        let provenance = Provenance.spec(source: "https://example.test/\(id)")
        return Chip(
            id: id,
            vendor: "Test",
            name: id.uppercased(),
            market: market,
            memory: Chip.Memory(
                type: Sourced("HBM3", provenance),
                capacityBytes: Sourced(96e9, provenance),
                bandwidthBytesPerSecond: Sourced(bandwidth * 1e12, provenance),
                stacks: nil
            ),
            densePeak: [.bf16: Sourced(bf16 * 1e12, provenance)]
        )
    }

    /// A small assessment: two candidates against one reference on the spec workloads.
    static func assessment() throws -> Assessment {
        let reference = chip("ref", bf16: 148, bandwidth: 4, market: .chinaSpecific)
        let suite = Workload.defaultSuite().filter { $0.kind == .spec && $0.id != "scale-up" }
        return try Assessor.run(
            AssessmentOptions(
                candidates: [chip("fast", bf16: 300, bandwidth: 3.2), chip("slow", bf16: 100, bandwidth: 1.6)],
                references: [reference],
                suite: suite,
                resamples: 200
            ),
            models: ModelCatalogue.load(),
            generatedAt: Date(timeIntervalSince1970: 1_790_000_000)
        )
    }

    /// The full built-in assessment, as `parity assess` runs it.
    static func builtIn() throws -> Assessment {
        let chips = try ChipCatalogue.load()
        return try Assessor.run(
            AssessmentOptions(
                candidates: chips.chips.filter { $0.market == .domesticChina },
                references: [try chips.chip("h20"), try chips.chip("rtx-pro-6000d")],
                resamples: 500
            ),
            models: ModelCatalogue.load()
        )
    }
}
