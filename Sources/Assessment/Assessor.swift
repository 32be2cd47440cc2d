public import Catalogue
public import Foundation
public import Measure
import PerfModel

/// What to assess and how.
public struct AssessmentOptions: Sendable {
    public var candidates: [Chip]
    public var references: [Chip]
    public var suite: [Workload]
    /// Half-width of the "comparable" band around 1 (0.10 → 0.90…1.10).
    public var tolerance: Double
    /// Confidence level of every interval.
    public var level: Double
    public var resamples: Int
    public var seed: UInt64
    public var uncertainty: Uncertainty
    public var measurements: [BenchmarkResult]
    /// The stored groups `measurements` were drawn from (`OfferedEvidence.groups`), cited by the report.
    public var measurementGroups: [MeasurementGroup]
    /// Measured and submitted serving runs (tiers "measured" and "submitted").
    public var servingResults: [ServingInput]
    /// Published measured serving results (tier "published"); the built-in set by default.
    public var published: [PublishedServingResult]

    public init(
        candidates: [Chip],
        references: [Chip],
        suite: [Workload] = Workload.defaultSuite(),
        tolerance: Double = 0.10,
        level: Double = 0.95,
        resamples: Int = 2000,
        seed: UInt64 = 42,
        uncertainty: Uncertainty = Uncertainty(),
        measurements: [BenchmarkResult] = [],
        measurementGroups: [MeasurementGroup] = [],
        servingResults: [ServingInput] = [],
        published: [PublishedServingResult] = (try? PublishedServingResult.builtIn()) ?? []
    ) {
        self.candidates = candidates
        self.references = references
        self.suite = suite
        self.tolerance = tolerance
        self.level = level
        self.resamples = resamples
        self.seed = seed
        self.uncertainty = uncertainty
        self.measurements = measurements
        self.measurementGroups = measurementGroups
        self.servingResults = servingResults
        self.published = published
    }
}

/// Runs an assessment: evidence per chip and workload, ratios with bootstrap intervals, composites and verdicts.
public enum Assessor {
    /// Ratios are clamped to this range so that a chip that cannot run a workload (value 0) still enters
    /// the geometric mean, as a strong "below", instead of making it zero or undefined.
    public static let ratioFloor = 0.01
    public static let ratioCeiling = 100.0

    public static func run(
        _ options: AssessmentOptions,
        models: ModelCatalogue,
        generatedAt: Date = Date()
    ) throws(AssessmentError) -> Assessment {
        guard !options.suite.isEmpty else { throw .emptySuite }
        guard !options.candidates.isEmpty else { throw .noCandidates }
        guard !options.references.isEmpty else { throw .noReferences }
        guard options.tolerance > 0, options.tolerance < 1 else {
            throw .invalidOption("tolerance must be between 0 and 1 (0.10 means ±10 %)")
        }
        guard options.level > 0, options.level < 1 else {
            throw .invalidOption("confidence level must be between 0 and 1")
        }
        guard options.resamples >= 100 else { throw .invalidOption("use at least 100 bootstrap resamples") }

        let evaluator = Evaluator(
            models: models,
            uncertainty: options.uncertainty,
            measurements: options.measurements,
            servingResults: options.servingResults,
            published: options.published
        )
        var chips: [Chip] = []
        for chip in options.references + options.candidates where !chips.contains(where: { $0.id == chip.id }) {
            chips.append(chip)
        }
        // Evidence per chip and workload, computed once.
        var specEvidence: [String: [String: Evidence]] = [:]
        var measuredEvidence: [String: [String: Evidence]] = [:]
        var curves: [ServingCurve] = []
        for chip in chips {
            for workload in options.suite {
                switch workload.kind {
                case .spec:
                    specEvidence[chip.id, default: [:]][workload.id] = evaluator.spec(chip, workload)
                    measuredEvidence[chip.id, default: [:]][workload.id] = evaluator.measured(chip, workload)
                case .serving:
                    let (evidence, curve) = try evaluator.strongestServing(chip, workload)
                    specEvidence[chip.id, default: [:]][workload.id] = evidence
                    if let curve { curves.append(curve) }
                }
            }
        }

        var comparisons: [Comparison] = []
        var usedEvidence: [String: [String: Evidence]] = [:]
        for reference in options.references {
            for candidate in options.candidates where candidate.id != reference.id {
                var pairs: [(Workload, Evidence?, Evidence?, String?)] = []
                for workload in options.suite {
                    let measuredC = measuredEvidence[candidate.id]?[workload.id]
                    let measuredR = measuredEvidence[reference.id]?[workload.id]
                    var note: String?
                    let c: Evidence?
                    let r: Evidence?
                    if let measuredC, let measuredR {
                        (c, r) = (measuredC, measuredR)
                    } else {
                        c = specEvidence[candidate.id]?[workload.id]
                        r = specEvidence[reference.id]?[workload.id]
                        if measuredC != nil || measuredR != nil {
                            note = "measured on one side only; spec figures compared"
                        }
                    }
                    if let c { usedEvidence[candidate.id, default: [:]][workload.id] = c }
                    if let r { usedEvidence[reference.id, default: [:]][workload.id] = r }
                    pairs.append((workload, c, r, note))
                }
                comparisons.append(
                    compare(candidate: candidate.id, reference: reference.id, pairs: pairs, options: options)
                )
            }
        }
        let evidence = chips.flatMap { chip in
            options.suite.compactMap { workload in
                usedEvidence[chip.id]?[workload.id].map {
                    Assessment.EvidenceEntry(chip: chip.id, workload: workload.id, evidence: $0)
                }
            }
        }
        return Assessment(
            generatedAt: generatedAt,
            perfModel: PerformanceModel.version,
            tolerance: options.tolerance,
            level: options.level,
            resamples: options.resamples,
            seed: options.seed,
            uncertainty: options.uncertainty,
            suite: options.suite,
            chips: chips.map { chip in
                Assessment.ChipEntry(
                    chip: chip,
                    role: options.references.contains { $0.id == chip.id } ? .reference : .candidate
                )
            },
            evidence: evidence,
            comparisons: comparisons,
            curves: curves,
            measurements: options.measurements.map { $0.id } + options.servingResults.map(\.reference),
            measurementGroups: options.measurementGroups.isEmpty ? nil : options.measurementGroups
        )
    }

