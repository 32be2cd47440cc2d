import Catalogue
import ExportControl
import Testing

@Suite struct ClassifierTests {
    let classifier: Classifier
    let catalogue: ChipCatalogue

    init() throws {
        classifier = Classifier(rule: try ExportRule.builtIn())
        catalogue = try ChipCatalogue.load()
    }

    /// A chip with one dense precision and a die area, for boundary tests.
    func chip(tops: Double, precision: Precision = .fp8, dieArea: Double?, datacenter: Bool = true) -> Chip {
        let spec = Provenance.spec(source: "test")
        return Chip(
            id: "t",
            vendor: "T",
            name: "T",
            market: .global,
            isDatacenter: datacenter,
            die: dieArea.map { Chip.Die(areaPerDieMM2: Sourced($0, spec), count: Sourced(1, spec)) },
            memory: .init(
                type: nil,
                capacityBytes: Sourced(1e10, spec),
                bandwidthBytesPerSecond: Sourced(1e12, spec),
                stacks: nil
            ),
            densePeak: [precision: Sourced(tops * 1e12, spec)]
        )
    }

    // MARK: - Published values

    /// H100 SXM: 1,979 dense FP8 TFLOPS × 8 bits = 15,832; H20: 296 × 8 = 2,368; L20: 239 × 8 = 1,912;
    /// A800: 624 INT8 TOPS × 8 = 4,992 (values per the sources in each chip file).
    @Test(arguments: [("h100-sxm", 15832.0), ("h800", 15832.0), ("h20", 2368.0), ("l20", 1912.0), ("a800", 4992.0)])
    func handComputedTPP(id: String, expected: Double) throws {
        let result = classifier.classify(try catalogue.chip(id))
        #expect(abs(result.tpp - expected) / expected < 0.01, "\(id): \(result.tpp)")
    }

