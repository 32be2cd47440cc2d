import Catalogue
import ExportControl
import Testing

/// The rules of late 2026 as data: Note 2, applicable die area, TF32 bit length, licence-review tiers.
@Suite struct RuleTests {
    let rule: ExportRule
    let classifier: Classifier
    let advisor: LicenceAdvisor

    init() throws {
        rule = try ExportRule.builtIn()
        classifier = Classifier(rule: rule)
        advisor = LicenceAdvisor(classifier: classifier, policy: try LicencePolicy.builtIn(), directives: [], chips: [])
    }

    static let spec = Provenance.spec(source: "https://example.test/datasheet")

    /// A chip with the given dense peaks (TFLOPS or TOPS), die areas (mm²) and memory bandwidth (TB/s).
    static func chip(
        id: String = "t",
        market: Market = .global,
        datacenter: Bool = true,
        peaks: [Precision: Sourced<Double>],
        areaPerDie: Double?,
        dies: Int = 1,
        otherLogicArea: Double? = nil,
        bandwidthTBps: Double = 1,
        announced: String? = "2023-11-13"
    ) -> Chip {
        var chip = Chip(
            id: id,
            vendor: "T",
            name: id,
            market: market,
            isDatacenter: datacenter,
            die: areaPerDie.map {
                Chip.Die(
                    areaPerDieMM2: Sourced($0, spec),
                    count: Sourced(dies, spec),
                    otherLogicAreaMM2: otherLogicArea.map { Sourced($0, spec) }
                )
            },
            memory: .init(
                type: nil,
                capacityBytes: Sourced(96e9, spec),
                bandwidthBytesPerSecond: Sourced(bandwidthTBps * 1e12, spec),
                stacks: nil
            ),
            densePeak: peaks.mapValues { figure in
                Sourced(
                    figure.value * 1e12,
                    figure.provenance,
                    lower: figure.lower.map { $0 * 1e12 },
                    upper: figure.upper.map { $0 * 1e12 }
                )
            }
        )
        chip.announced = announced.flatMap(Day.init).map { Sourced($0, spec) }
        return chip
    }

    /// H200 SXM: dense FP16 989.5 TFLOPS × 16 bits = 15,832 = dense FP8 1,979 × 8; memory 4.8 TB/s = 4,800 GB/s
    /// (NVIDIA H200 datasheet). GH100 die 814 mm² → PD 15,832 / 814 = 19.45 → 3A090.a.1.
    static let h200 = chip(
        id: "h200-sxm",
        peaks: [.fp16: Sourced(989.5, spec), .fp8: Sourced(1979, spec)],
        areaPerDie: 814,
        bandwidthTBps: 4.8
    )

    @Test func h200IsCaseByCaseForChinaFromJanuary15AndPresumptionOfDenialBefore() throws {
        let result = classifier.classify(Self.h200)
        #expect(abs(result.tpp - 15_832) < 0.5)
        #expect(result.decidingClause == "3A090.a.1")
        // 15,832 < 21,000 and 4,800 GB/s < 6,500 GB/s; a global part announced 13 Nov 2023, before 15 Jan 2026.
        let after = advisor.outlook(for: Self.h200, destination: "CN", on: Day("2026-01-15")!)
        #expect(after.us.policy == "case-by-case")
        #expect(after.us.conditions.count >= 5)
        #expect(after.us.conditions.contains { $0.contains("50 %") })
        #expect(after.us.conditions.contains { $0.contains("third-party testing") })
        #expect(after.access == .conditional)
        let before = advisor.outlook(for: Self.h200, destination: "CN", on: Day("2026-01-14")!)
        #expect(before.us.policy == "presumption-of-denial")
        #expect(before.access == .blocked)
        // Macau is a destination of the rule too; Germany is not.
        #expect(advisor.outlook(for: Self.h200, destination: "MO", on: Day("2026-12-01")!).us.policy == "case-by-case")
        #expect(advisor.outlook(for: Self.h200, destination: "DE", on: Day("2026-12-01")!).us.policy == nil)
    }