    /// A stable 64-bit FNV-1a hash, so that each pair's bootstrap stream depends only on the seed and the ids.
    static func stableHash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return hash
    }

    static func compare(
        candidate: String,
        reference: String,
        pairs: [(Workload, Evidence?, Evidence?, String?)],
        options: AssessmentOptions
    ) -> Comparison {
        var generator = SeededGenerator(seed: options.seed ^ stableHash("\(candidate)/\(reference)"))
        var ratios: [Comparison.Ratio] = []
        var usable: [(Evidence, Evidence, Double)] = []
        for (workload, c, r, note) in pairs {
            guard let c, let r else {
                ratios.append(
                    Comparison.Ratio(
                        workload: workload.id,
                        candidateValue: c?.value,
                        referenceValue: r?.value,
                        basis: [c?.provenance.kind, r?.provenance.kind].compactMap { $0 },
                        note: "no figure for \(c == nil ? candidate : reference); left out of the composite"
                    )
                )
                continue
            }
            if c.value == 0, r.value == 0 {
                ratios.append(
                    Comparison.Ratio(
                        workload: workload.id,
                        candidateValue: 0,
                        referenceValue: 0,
                        basis: [c.provenance.kind, r.provenance.kind],
                        note: "neither chip can run it under the limits; left out of the composite"
                    )
                )
                continue
            }
            // Where the two sides' setups differ (engines, MTP on one side, precisions), the ratio is compared
            // anyway with a stated penalty that widens its interval.
            let penalties = workload.kind == .serving ? ServingMatcher.pairPenalties(c, r) : []
            let pairSigma = ServingMatcher.combine(penalties.map(\.sigma))
            usable.append((c, r, pairSigma))
            var replicates = (0..<options.resamples).map { _ in
                clamp(c.draw(using: &generator) / r.draw(using: &generator) * exp(pairSigma * generator.normal()))
            }
            let interval = Interval.percentile(&replicates, level: options.level)
            var notes = [note].compactMap { $0 }
            if !penalties.isEmpty {
                notes.append(
                    "setups differ: "
                        + penalties.map { "\($0.reason), σ \(ServingMatcher.format($0.sigma))" }.joined(separator: "; ")
                )
            }
            if c.value == 0 { notes.append("\(candidate) cannot run it; ratio floored at \(ratioFloor)") }
            if r.value == 0 { notes.append("\(reference) cannot run it; ratio capped at \(Int(ratioCeiling))") }
            ratios.append(
                Comparison.Ratio(
                    workload: workload.id,
                    candidateValue: c.value,
                    referenceValue: r.value,
                    ratio: clamp(c.value / r.value),
                    interval: interval,
                    verdict: Verdict.decide(interval: interval, tolerance: options.tolerance),
                    confidence: min(c.confidence, r.confidence),
                    basis: [c.provenance.kind, r.provenance.kind],
                    note: notes.isEmpty ? nil : notes.joined(separator: "; "),
                    tiers: [c.tier, r.tier],
                    sources: [c.source ?? "", r.source ?? ""]
                )
            )
        }
        guard !usable.isEmpty else {
            return Comparison(
                candidate: candidate,
                reference: reference,
                ratios: ratios,
                estimatedShare: 0,
                verdict: .inconclusive,
                confidence: .low
            )
        }
        let point = geometricMean(usable.map { clamp($0.0.value / $0.1.value) })
        // Each replicate resamples the suite with replacement and perturbs every figure in it.
        var composites = [Double](repeating: 0, count: options.resamples)
        var logs = [Double](repeating: 0, count: usable.count)
        for index in 0..<options.resamples {
            for (w, pair) in usable.enumerated() {
                let penalty = exp(pair.2 * generator.normal())
                logs[w] = log(clamp(pair.0.draw(using: &generator) / pair.1.draw(using: &generator) * penalty))
            }
            var sum = 0.0
            for _ in 0..<usable.count { sum += logs[generator.index(below: usable.count)] }
            composites[index] = exp(sum / Double(usable.count))
        }
        let interval = Interval.percentile(&composites, level: options.level)
        let decided = ratios.filter { $0.ratio != nil }
        let lowShare = Double(decided.filter { $0.confidence == .low }.count) / Double(max(1, decided.count))
        let confidence: Confidence =
            lowShare == 0
            ? (decided.allSatisfy { $0.confidence == .high } ? .high : .medium)
            : lowShare < 0.5 ? .medium : .low
        return Comparison(
            candidate: candidate,
            reference: reference,
            ratios: ratios,
            composite: point,
            interval: interval,
            estimatedShare: lowShare,
            verdict: Verdict.decide(interval: interval, tolerance: options.tolerance),
            confidence: confidence
        )
    }

    static func clamp(_ ratio: Double) -> Double {
        guard ratio.isFinite else { return ratio > 0 ? ratioCeiling : ratioFloor }
        return min(ratioCeiling, max(ratioFloor, ratio))
    }

    /// Geometric mean of positive values.
    public static func geometricMean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        return exp(values.map { log($0) }.reduce(0, +) / Double(values.count))
    }
}
