import Catalogue
import Foundation
import Testing

@Suite struct ChipDecoderTests {
    /// Decodes `text` and returns the error it must raise.
    func failure(_ text: String) throws -> CatalogueError {
        do {
            _ = try ChipCatalogue.decode(text: text, file: "chips/bad.yaml")
        } catch {
            return error
        }
        Issue.record("expected a CatalogueError")
        throw CatalogueError(message: "no error")
    }

    @Test func minimalChipDecodes() throws {
        let chip = try ChipCatalogue.decode(text: ChipYAML.minimal(id: "x1", bandwidth: "1.5 TB/s"), file: "x1.yaml")
        #expect(chip.memory.bandwidthBytesPerSecond.value == 1.5e12)
        #expect(chip.densePeak[.bf16]?.provenance == .spec(source: "https://example.org/datasheet"))
    }

    @Test func figureWithoutSourceNamesFileLineAndField() throws {
        let text = ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s")
            .replacingOccurrences(
                of: "bf16: {value: \"100 TFLOPS\", source: s1}",
                with: "bf16: {value: \"100 TFLOPS\"}"
            )
        let error = try failure(text)
        #expect(error.line == 11)
        #expect(error.field == "dense.bf16")
        #expect(error.description.hasPrefix("chips/bad.yaml:11: field 'dense.bf16' has no source"))
    }

    @Test func quantityWithoutUnitIsRejectedWithExample() throws {
        let error = try failure(ChipYAML.minimal(id: "x1", bandwidth: "4.0"))
        #expect(error.field == "memory.bandwidth.value")
        #expect(error.line == 9)
        #expect(error.description.contains("has no unit. Write e.g. '4.0 TB/s'"))
    }

    @Test func wrongUnitIsRejected() throws {
        let error = try failure(ChipYAML.minimal(id: "x1", bandwidth: "4 GB"))
        #expect(error.description.contains("has unit 'GB', expected one of TB/s"))
    }

    @Test func missingRequiredFieldIsNamed() throws {
        let text = ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s").replacingOccurrences(of: "vendor: Test\n", with: "")
        let error = try failure(text)
        #expect(error.field == "vendor")
        #expect(error.description.contains("is missing"))
    }

    @Test func unknownSourceKeyIsRejected() throws {
        let text = ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s").replacingOccurrences(
            of: "bf16: {value: \"100 TFLOPS\", source: s1}",
            with: "bf16: {value: \"100 TFLOPS\", source: s9}"
        )
        let error = try failure(text)
        #expect(error.field == "dense.bf16.source")
        #expect(error.description.contains("not a key of 'sources'"))
    }

    @Test func denseAboveSparseTwinIsRejected() throws {
        let text =
            ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s") + "\nsparse:\n  bf16: {value: \"50 TFLOPS\", source: s1}\n"
        let error = try failure(text)
        #expect(error.field == "dense.bf16")
        #expect(error.description.contains("exceeds its sparse twin"))
    }

    @Test func malformedYAMLReportsLine() throws {
        let error = try failure("id: x1\nvendor: [unclosed\nname: y\n")
        #expect(error.line != nil)
        #expect(error.description.hasPrefix("chips/bad.yaml:"))
        #expect(error.description.contains("is not valid YAML"))
    }

    @Test func unknownFieldIsRejected() throws {
        let error = try failure(ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s") + "\nbandwith: 3\n")
        #expect(error.field == "bandwith")
        #expect(error.line == 12)
    }

    @Test func unknownPrecisionIsRejected() throws {
        let text = ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s").replacingOccurrences(of: "  bf16:", with: "  bf15:")
        let error = try failure(text)
        #expect(error.field == "dense.bf15")
    }

    @Test func estimateAndSourceTogetherAreRejected() throws {
        let text = ChipYAML.minimal(id: "x1", bandwidth: "1 TB/s").replacingOccurrences(
            of: "bf16: {value: \"100 TFLOPS\", source: s1}",
            with: "bf16: {value: \"100 TFLOPS\", source: s1, estimate: \"guess\"}"
        )
        #expect(try failure(text).description.contains("both 'source' and 'estimate'"))
    }

    @Test(arguments: [
        ("148 TFLOPS", QuantityKind.throughput, 148e12),
        ("1.5 PFLOPS", .throughput, 1.5e15),
        ("296 TOPS", .throughput, 296e12),
        ("4.0 TB/s", .bandwidth, 4e12),
        ("864 GB/s", .bandwidth, 864e9),
        ("400 Gb/s", .bandwidth, 50e9),
        ("96 GB", .capacity, 96e9),
        ("32 GiB", .capacity, 34_359_738_368),
        ("814 mm2", .area, 814),
        ("1,000 W", .power, 1000),
        ("12000 USD", .price, 12000),
    ])
    func quantitiesNormaliseToBaseUnits(text: String, kind: QuantityKind, expected: Double) throws {
        #expect(try Quantity.parse(text, as: kind).get() == expected)
    }
}
