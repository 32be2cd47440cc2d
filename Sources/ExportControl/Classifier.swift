public import Catalogue

/// Classifies chips against ECCN 3A090 thresholds held in an `ExportRule`, over the ranges of estimated figures.
///
/// TPP = 2 × MacTOPS × bit length of the operation = TOPS × bit length, maximised over the chip's dense
/// precisions (3A090 Technical Note 1, 88 FR 73458); the bit lengths come from the rule data (TF32 19, range 19–32).
/// Performance density = TPP ÷ applicable die area, the area of every logic die made on a non-planar process
/// (Technical Note 4): compute dies plus `die.other_logic_area` (I/O and base dies).
public struct Classifier: Sendable {
    public var rule: ExportRule

    public init(rule: ExportRule) {
        self.rule = rule
    }

    /// One precision's contribution to TPP, with the span its estimate and bit length allow.
    struct Term {
        var precision: Precision
        var value: Double
        var low: Double
        var high: Double
        var bits: Int
        var bitsHigh: Int
        var isEstimate: Bool
        /// An estimate given without a range (first-format files): its value is all we have.
        var lacksRange: Bool
    }

    /// The applicable die area and its span.
    struct Area {
        var value: Double
        var low: Double
        var high: Double
        var basis: String
        var estimated: [String]
        var lacksRange: Bool
    }

    /// Which precision to report when two give the same TPP: the commonly quoted formats first.
    private static let tiePreference: [Precision] = [.fp8, .int8, .fp16, .bf16, .fp4, .int4, .fp6, .tf32, .fp32, .fp64]

    func terms(_ chip: Chip) -> [Term] {
        chip.densePeak.map { precision, figure in
            let bits = rule.bitLengthRange(precision)
            return Term(
                precision: precision,
                value: figure.value / 1e12,
                low: (figure.lower ?? figure.value) / 1e12,
                high: (figure.upper ?? figure.value) / 1e12,
                bits: rule.bitLength(precision),
                bitsHigh: bits.upperBound,
                isEstimate: figure.provenance.isEstimate,
                lacksRange: figure.provenance.isEstimate && (figure.lower == nil || figure.upper == nil)
            )
        }
    }

    /// A figure at position `t` of its span: `t = -1` its low end, `0` its value, `1` its high end. Estimates move
    /// together (they are usually derived from one another), which reaches the same TPP span as independent ones.
    static func value(of term: Term, at t: Double) -> Double {
        t < 0 ? term.value + t * (term.value - term.low) : term.value + t * (term.high - term.value)
    }

    /// TPP and its precision with every figure at position `t`, bit lengths at the rule's chosen values.
    static func tpp(_ terms: [Term], at t: Double = 0) -> (tpp: Double, precision: Precision, bits: Int)? {
        var best: (Double, Precision, Int)?
        for term in terms {
            let tpp = value(of: term, at: t) * Double(term.bits)
            if let current = best {
                let tie = abs(tpp - current.0) <= 1e-9 * max(tpp, current.0)
                let preferred =
                    (tiePreference.firstIndex(of: term.precision) ?? 99)
                    < (tiePreference.firstIndex(of: current.1) ?? 99)
                if tpp < current.0 && !tie { continue }
                if tie && !preferred { continue }
            }
            best = (tpp, term.precision, term.bits)
        }
        return best.map { (tpp: $0.0, precision: $0.1, bits: $0.2) }
    }

