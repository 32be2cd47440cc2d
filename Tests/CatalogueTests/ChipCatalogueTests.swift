import Catalogue
import Foundation
import Testing

@Suite struct ChipCatalogueTests {
    let catalogue: ChipCatalogue

    init() throws {
        catalogue = try ChipCatalogue.load()
    }

    @Test func builtInCatalogueHasAtLeastThirtyChips() {
        #expect(catalogue.chips.count >= 30)
    }

    @Test(arguments: [
        "h20", "l20", "l2", "rtx-pro-6000d", "rtx-pro-6000-server", "h800", "a800", "a100-sxm", "h100-sxm",
        "h100-pcie", "h200-sxm", "b200", "gb200", "ascend-910b", "ascend-910c", "ascend-950pr", "ascend-950dt",
        "mlu370-x8", "mlu590", "kunlunxin-p800", "t-head-ppu", "hygon-k100", "metax-c500", "metax-c550",
        "mtt-s4000", "biren-br100", "biren-br104", "enflame-t20", "iluvatar-tiangai-150", "mi300x", "mi308x",
        "mi325x",
    ])
    func requiredChipIsPresent(id: String) throws {
        let chip = try catalogue.chip(id)
        #expect(chip.id == id)
    }

    @Test func everyFigureHasASourceOrAnEstimateReason() {
        for chip in catalogue.chips {
            for figure in chip.figures {
                let field = figure.field
                switch figure.provenance {
                case .spec(let source):
                    #expect(
                        !source.trimmingCharacters(in: .whitespaces).isEmpty,
                        "\(chip.id).\(field) has an empty source"
                    )
                case .estimate(let reason):
                    #expect(reason.count >= 5, "\(chip.id).\(field) estimate needs a real reason")
                case .modelled, .measured:
                    Issue.record("\(chip.id).\(field): catalogue figures are spec or estimate only")
                }
            }
        }
    }

    @Test func denseNeverExceedsSparseTwin() {
        for chip in catalogue.chips {
            for (precision, sparse) in chip.sparsePeak {
                if let dense = chip.densePeak[precision] {
                    #expect(dense.value <= sparse.value, "\(chip.id) dense \(precision) > sparse")
                }
            }
        }
    }

    @Test func figuresAreNormalisedToBaseUnits() throws {
        // H20: 96 GB HBM3 at 4.0 TB/s, 148 TFLOPS dense BF16 (Tom's Hardware, S68 in the reference sheet).
        let h20 = try catalogue.chip("h20")
        #expect(h20.memory.capacityBytes.value == 96e9)
        #expect(h20.memory.bandwidthBytesPerSecond.value == 4.0e12)
        #expect(h20.densePeak[.bf16]?.value == 148e12)
        #expect(h20.market == .chinaSpecific)
    }

    @Test func everyChipHasPlausibleHeadlineFigures() {
        for chip in catalogue.chips {
            let capacity = chip.memory.capacityBytes.value
            let bandwidth = chip.memory.bandwidthBytesPerSecond.value
            #expect((8e9...400e9).contains(capacity), "\(chip.id) capacity \(capacity)")
            #expect((100e9...20e12).contains(bandwidth), "\(chip.id) bandwidth \(bandwidth)")
            for (precision, figure) in chip.densePeak {
                #expect((1e12...30e15).contains(figure.value), "\(chip.id) \(precision) \(figure.value)")
            }
        }
    }

    @Test func lookupIgnoresCaseAndPunctuationAndUsesAliases() throws {
        #expect(try catalogue.chip("H20").id == "h20")
        #expect(try catalogue.chip("H100_SXM").id == "h100-sxm")
    }

    @Test func unknownChipSuggestsClosestIDs() {
        #expect {
            try catalogue.chip("h2O0")
        } throws: { error in
            guard let error = error as? UnknownIDError else { return false }
            return error.suggestions.contains("h20") && error.description.contains("Did you mean")
        }
        #expect {
            try catalogue.chip("ascend910")
        } throws: { error in
            (error as? UnknownIDError)?.suggestions.contains { $0.hasPrefix("ascend-910") } ?? false
        }
    }

    @Test func userDirectoryOverridesAndAddsChips() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parity-cat-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let custom = ChipYAML.minimal(id: "h20", bandwidth: "5 TB/s")
        try custom.write(to: directory.appendingPathComponent("h20.yaml"), atomically: true, encoding: .utf8)
        let extra = ChipYAML.minimal(id: "my-chip", bandwidth: "1 TB/s")
        try extra.write(to: directory.appendingPathComponent("my-chip.yaml"), atomically: true, encoding: .utf8)

        let loaded = try ChipCatalogue.load(userDirectories: [directory])
        #expect(try loaded.chip("h20").memory.bandwidthBytesPerSecond.value == 5e12)
        #expect(try loaded.chip("my-chip").vendor == "Test")
        #expect(loaded.chips.count == catalogue.chips.count + 1)
    }

    @Test func environmentVariableNamesUserDirectories() {
        let urls = CatalogueFiles.userDirectories(explicit: ["/c"], environment: ["PARITY_CATALOGUE": "/a:/b"])
        #expect(urls.map(\.path) == ["/a", "/b", "/c"])
    }
}

/// Small chip documents for tests.
enum ChipYAML {
    static func minimal(id: String, bandwidth: String) -> String {
        """
        id: \(id)
        vendor: Test
        name: Test chip
        market: global
        sources:
          s1: "https://example.org/datasheet"
        memory:
          capacity: {value: "64 GB", source: s1}
          bandwidth: {value: "\(bandwidth)", source: s1}
        dense:
          bf16: {value: "100 TFLOPS", source: s1}
        """
    }
}