    /// B200 (HGX): dense FP8 4,500 TFLOPS × 8 = TPP 36,000 ≥ 21,000; 8 TB/s = 8,000 GB/s ≥ 6,500 GB/s.
    @Test func b200IsPresumptionOfDenial() throws {
        let b200 = Self.chip(
            id: "b200",
            peaks: [.fp8: Sourced(4500, Self.spec)],
            areaPerDie: 800,
            dies: 2,
            bandwidthTBps: 8,
            announced: "2024-03-18"
        )
        let outlook = advisor.outlook(for: b200, destination: "CN", on: Day("2026-12-01")!)
        #expect(outlook.classification.tpp == 36_000)
        #expect(outlook.us.policy == "presumption-of-denial")
        #expect(outlook.access == .blocked)
    }

    /// A China-only part is not "commercially available in the United States", so even below both thresholds it
    /// keeps the presumption of denial.
    @Test func chinaOnlyPartsDoNotQualifyForCaseByCase() throws {
        var part = Self.h200
        part.id = "china-only"
        part.market = .chinaSpecific
        #expect(
            advisor.outlook(for: part, destination: "CN", on: Day("2026-12-01")!).us.policy == "presumption-of-denial"
        )
    }

    /// Note 2: TPP 4,700 < 4,800 and not designed for data centres → outside 3A090 although PD 6.5 ≥ 5.92.
    /// Dense FP8 587.5 TFLOPS × 8 = 4,700; area 4,700 / 6.5 = 723.08 mm².
    @Test func nonDatacentrePartBelow4800IsOutsideUnderNote2() throws {
        let part = Self.chip(
            datacenter: false,
            peaks: [.fp8: Sourced(587.5, Self.spec)],
            areaPerDie: 4700 / 6.5
        )
        let result = classifier.classify(part)
        #expect(abs(result.tpp - 4700) < 1e-6)
        #expect(abs((result.performanceDensity ?? 0) - 6.5) < 1e-9)
        #expect(result.eccnClass == "not 3A090")
        #expect(result.excludedByDatacenterNote)
        #expect(result.explanation.contains("Note 2"))
        // The same figures on a data-centre part: 3A090.a.2 (TPP ≥ 1,600 and PD ≥ 5.92).
        var datacentre = part
        datacentre.isDatacenter = true
        #expect(classifier.classify(datacentre).decidingClause == "3A090.a.2")
        // Note 2 stops at 4,800: a non-data-centre part at 600 × 8 = 4,800 is 3A090.a.1.
        let at4800 = Self.chip(datacenter: false, peaks: [.fp8: Sourced(600, Self.spec)], areaPerDie: 4800 / 6.5)
        #expect(classifier.classify(at4800).decidingClause == "3A090.a.1")
    }

    /// MI300X: dense FP8 2,614.9 TFLOPS × 8 = TPP 20,919.2 (AMD CDNA 3 white paper). Eight 115 mm² XCDs = 920 mm² →
    /// PD 20,919.2 / 920 = 22.74; with the four I/O dies (1,480 mm² on N6 FinFET, which the rule counts) the
    /// applicable area is 2,400 mm² → PD 20,919.2 / 2,400 = 8.72.
    @Test func mi300xDensityCountsTheIODies() throws {
        let computeOnly = Self.chip(
            id: "mi300x",
            peaks: [.fp8: Sourced(2614.9, Self.spec)],
            areaPerDie: 115,
            dies: 8,
            bandwidthTBps: 5.3
        )
        let withIO = Self.chip(
            id: "mi300x",
            peaks: [.fp8: Sourced(2614.9, Self.spec)],
            areaPerDie: 115,
            dies: 8,
            otherLogicArea: 1480,
            bandwidthTBps: 5.3
        )
        let a = classifier.classify(computeOnly)
        let b = classifier.classify(withIO)
        #expect(abs(a.tpp - 20_919.2) < 0.01)
        #expect(a.dieAreaMM2 == 920)
        #expect(abs((a.performanceDensity ?? 0) - 22.738) < 0.001)
        #expect(b.dieAreaMM2 == 2400)
        #expect(abs((b.performanceDensity ?? 0) - 8.716) < 0.001)
        #expect(b.dieAreaBasis?.contains("other logic") == true)
        // Either way TPP ≥ 4,800 decides: 3A090.a.1; TPP 20,919 < 21,000 and 5,300 GB/s < 6,500 → case-by-case.
        #expect(b.decidingClause == "3A090.a.1")
        #expect(advisor.outlook(for: withIO, destination: "CN", on: Day("2026-12-01")!).us.policy == "case-by-case")
    }

    /// TF32's bit length comes from the rule data: 19 (1 sign + 8 exponent + 10 mantissa), range 19–32.
    /// An Enflame T20-like part with TF32 160 TFLOPS: 160 × 19 = 3,040 TPP; at 32 bits 5,120 ≥ 4,800 (3A090.a.1).
    @Test func tf32BitLengthIsDataAndItsRangeIsReported() throws {
        #expect(rule.bitLength(.tf32) == 19)
        #expect(rule.bitLengthRange(.tf32) == 19...32)
        #expect(rule.bitLength(.fp8) == 8)
        let part = Self.chip(peaks: [.tf32: Sourced(160, Self.spec)], areaPerDie: 10_000)
        let result = classifier.classify(part)
        #expect(result.tpp == 3040)
        #expect(result.tppHigh == 5120)
        #expect(result.possibleClasses.contains("3A090.a"))
        #expect(result.eccnClass == "undetermined")
        #expect(result.uncertainty?.contains("if TF32 counts 32 bits") == true)
        // Where TF32 runs at half the FP16 rate the bit length does not matter: 494.7 × 32 = 15,830 < 989.5 × 16.
        let hopper = Self.chip(
            peaks: [.tf32: Sourced(494.7, Self.spec), .fp16: Sourced(989.5, Self.spec)],
            areaPerDie: 814
        )
        let h = classifier.classify(hopper)
        #expect(h.tppPrecision == .fp16)
        #expect(h.isDetermined)
        #expect(h.uncertainty == nil)
    }

    /// The RTX Pro 6000D's FP8 is an estimate 590 [296, 830] TFLOPS on a 750 mm² die. PD 5.92 × 750 = TPP 4,440 =
    /// FP8 555; TPP 4,800 = FP8 600; TPP 2,400 (= PD 3.2 × 750) = FP8 300. At 590: TPP 4,720, PD 6.29 → a.2.
    @Test func anEstimateThatStraddlesAThresholdIsUndeterminedAndNamesIt() throws {
        let part = Self.chip(
            id: "rtx-pro-6000d",
            market: .chinaSpecific,
            peaks: [
                .fp8: Sourced(590, .estimate(reason: "no tensor rate published"), lower: 296, upper: 830)
            ],
            areaPerDie: 750
        )
        let result = classifier.classify(part)
        #expect(result.eccnClass == "undetermined")
        #expect(result.centralClause == "3A090.a.2")
        #expect(result.isEstimateDecisive)
        #expect(result.decisiveEstimatedInputs == ["dense.fp8"])
        #expect(Set(result.possibleClauses) == ["not 3A090", "3A090.b.1", "3A090.a.2", "3A090.a.1"])
        let text = try #require(result.uncertainty)
        #expect(text.contains("3A090.a.2 if dense FP8 ≥ 555 TFLOPS, i.e. PD 5.92 on 750 mm²"))
        #expect(text.contains("3A090.a.1 if dense FP8 ≥ 600 TFLOPS, i.e. TPP 4800"))
        #expect(text.contains("3A090.b.1 if dense FP8 ≥ 300 TFLOPS"))
        // A range wholly above 600 TFLOPS settles the class although the figure is an estimate.
        let settled = Self.chip(
            peaks: [.fp8: Sourced(700, .estimate(reason: "analyst"), lower: 650, upper: 750)],
            areaPerDie: 750
        )
        let s = classifier.classify(settled)
        #expect(s.eccnClass == "3A090.a")
        #expect(!s.isEstimateDecisive)
        #expect(s.estimatedInputs == ["dense.fp8"])
    }

    /// A missing die area never reads "not 3A090" where a density clause could decide: TPP 250 × 8 = 2,000 ≥ 1,600.
    @Test func missingDieAreaSaysDensityClausesNotEvaluated() throws {
        let part = Self.chip(peaks: [.fp8: Sourced(250, Self.spec)], areaPerDie: nil)
        let result = classifier.classify(part)
        #expect(result.eccnClass == "density clauses not evaluated")
        #expect(Set(result.possibleClasses) == ["3A090.a", "3A090.b", "not 3A090"])
        // a.2 needs PD ≥ 5.92: 2,000 / 5.92 = 337.8 mm² or less; b.2 needs PD ≥ 3.2: 625 mm² or less.
        #expect(result.uncertainty?.contains("3A090.a.2 if PD ≥ 5.92, i.e. applicable die area ≤ 338 mm²") == true)
        // TPP 150 × 8 = 1,200 < 1,600 (every clause's floor): not 3A090 whatever the area.
        let small = classifier.classify(Self.chip(peaks: [.fp8: Sourced(150, Self.spec)], areaPerDie: nil))
        #expect(small.eccnClass == "not 3A090")
        // TPP ≥ 4,800 is 3A090.a.1 whatever the area.
        let big = classifier.classify(Self.chip(peaks: [.fp8: Sourced(700, Self.spec)], areaPerDie: nil))
        #expect(big.eccnClass == "3A090.a")
    }

    @Test func everyCatalogueChipWithoutADieAreaIsDecidedOrSaysSo() throws {
        for chip in try ChipCatalogue.load().chips {
            let result = classifier.classify(chip)
            guard result.dieAreaMM2 == nil, result.eccnClass == "not 3A090" else { continue }
            // Only a TPP below every density clause's floor (1,600), or Note 2, may settle it without an area.
            #expect(
                result.tppHigh < 1600 || result.excludedByDatacenterNote,
                "\(chip.id): 'not 3A090' without a die area at TPP \(result.tpp)"
            )
        }
    }

    /// 3A090.c concerns HBM as a commodity: an H20's HBM3 (4.0 TB/s over 4 stacks of ~121 mm² = 8.3 GB/s/mm² > 2)
    /// is controlled memory, but the chip's class comes from TPP and density.
    @Test func hbmCheckDoesNotReadAsTheChipsClass() throws {
        var h20 = Self.chip(peaks: [.fp8: Sourced(296, Self.spec)], areaPerDie: 814, bandwidthTBps: 4)
        h20.memory.type = Sourced("HBM3", Self.spec)
        h20.memory.stacks = Sourced(4, Self.spec)
        let result = classifier.classify(h20)
        #expect(result.eccnClass == "not 3A090")
        let hbm = try #require(result.hbm)
        #expect(hbm.exceeds == true)
        #expect(hbm.explanation.contains("does not put the chip in 3A090"))
    }

    @Test func licencePolicyRulesCarrySourcesAndStatus() throws {
        let policy = try LicencePolicy.builtIn()
        let ids = Set(policy.rules.map(\.id))
        for id in [
            "us-bis-2026-01-licence-review", "us-bis-2025-04-h20-is-informed",
            "us-bis-2025-05-prc-advanced-ic-guidance",
            "us-bis-2025-09-affiliates-rule", "us-bis-2026-05-headquarters-guidance",
        ] {
            #expect(ids.contains(id), "missing \(id)")
        }
        for rule in policy.rules {
            #expect(rule.source.url.hasPrefix("https://"), "\(rule.id)")
            #expect(rule.source.kind != nil, "\(rule.id) source has no kind")
            #expect(rule.lastConfirmed != nil, "\(rule.id) has no last_confirmed")
        }
        let review = try #require(policy.rule("us-bis-2026-01-licence-review"))
        #expect(review.effective == Day("2026-01-15"))
        #expect(review.tiers.first?.when.tppBelow == 21_000)
        #expect(review.tiers.first?.when.dramBandwidthBelowGBps == 6_500)
        #expect(review.before == "presumption-of-denial")
        #expect(policy.country("CN", isIn: "D:5"))
        #expect(!policy.country("DE", isIn: "D:5"))
        // The Affiliates rule: suspended until 9 Nov 2026; afterwards its status is unknown.
        let affiliates = try #require(policy.rule("us-bis-2025-09-affiliates-rule"))
        #expect(affiliates.standing(on: Day("2026-06-01")!).kind == .doesNotApply)
        #expect(affiliates.standing(on: Day("2026-12-01")!).kind == .unknown)
    }

    /// The PRC-origin guidance names Ascend 910B/C/D; a named domestic chip gets it on the US side.
    @Test func prcOriginGuidanceNamesAscendChips() throws {
        let ascend = Self.chip(
            id: "ascend-910c",
            market: .domesticChina,
            peaks: [.fp16: Sourced(800, Self.spec)],
            areaPerDie: 665.61,
            dies: 2
        )
        let outlook = advisor.outlook(for: ascend, destination: "CN", on: Day("2026-12-01")!)
        #expect(outlook.us.licence.hasPrefix("not applicable"))
        #expect(outlook.us.namedRules.contains { $0.id == "us-bis-2025-05-prc-advanced-ic-guidance" })
    }
}