    func applicableArea(_ chip: Chip) -> Area? {
        guard let perDie = chip.die?.areaPerDieMM2 else { return nil }
        let count = chip.die?.count
        let n = Double(count?.value ?? 1)
        let nLow = Double(count?.lower ?? count?.value ?? 1)
        let nHigh = Double(count?.upper ?? count?.value ?? 1)
        var value = perDie.value * n
        var low = (perDie.lower ?? perDie.value) * nLow
        var high = (perDie.upper ?? perDie.value) * nHigh
        var estimated: [String] = []
        var lacksRange = false
        if perDie.provenance.isEstimate {
            estimated.append("die.area_per_die")
            lacksRange = lacksRange || perDie.lower == nil || perDie.upper == nil
        }
        if let count, count.provenance.isEstimate {
            estimated.append("die.dies")
            lacksRange = lacksRange || count.lower == nil || count.upper == nil
        }
        var basis =
            n == 1 ? "\(format(perDie.value)) mm²" : "\(Int(n)) × \(format(perDie.value)) mm² compute dies"
        if let other = chip.die?.otherLogicAreaMM2 {
            value += other.value
            low += other.lower ?? other.value
            high += other.upper ?? other.value
            basis += " + \(format(other.value)) mm² other logic dies"
            if other.provenance.isEstimate {
                estimated.append("die.other_logic_area")
                lacksRange = lacksRange || other.lower == nil || other.upper == nil
            }
        }
        return Area(
            value: value,
            low: min(low, value),
            high: max(high, value),
            basis: basis,
            estimated: estimated,
            lacksRange: lacksRange
        )
    }

    /// The first clause that holds, or `nil` (not 3A090).
    func clause(tpp: Double, density: Double?, isDatacenter: Bool) -> ExportRule.Clause? {
        rule.clauses.first { $0.matches(tpp: tpp, density: density, isDatacenter: isDatacenter) }
    }

    var tppThresholds: [Double] {
        Array(
            Set(rule.clauses.flatMap { [$0.tppMin, $0.tppBelow, $0.notDatacenterExcludedBelowTPP].compactMap { $0 } })
        ).sorted()
    }

    var densityThresholds: [Double] {
        Array(Set(rule.clauses.flatMap { [$0.densityMin, $0.densityBelow].compactMap { $0 } })).sorted()
    }

    /// Every clause (or `not 3A090`) reachable with TPP in `tpp` and the area in `area` (any area when `nil`).
    /// The class is constant between thresholds, so it is enough to test the start of each TPP band and, in
    /// it, the start of each density band the area span reaches.
    func reachableClauses(tpp: ClosedRange<Double>, area: ClosedRange<Double>?, isDatacenter: Bool) -> [String] {
        var starts = [tpp.lowerBound] + tppThresholds.filter { $0 > tpp.lowerBound && $0 <= tpp.upperBound }
        starts = Array(Set(starts)).sorted()
        var result: [String] = []
        func add(_ clause: ExportRule.Clause?) {
            let name = clause?.id ?? Classification.notControlled
            if !result.contains(name) { result.append(name) }
        }
        for (index, start) in starts.enumerated() {
            let end = index + 1 < starts.count ? starts[index + 1] : tpp.upperBound
            guard let area else {
                add(clause(tpp: start, density: nil, isDatacenter: isDatacenter))
                add(clause(tpp: start, density: 1e-9, isDatacenter: isDatacenter))
                for threshold in densityThresholds {
                    add(clause(tpp: start, density: threshold, isDatacenter: isDatacenter))
                }
                continue
            }
            let low = start / area.upperBound
            let high = end / area.lowerBound
            let last = index + 1 == starts.count
            var densities = [low] + densityThresholds.filter { $0 > low && ($0 < high || (last && $0 <= high)) }
            densities = Array(Set(densities)).sorted()
            for density in densities { add(clause(tpp: start, density: density, isDatacenter: isDatacenter)) }
        }
        return result
    }

    func eccnClass(ofClause name: String) -> String {
        rule.clauses.first { $0.id == name }?.eccnClass ?? Classification.notControlled
    }