    @Test func computedTPPMatchesEveryPublishedValueWithinOnePercent() throws {
        let published = catalogue.chips.filter { $0.published?.tpp != nil }
        #expect(!published.isEmpty)
        for chip in published {
            guard let expected = chip.published?.tpp?.value else { continue }
            let result = classifier.classify(chip)
            #expect(
                abs(result.tpp - expected) / expected < 0.01,
                "\(chip.id): computed \(result.tpp), published \(expected)"
            )
        }
    }

    /// Published densities are rounded to one decimal, so allow that rounding on top of 1 %.
    @Test func computedDensityMatchesEveryPublishedValue() throws {
        let published = catalogue.chips.filter { $0.published?.performanceDensity != nil }
        #expect(!published.isEmpty)
        for chip in published {
            guard let expected = chip.published?.performanceDensity?.value else { continue }
            let density = try #require(classifier.classify(chip).performanceDensity)
            #expect(
                abs(density - expected) <= 0.05 + expected * 0.01,
                "\(chip.id): computed \(density), published \(expected)"
            )
        }
    }

    @Test func classMatchesEveryPublishedClassification() throws {
        let published = catalogue.chips.filter { $0.published?.eccn != nil }
        // H100, H800, A800, A100 (NVIDIA 8-K), H20 and L20 (made to fall outside) at least.
        #expect(published.count >= 6)
        for chip in published {
            guard let expected = chip.published?.eccn?.value else { continue }
            let result = classifier.classify(chip)
            // A published "3A090" (sub-paragraph not stated) accepts 3A090.a or .b.
            #expect(
                result.eccnClass.hasPrefix(expected),
                "\(chip.id): computed \(result.eccnClass), published \(expected)"
            )
        }
    }

    @Test(arguments: [
        ("h100-sxm", "3A090.a"), ("h800", "3A090.a"), ("a800", "3A090.a"), ("h20", "not 3A090"), ("l20", "not 3A090"),
    ])
    func knownChipsClassifyAsPublished(id: String, expected: String) throws {
        #expect(classifier.classify(try catalogue.chip(id)).eccnClass == expected)
    }

    // MARK: - Threshold boundaries (88 FR 73458)

    @Test func tppAt4800IsA1AndJustBelowIsNot() {
        // 600 TOPS × 8 bits = 4,800.
        #expect(classifier.classify(chip(tops: 600, dieArea: 10_000)).decidingClause == "3A090.a.1")
        #expect(classifier.classify(chip(tops: 599.9, dieArea: 10_000)).eccnClass == "not 3A090")
    }

    @Test func densityAt5Point92WithTPP1600IsA2() {
        // 200 TOPS × 8 = 1,600 TPP; 1,600 / 270.27 mm² = 5.92.
        let area = 1600 / 5.92
        #expect(classifier.classify(chip(tops: 200, dieArea: area)).decidingClause == "3A090.a.2")
        #expect(classifier.classify(chip(tops: 200, dieArea: area * 1.001)).decidingClause == "3A090.b.2")
        #expect(classifier.classify(chip(tops: 199.9, dieArea: area)).eccnClass == "not 3A090")
    }

    @Test func bandB1Boundaries() {
        // TPP 2,400 (300 TOPS × 8) with density exactly 1.6 → b.1; density just below → not controlled.
        #expect(classifier.classify(chip(tops: 300, dieArea: 2400 / 1.6)).decidingClause == "3A090.b.1")
        #expect(classifier.classify(chip(tops: 300, dieArea: 2400 / 1.599)).eccnClass == "not 3A090")
        #expect(classifier.classify(chip(tops: 299.9, dieArea: 2400 / 1.7)).eccnClass == "not 3A090")
    }

    @Test func bandB2Boundaries() {
        // TPP 1,600 with density exactly 3.2 → b.2; just below 3.2 → not controlled.
        #expect(classifier.classify(chip(tops: 200, dieArea: 1600 / 3.2)).decidingClause == "3A090.b.2")
        #expect(classifier.classify(chip(tops: 200, dieArea: 1600 / 3.199)).eccnClass == "not 3A090")
    }

    @Test func nonDatacenterChipEscapesBandBButNotA() {
        #expect(classifier.classify(chip(tops: 300, dieArea: 2400 / 2, datacenter: false)).eccnClass == "not 3A090")
        #expect(classifier.classify(chip(tops: 600, dieArea: 10_000, datacenter: false)).eccnClass == "3A090.a")
    }

    @Test func tppTakesTheMaximumOverPrecisions() {
        var c = chip(tops: 100, precision: .bf16, dieArea: 800)
        c.densePeak[.fp8] = Sourced(150e12, .spec(source: "t"))
        let result = classifier.classify(c)
        #expect(result.tpp == 1600)  // bf16: 100 × 16 = 1,600 beats fp8: 150 × 8 = 1,200
        #expect(result.tppPrecision == .bf16)
    }

    @Test func unknownDieAreaIsSaidAndTheDensityClausesAreNotEvaluated() {
        // 250 × 8 = 2,000 ≥ 1,600, the floor of the density clauses a.2 and b.2.
        let result = classifier.classify(chip(tops: 250, dieArea: nil))
        #expect(result.performanceDensity == nil)
        #expect(result.eccnClass == "density clauses not evaluated")
        #expect(result.explanation.contains("die area"))
    }

    /// The RTX Pro 6000D has no published tensor rate: its class rests on the FP8 estimate, and `classify` says so
    /// (first-format data: 550 without a range; re-checked data: 590 [296–830], which straddles PD 5.92 at 555).
    @Test func rtxPro6000DClassIsEstimateDecisive() throws {
        let result = classifier.classify(try catalogue.chip("rtx-pro-6000d"))
        #expect(result.isEstimateDecisive)
        #expect(result.decisiveEstimatedInputs.contains("dense.fp8"))
        if result.eccnClass == "undetermined" {
            #expect(result.uncertainty?.contains("if dense FP8 ≥ 555 TFLOPS, i.e. PD 5.92 on 750 mm²") == true)
        }
    }

    @Test func estimatedInputsAreReported() {
        var c = chip(tops: 700, dieArea: 800)
        c.densePeak[.fp8] = Sourced(700e12, .estimate(reason: "analyst"))
        #expect(classifier.classify(c).estimatedInputs.contains("dense.fp8"))
    }

    // MARK: - HBM

    @Test func h100HBMExceedsBandwidthDensity() throws {
        // 3.35 TB/s over 5 HBM3 stacks = 670 GB/s per stack over ~121 mm² ≈ 5.5 GB/s/mm² > 2.
        let result = classifier.classify(try catalogue.chip("h100-sxm"))
        let hbm = try #require(result.hbm)
        #expect(hbm.exceeds == true)
        #expect(abs((hbm.bandwidthDensityGBpsPerMM2 ?? 0) - 670.0 / 121) < 0.1)
    }

    @Test func gddrChipHasNoHBMCheck() throws {
        #expect(classifier.classify(try catalogue.chip("l20")).hbm == nil)
    }

    @Test func explanationNamesTheDecidingThreshold() throws {
        let result = classifier.classify(try catalogue.chip("h20"))
        #expect(result.explanation.contains("4800"))
        #expect(result.explanation.contains("short by"))
    }
}
