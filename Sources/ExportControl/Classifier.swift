public import Catalogue

/// Classifies chips against ECCN 3A090 thresholds held in an `ExportRule`.
public struct Classifier: Sendable {
    public var rule: ExportRule

    public init(rule: ExportRule) {
        self.rule = rule
    }

    /// TPP = 2 × MacTOPS × bit length, i.e. TOPS (two operations per MAC) × bit length, maximised over the
    /// chip's dense precisions (3A090 Technical Note). Returns the TPP, the precision and whether its figure is an estimate.
    public static func totalProcessingPerformance(
        of chip: Chip
    ) -> (tpp: Double, precision: Precision, figure: Provenance)? {
        var best: (Double, Precision, Provenance)?
        for (precision, figure) in chip.densePeak {
            let tpp = figure.value / 1e12 * Double(precision.bitLength)
            // On a tie (tf32 at half the bf16 rate gives the same TPP) report the narrower, commonly quoted format.
            if let current = best, tpp < current.0 || (tpp == current.0 && precision.bitLength >= current.1.bitLength) {
                continue
            }
            best = (tpp, precision, figure.provenance)
        }
        return best.map { (tpp: $0.0, precision: $0.1, figure: $0.2) }
    }

    public func classify(_ chip: Chip) -> Classification {
        var estimated: [String] = []
        guard let (tpp, precision, tppProvenance) = Self.totalProcessingPerformance(of: chip) else {
            // The decoder guarantees at least one dense figure; keep a safe answer anyway.
            return Classification(
                chipID: chip.id,
                chipName: chip.name,
                tpp: 0,
                tppPrecision: .fp16,
                dieAreaMM2: nil,
                performanceDensity: nil,
                eccnClass: "unknown",
                decidingClause: nil,
                hbm: nil,
                estimatedInputs: ["dense"],
                decisiveEstimatedInputs: ["dense"],
                explanation: "No dense throughput figure; TPP cannot be computed.",
                licenceNote: rule.licenceNote,
                ruleSource: rule.source
            )
        }
        if tppProvenance.isEstimate { estimated.append("dense.\(precision.rawValue)") }
        let area = chip.totalDieAreaMM2
        if let area, area.provenance.isEstimate { estimated.append("die area") }
        let density = area.map { tpp / $0.value }

        let matched = rule.clauses.first { $0.matches(tpp: tpp, density: density, isDatacenter: chip.isDatacenter) }
        let eccnClass = matched?.eccnClass ?? "not 3A090"
        let decisive = estimated.filter { $0 != "die area" || (matched?.needsDensity ?? true) }
        let explanation = explain(
            chip: chip,
            tpp: tpp,
            precision: precision,
            density: density,
            matched: matched
        )
        return Classification(
            chipID: chip.id,
            chipName: chip.name,
            tpp: tpp,
            tppPrecision: precision,
            dieAreaMM2: area?.value,
            performanceDensity: density,
            eccnClass: eccnClass,
            decidingClause: matched?.id,
            hbm: hbmCheck(chip, estimated: &estimated),
            estimatedInputs: estimated,
            decisiveEstimatedInputs: decisive,
            explanation: explanation,
            licenceNote: matched == nil
                ? "No 3A090 licence requirement from these thresholds (other rules may apply)." : rule.licenceNote,
            ruleSource: rule.source
        )
    }

    private func explain(
        chip: Chip,
        tpp: Double,
        precision: Precision,
        density: Double?,
        matched: ExportRule.Clause?
    )
        -> String
    {
        let peak = chip.densePeak[precision].map { format($0.value / 1e12) } ?? "?"
        var text =
            "TPP = \(peak) T\(precision.isInteger ? "OPS" : "FLOPS") \(precision.rawValue) × \(precision.bitLength) bits = \(format(tpp))"
        if let density {
            text +=
                "; performance density = \(format(tpp)) ÷ \(format(tpp / density)) mm² = \(format(density, digits: 2))"
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
            if density == nil, rule.clauses.contains(where: { $0.needsDensity && ($0.tppMin ?? 0) <= tpp }) {
                text += "; the density clauses could apply but the die area is not known"
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
            if !chip.isDatacenter { text += "; not a data-centre part, so 3A090.b does not apply" }
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
                "\(stacks.value) \(type) stacks at \(format(perStackGBps)) GB/s each over \(format(area)) mm² = \(format(density, digits: 2)) GB/s/mm², \(exceeds ? "above" : "not above") the \(format(hbm.densityAboveGBpsPerMM2, digits: 1)) of \(hbm.id) (in force from \(hbm.effective)): the memory itself is \(exceeds ? "" : "not ")controlled."
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