    public func classify(_ chip: Chip) -> Classification {
        let terms = terms(chip)
        guard let central = Self.tpp(terms) else {
            // The decoder guarantees at least one dense figure; keep a safe answer anyway.
            return Classification(
                chipID: chip.id,
                chipName: chip.name,
                tpp: 0,
                tppPrecision: .fp16,
                tppBitLength: 16,
                tppLow: 0,
                tppHigh: 0,
                dieAreaMM2: nil,
                dieAreaBasis: nil,
                performanceDensity: nil,
                eccnClass: "unknown",
                decidingClause: nil,
                centralClass: "unknown",
                centralClause: nil,
                possibleClasses: [],
                possibleClauses: [],
                uncertainty: nil,
                excludedByDatacenterNote: false,
                hbm: nil,
                estimatedInputs: ["dense"],
                decisiveEstimatedInputs: ["dense"],
                explanation: "No dense throughput figure; TPP cannot be computed.",
                licenceNote: rule.licenceNote,
                ruleSource: rule.source
            )
        }
        let dc = chip.isDatacenter
        let area = applicableArea(chip)
        let density = area.map { central.tpp / $0.value }
        let centralClause = clause(tpp: central.tpp, density: density, isDatacenter: dc)

        // Spans: figures over their ranges, TF32 (or any format) over its uncertain bit length.
        let figureLow = Self.tpp(terms, at: -1)?.tpp ?? central.tpp
        let figureHigh = Self.tpp(terms, at: 1)?.tpp ?? central.tpp
        let widestBits = terms.map { term in
            Term(
                precision: term.precision,
                value: term.high,
                low: term.high,
                high: term.high,
                bits: term.bitsHigh,
                bitsHigh: term.bitsHigh,
                isEstimate: term.isEstimate,
                lacksRange: term.lacksRange
            )
        }
        let tppLow = min(figureLow, central.tpp)
        let tppHigh = max(figureHigh, Self.tpp(widestBits)?.tpp ?? figureHigh, central.tpp)
        let areaSpan = area.map { $0.low...$0.high }
        let possibleClauses = reachableClauses(tpp: tppLow...tppHigh, area: areaSpan, isDatacenter: dc)
        var possibleClasses: [String] = []
        for name in possibleClauses where !possibleClasses.contains(eccnClass(ofClause: name)) {
            possibleClasses.append(eccnClass(ofClause: name))
        }

        // Which uncertain inputs reach another class on their own.
        var estimated = terms.filter(\.isEstimate).map { "dense.\($0.precision.rawValue)" }.sorted()
        estimated += area?.estimated ?? []
        var decisive: [String] = []
        let centralName = centralClass(centralClause)
        let byFigures = reachableClauses(
            tpp: min(figureLow, central.tpp)...max(figureHigh, central.tpp),
            area: area.map { $0.value...$0.value },
            isDatacenter: dc
        ).map(eccnClass(ofClause:))
        if Set(byFigures).count > 1 {
            decisive += terms.filter { $0.isEstimate && $0.high * Double($0.bits) >= tppLow }.map {
                "dense.\($0.precision.rawValue)"
            }
        }
        if let area, area.low < area.high {
            let byArea = reachableClauses(tpp: central.tpp...central.tpp, area: area.low...area.high, isDatacenter: dc)
                .map(eccnClass(ofClause:))
            if Set(byArea).count > 1 { decisive += area.estimated }
        }
        // First-format estimates have no range: the class rests on them as stated.
        if let term = terms.first(where: { $0.precision == central.precision }), term.lacksRange {
            decisive.append("dense.\(term.precision.rawValue)")
        }
        if let area, area.lacksRange, centralClause?.needsDensity ?? true {
            decisive += area.estimated
        }
        let bitsChange =
            terms.contains { $0.bitsHigh != $0.bits }
            && Set(
                reachableClauses(
                    tpp: central
                        .tpp...max(
                            central.tpp,
                            Self.tpp(
                                terms.map {
                                    var t = $0
                                    t.bits = t.bitsHigh
                                    return t
                                }
                            )?.tpp ?? central.tpp
                        ),
                    area: area.map { $0.value...$0.value },
                    isDatacenter: dc
                ).map(eccnClass(ofClause:))
            ).count > 1
        if bitsChange {
            decisive.append(
                "tf32 bit length (rule data: \(rule.bitLength(.tf32)), range \(rule.bitLengthRange(.tf32).lowerBound)–\(rule.bitLengthRange(.tf32).upperBound))"
            )
        }
        var seen: Set<String> = []
        decisive = decisive.filter { seen.insert($0).inserted }

        let label: String
        if possibleClasses.count == 1 {
            label = possibleClasses[0]
        } else if area == nil {
            label = Classification.densityNotEvaluated
        } else {
            label = Classification.undetermined
        }
        let excluded =
            !dc && centralClause == nil && clause(tpp: central.tpp, density: density, isDatacenter: true) != nil

        let uncertainty = describeUncertainty(
            chip: chip,
            terms: terms,
            central: central,
            area: area,
            centralClause: centralClause,
            possibleClauses: possibleClauses,
            bitsChange: bitsChange
        )
        return Classification(
            chipID: chip.id,
            chipName: chip.name,
            tpp: central.tpp,
            tppPrecision: central.precision,
            tppBitLength: central.bits,
            tppLow: tppLow,
            tppHigh: tppHigh,
            dieAreaMM2: area?.value,
            dieAreaBasis: area?.basis,
            performanceDensity: density,
            eccnClass: label,
            decidingClause: possibleClasses.count == 1 ? centralClause?.id : nil,
            centralClass: centralName,
            centralClause: centralClause?.id,
            possibleClasses: possibleClasses,
            possibleClauses: possibleClauses,
            uncertainty: possibleClasses.count > 1 || bitsChange ? uncertainty : nil,
            excludedByDatacenterNote: excluded,
            hbm: hbmCheck(chip, estimated: &estimated),
            estimatedInputs: estimated,
            decisiveEstimatedInputs: possibleClasses.count > 1 || decisive.contains(where: { !$0.hasPrefix("tf32") })
                ? decisive : [],
            explanation: explain(
                chip: chip,
                tpp: central.tpp,
                precision: central.precision,
                bits: central.bits,
                area: area,
                density: density,
                matched: centralClause,
                excluded: excluded
            ),
            licenceNote: centralClause == nil && possibleClasses == [Classification.notControlled]
                ? "No 3A090 licence requirement from these thresholds (other rules may apply)." : rule.licenceNote,
            ruleSource: rule.source
        )
    }

    func centralClass(_ clause: ExportRule.Clause?) -> String {
        clause?.eccnClass ?? Classification.notControlled
    }

    // MARK: - Explanations

    static func label(_ precision: Precision) -> String {
        "dense \(precision.rawValue.uppercased())"
    }

    static func unit(_ precision: Precision) -> String {
        precision.isInteger ? "TOPS" : "TFLOPS"
    }

    /// Where the class changes within the ranges, named in the deciding figure, the area or the bit length.
    func describeUncertainty(
        chip: Chip,
        terms: [Term],
        central: (tpp: Double, precision: Precision, bits: Int),
        area: Area?,
        centralClause: ExportRule.Clause?,
        possibleClauses: [String],
        bitsChange: Bool
    ) -> String {
        let dc = chip.isDatacenter
        var parts: [String] = []
        let name = { (clause: ExportRule.Clause?) in clause?.id ?? Classification.notControlled }
        parts.append("\(name(centralClause)) at the stated figures (TPP \(format(central.tpp)))")

        // 1. The deciding figure over its range, other estimates moving with it.
        if let term = terms.first(where: { $0.precision == central.precision }), term.isEstimate, term.low < term.high {
            let tppAt = { (t: Double) in Self.tpp(terms, at: t)?.tpp ?? central.tpp }
            var crossings: [(t: Double, why: String)] = []
            var targets: [(Double, String)] = tppThresholds.map { ($0, "TPP \(format($0))") }
            if let area {
                targets += densityThresholds.map {
                    ($0 * area.value, "PD \(format($0, digits: 2)) on \(format(area.value)) mm²")
                }
            }
            for (target, why) in targets where target > tppAt(-1) && target <= tppAt(1) {
                var lo = -1.0
                var hi = 1.0
                for _ in 0..<60 {
                    let mid = (lo + hi) / 2
                    if tppAt(mid) >= target { hi = mid } else { lo = mid }
                }
                crossings.append((hi, why))
            }
            crossings.sort { $0.t < $1.t }
            let outcome = { (t: Double) -> String in
                let tpp = tppAt(t)
                return name(self.clause(tpp: tpp, density: area.map { tpp / $0.value }, isDatacenter: dc))
            }
            var text =
                "Over \(Self.label(term.precision)) \(format(term.low))–\(format(term.high)) \(Self.unit(term.precision)): \(outcome(-1))"
            var current = outcome(-1)
            for crossing in crossings {
                let next = outcome(min(1, crossing.t + 1e-9))
                guard next != current else { continue }
                let x = Self.value(of: term, at: crossing.t)
                text +=
                    "; \(next) if \(Self.label(term.precision)) ≥ \(format(x, digits: x < 100 ? 1 : 0)) \(Self.unit(term.precision)), i.e. \(crossing.why)"
                current = next
            }
            if crossings.isEmpty || text.contains(" if ") { parts.append(text) }
        }

        // 2. The applicable die area over its range.
        if let area, area.low < area.high {
            let outcome = { (a: Double) in
                name(self.clause(tpp: central.tpp, density: central.tpp / a, isDatacenter: dc))
            }
            if outcome(area.low) != outcome(area.high) {
                var text = "Over an applicable die area of \(format(area.low))–\(format(area.high)) mm²:"
                let bounds = densityThresholds.map { (central.tpp / $0, $0) }.filter {
                    $0.0 > area.low && $0.0 <= area.high
                }
                .sorted { $0.0 < $1.0 }
                text += " \(outcome(area.low)) up to the smallest area"
                for (bound, threshold) in bounds {
                    text +=
                        "; \(outcome(bound * 1.000001)) above \(format(bound)) mm² (PD \(format(threshold, digits: 2)))"
                }
                parts.append(text)
            }
        }

        // 3. The bit length the rule data holds as uncertain (TF32).
        if bitsChange {
            let widened = terms.map { term -> Term in
                var t = term
                t.bits = t.bitsHigh
                return t
            }
            if let wide = Self.tpp(widened) {
                let clause = clause(tpp: wide.tpp, density: area.map { wide.tpp / $0.value }, isDatacenter: dc)
                parts.append(
                    "\(name(clause)) if \(wide.precision.rawValue.uppercased()) counts \(wide.bits) bits (TPP \(format(wide.tpp)); the rule data counts \(rule.bitLength(wide.precision)) — \(rule.bitLengthBasis.map { String($0.prefix(80)) + "…" } ?? "see eccn-3a090.yaml"))"
                )
            }
        }

        // 4. A missing die area: what each density clause would need.
        if area == nil {
            let clauses = rule.clauses.filter {
                $0.needsDensity && $0.matches(tpp: central.tpp, density: $0.densityMin, isDatacenter: dc)
            }
            if !clauses.isEmpty {
                let needs = clauses.compactMap { clause -> String? in
                    guard let minimum = clause.densityMin else { return nil }
                    return
                        "\(clause.id) if PD ≥ \(format(minimum, digits: 2)), i.e. applicable die area ≤ \(format(central.tpp / minimum)) mm²"
                }
                parts.append("Density clauses not evaluated (no die area): " + needs.joined(separator: "; "))
            }
        }
        parts.append("Reachable: \(possibleClauses.joined(separator: ", "))")
        return parts.joined(separator: ". ")
    }

    private func explain(
        chip: Chip,
        tpp: Double,
        precision: Precision,
        bits: Int,
        area: Area?,
        density: Double?,
        matched: ExportRule.Clause?,
        excluded: Bool
    )
        -> String
    {
        let peak = chip.densePeak[precision].map { format($0.value / 1e12) } ?? "?"
        var text =
            "TPP = \(peak) T\(precision.isInteger ? "OPS" : "FLOPS") \(precision.rawValue) × \(bits) bits = \(format(tpp))"
        if let density, let area {
            text +=
                "; performance density = \(format(tpp)) ÷ \(format(area.value)) mm²\(area.basis.contains("+") || area.basis.contains("×") ? " (\(area.basis))" : "") = \(format(density, digits: 2))"
        } else {
            text += "; die area unknown, so performance density cannot be computed"
        }
        text += ". "
        if let matched {
            text += "\(matched.id) applies (\(matched.text))"
            if let tppMin = matched.tppMin {
                text += "; TPP is \(format(tpp - tppMin)) above its \(format(tppMin)) threshold"
            }
            text += "."
        } else {
            let a1 = rule.clauses.first { $0.eccnClass.hasSuffix(".a") && !$0.needsDensity }
            if let a1, let tppMin = a1.tppMin {
                text += "Below \(a1.id) (TPP \(format(tppMin)), short by \(format(tppMin - tpp)))"
            }
            if excluded, let note = rule.datacenterNoteRule {
                text +=
                    "; not designed or marketed for data centres with TPP below \(format(note.tppFloor)), so \(note.id) puts it outside 3A090: \"\(note.quote)\""
            } else if density == nil, rule.clauses.contains(where: { $0.needsDensity && ($0.tppMin ?? 0) <= tpp }) {
                text += "; the density clauses could apply but the die area is not known, so they were not evaluated"
            } else if let density {
                let densityClauses = rule.clauses.filter { $0.needsDensity && ($0.tppMin ?? 0) <= tpp }
                if !densityClauses.isEmpty {
                    let nearest = densityClauses.compactMap(\.densityMin).min() ?? 0
                    text +=
                        "; density \(format(density, digits: 2)) is below the \(format(nearest, digits: 2)) that a density clause needs"
                } else {
                    text += "; TPP is below every density clause's TPP floor"
                }
            }
            if !chip.isDatacenter && !excluded { text += "; not a data-centre part, so 3A090.b does not apply" }
            text += "."
        }
        return text
    }

    private func hbmCheck(_ chip: Chip, estimated: inout [String]) -> Classification.HBMCheck? {
        guard let hbm = rule.hbm, chip.memory.isHBM, let type = chip.memory.type?.value.uppercased() else {
            return nil
        }
        guard let stacks = chip.memory.stacks else {
            return .init(
                bandwidthDensityGBpsPerMM2: nil,
                threshold: hbm.densityAboveGBpsPerMM2,
                exceeds: nil,
                explanation:
                    "\(type) memory, but the number of stacks is not in the catalogue, so \(hbm.id) cannot be checked."
            )
        }
        if stacks.provenance.isEstimate { estimated.append("memory.stacks") }
        let key = hbm.stackAreaMM2.keys.filter { type.hasPrefix($0) }.max { $0.count < $1.count }
        guard let key, let area = hbm.stackAreaMM2[key] else {
            return .init(
                bandwidthDensityGBpsPerMM2: nil,
                threshold: hbm.densityAboveGBpsPerMM2,
                exceeds: nil,
                explanation: "No stack footprint known for \(type); \(hbm.id) cannot be checked."
            )
        }
        estimated.append("hbm stack area (\(hbm.stackAreaReason))")
        let perStackGBps = chip.memory.bandwidthBytesPerSecond.value / 1e9 / Double(stacks.value)
        let density = perStackGBps / area
        let exceeds = density > hbm.densityAboveGBpsPerMM2
        return .init(
            bandwidthDensityGBpsPerMM2: density,
            threshold: hbm.densityAboveGBpsPerMM2,
            exceeds: exceeds,
            explanation:
                "\(stacks.value) \(type) stacks at \(format(perStackGBps)) GB/s each over \(format(area)) mm² = \(format(density, digits: 2)) GB/s/mm², \(exceeds ? "above" : "not above") the \(format(hbm.densityAboveGBpsPerMM2, digits: 1)) of \(hbm.id) (in force from \(hbm.effective)). 3A090.c controls HBM as a commodity (stacks sold on their own); it does not put the chip in 3A090, which TPP and density decide."
        )
    }
}

/// Formats a number with thousands kept readable and a fixed number of decimals for small values.
func format(_ value: Double, digits: Int = 0) -> String {
    let factor = pow10(digits)
    let rounded = (value * factor).rounded() / factor
    if digits == 0 { return String(Int(rounded)) }
    var text = String(rounded)
    if let dot = text.firstIndex(of: ".") {
        let decimals = text.distance(from: dot, to: text.endIndex) - 1
        if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    }
    return text
}

private func pow10(_ n: Int) -> Double {
    var result = 1.0
    for _ in 0..<n { result *= 10 }
    return result
}
