public import Catalogue
import Foundation
public import Measure
import PerfModel

/// A measured serving run offered to the assessment, with the tier it earns: `measured` for local runs and
/// campaigns, `submitted` for a vendor's run that a reviewer accepted.
public struct ServingInput: Sendable, Hashable {
    public var measurement: ServingMeasurement
    public var tier: EvidenceTier
    /// What the report cites: the stored result ID, and the submission ID for submitted runs.
    public var reference: String

    public init(measurement: ServingMeasurement, tier: EvidenceTier = .measured, reference: String? = nil) {
        self.measurement = measurement
        self.tier = tier
        self.reference = reference ?? measurement.id
    }
}

/// The rules by which a measured run or a published row counts as evidence for a serving workload, and what a
/// difference costs (`docs/assessment.md`). A difference that does not rule a figure out widens its interval: each
/// penalty is a log-normal σ added in quadrature, and the cell says why.
///
/// A row or run **matches** a workload when:
/// - it is for the same chip and the same model (`deepseek-v3` also stands for DeepSeek-R1, the same
///   architecture);
/// - it reports the workload's figure: output tokens per second per chip, or input tokens per second per chip
///   for a prefill workload;
/// - its deployment mode fits: a decode workload takes decode instances, a prefill workload prefill instances,
///   an aggregated workload aggregated or disaggregated systems (σ 0.05: a disaggregated system's per-chip figure
///   counts its prefill chips too);
/// - it met the workload's TPOT limit: a published row's stated target is at most the limit (a stricter target
///   than the limit by more than 20 % costs σ 0.05: the figure is conservative); a measured run's median TPOT and
///   TTFT are within the limits; a row without a latency target matches only a workload without one;
/// - its request lengths are within a factor of 2 of the workload's (beyond ±25 %, σ 0.05; not stated, σ 0.10).
///
/// Precision class: the same 8-bit class with another format (INT8 W8A8 for FP8) costs σ 0.05; another class
/// (4-bit or 16-bit for 8-bit) σ 0.15; not stated σ 0.10.
///
/// Among the matching rows, those within σ 0.05 of the best-matching one compete, and the highest figure wins:
/// the workload asks for the best throughput under its limits, and every matching row is an operating point that
/// met them.
public enum ServingMatcher {
    public struct Penalty: Sendable, Hashable {
        public var sigma: Double
        public var reason: String
    }

    /// Combined log-normal σ of independent spreads.
    static func combine(_ sigmas: [Double]) -> Double { sigmas.map { $0 * $0 }.reduce(0, +).squareRoot() }

    static func precisionPenalty(_ wanted: Precision?, _ used: Precision?) -> Penalty? {
        guard let wanted else { return nil }
        guard let used else { return Penalty(sigma: 0.10, reason: "weight precision not stated") }
        if used == wanted { return nil }
        if used.bitLength == wanted.bitLength {
            return Penalty(sigma: 0.05, reason: "\(used.rawValue) weights for \(wanted.rawValue)")
        }
        return Penalty(sigma: 0.15, reason: "\(used.rawValue) weights for \(wanted.rawValue) (another precision class)")
    }

    static func lengthPenalty(wanted: Int?, stated: Int?, what: String) -> Penalty?? {
        guard let wanted, wanted > 1 else { return .some(nil) }
        guard let stated else { return .some(Penalty(sigma: 0.10, reason: "\(what) length not stated")) }
        let ratio = Double(stated) / Double(wanted)
        if ratio < 0.5 || ratio > 2 { return .none }
        if ratio < 0.8 || ratio > 1.25 {
            return .some(Penalty(sigma: 0.05, reason: "\(what) \(stated) tokens for \(wanted)"))
        }
        return .some(nil)
    }

    // MARK: - Published rows

    /// The published row that stands for `chip` on `workload`, as evidence, or `nil` when none matches.
    public static func published(
        _ rows: [PublishedServingResult],
        chip: Chip,
        workload: Workload,
        spread: Double
    ) -> Evidence? {
        guard workload.kind == .serving, let model = workload.model else { return nil }
        let mode = workload.servingMode
        var matches: [(row: PublishedServingResult, penalties: [Penalty])] = []
        for row in rows where row.chip == chip.id && row.model == model {
            var penalties: [Penalty] = []
            switch (mode, row.mode) {
            case (.prefillOnly, .prefillOnly):
                guard row.metric == .totalTokensPerSecondPerChip else { continue }
            case (.decodeOnly, .decodeOnly):
                guard row.metric == .outputTokensPerSecondPerChip else { continue }
            case (.aggregated, .aggregated):
                guard row.metric == .outputTokensPerSecondPerChip else { continue }
            case (.aggregated, .disaggregated):
                guard row.metric == .outputTokensPerSecondPerChip else { continue }
                penalties.append(Penalty(sigma: 0.05, reason: "disaggregated system (per chip over both pools)"))
            default:
                continue
            }
            if let limit = workload.limits?.tpotSeconds.map({ $0 * 1000 }) {
                guard let target = row.tpotLimitMilliseconds, target <= limit * 1.0001 else { continue }
                if target < limit * 0.8 {
                    penalties.append(Penalty(sigma: 0.05, reason: "held to TPOT ≤ \(format(target)) ms"))
                }
            } else if row.tpotLimitMilliseconds != nil, mode != .prefillOnly {
                continue
            }
            if let limit = workload.limits?.ttftSeconds.map({ $0 * 1000 }) {
                guard let target = row.ttftLimitMilliseconds, target <= limit * 1.0001 else { continue }
            }
            guard let input = lengthPenalty(wanted: workload.inputTokens, stated: row.inputTokens, what: "input"),
                let output = lengthPenalty(
                    wanted: mode == .prefillOnly ? nil : workload.outputTokens,
                    stated: row.outputTokens,
                    what: "output"
                )
            else { continue }
            penalties += [input, output].compactMap { $0 }
            if let precision = precisionPenalty(workload.precision, row.weightPrecision) { penalties.append(precision) }
            matches.append((row, penalties))
        }
        guard let chosen = choose(matches, value: { $0.value }) else { return nil }
        let row = chosen.row
        let sigma = combine([spread] + chosen.penalties.map(\.sigma))
        var note = "\(row.framework)"
        if let tp = row.tp { note += ", TP \(tp)" }
        if let ep = row.ep { note += ", EP \(ep)" }
        if let chips = row.chips { note += ", \(chips) chips" }
        if let speculative = row.speculative { note += ", \(speculative.method.uppercased())" }
        if !chosen.penalties.isEmpty {
            note +=
                "; differs: " + chosen.penalties.map { "\($0.reason) (σ \(format($0.sigma)))" }.joined(separator: ", ")
        }
        return Evidence(
            value: row.value,
            provenance: .measured(resultID: row.id),
            sigma: sigma,
            note: note,
            tier: .published,
            source: "\(row.id): \(row.source)",
            setup: ServingSetup(
                engine: row.engine,
                precision: row.weightPrecision,
                speculative: row.speculative?.method
            )
        )
    }

    /// Rows within σ 0.05 of the closest match compete on value.
    static func choose<Row>(
        _ matches: [(row: Row, penalties: [Penalty])],
        value: (Row) -> Double
    ) -> (
        row: Row, penalties: [Penalty]
    )? {
        guard let closest = matches.map({ combine($0.penalties.map(\.sigma)) }).min() else { return nil }
        return
            matches
            .filter { combine($0.penalties.map(\.sigma)) <= closest + 0.05 + 1e-12 }
            .max { value($0.row) < value($1.row) }
    }

    // MARK: - Measured runs

    /// Measured (or submitted) runs of `chip` that match `workload`, as evidence with a bootstrap over the runs
    /// of the best-performing scenario that met the limits; `nil` when none matches at `tier`.
    public static func measured(
        _ inputs: [ServingInput],
        chip: Chip,
        workload: Workload,
        tier: EvidenceTier
    ) -> Evidence? {
        guard workload.kind == .serving, let model = workload.model else { return nil }
        let mode = workload.servingMode
        var groups: [String: (runs: [ServingInput], penalties: [Penalty])] = [:]
        for offered in inputs where offered.tier == tier {
            let run = offered.measurement
            guard run.chip == chip.id, run.scenario.model == model else { continue }
            var penalties: [Penalty] = []
            switch (mode, run.deployment.mode) {
            case (.prefillOnly, .prefillOnly), (.decodeOnly, .decodeOnly), (.aggregated, .aggregated): break
            case (.aggregated, .disaggregated):
                penalties.append(Penalty(sigma: 0.05, reason: "disaggregated system (per chip over both pools)"))
            default: continue
            }
            let limits = workload.limits ?? ServiceLimits()
            let tpot = (run.metrics.tpot.medianMilliseconds ?? run.metrics.tpot.meanMilliseconds) / 1000
            let ttft = (run.metrics.ttft.medianMilliseconds ?? run.metrics.ttft.meanMilliseconds) / 1000
            guard mode == .prefillOnly || limits.admits(ttftSeconds: ttft, tpotSeconds: tpot) else { continue }
            guard
                let inputPenalty = lengthPenalty(
                    wanted: workload.inputTokens,
                    stated: Int(run.scenario.input.mean.rounded()),
                    what: "input"
                ),
                let outputPenalty = lengthPenalty(
                    wanted: mode == .prefillOnly ? nil : workload.outputTokens,
                    stated: Int(run.scenario.output.mean.rounded()),
                    what: "output"
                )
            else { continue }
            penalties += [inputPenalty, outputPenalty].compactMap { $0 }
            if let precision = precisionPenalty(workload.precision, run.scenario.weightPrecision) {
                penalties.append(precision)
            }
            // Runs of one scenario (same engine, deployment and load) are repetitions of each other.
            var scenario = run.scenario
            scenario.name = nil
            let key = "\(scenario)|\(run.deployment)|\(run.engine)|\(run.chips)"
            groups[key, default: ([], penalties)].runs.append(offered)
        }
        func perChip(_ run: ServingInput) -> Double {
            let m = run.measurement
            if mode == .prefillOnly { return m.metrics.totalTokensPerSecond / Double(max(m.chips, 1)) }
            return m.outputTokensPerSecondPerChip
        }
        func median(_ values: [Double]) -> Double { Interval.quantile(values.sorted(), 0.5) }
        let candidates = groups.values.map { (row: $0.runs, penalties: $0.penalties) }
        guard let chosen = choose(candidates, value: { median($0.map(perChip)) }) else { return nil }
        let samples = chosen.row.map(perChip)
        let first = chosen.row[0].measurement
        var note =
            "\(chosen.row.count) run(s), \(first.engine.name)\(first.engine.version.map { " " + $0 } ?? ""), "
            + "TP \(first.deployment.tensorParallel), \(first.chips) chips"
        if !chosen.penalties.isEmpty {
            note +=
                "; differs: " + chosen.penalties.map { "\($0.reason) (σ \(format($0.sigma)))" }.joined(separator: ", ")
        }
        let references = chosen.row.map(\.reference)
        return Evidence(
            value: median(samples),
            provenance: .measured(resultID: references.joined(separator: ",")),
            sigma: combine(chosen.penalties.map(\.sigma)),
            samples: samples,
            note: note,
            tier: tier,
            source: references.joined(separator: ", "),
            setup: ServingSetup(
                engine: first.engine.name,
                precision: first.scenario.weightPrecision,
                speculative: first.deployment.speculative?.method
            )
        )
    }

    // MARK: - Between the two sides

    /// What differs between the candidate's and the reference's setups, as penalties on the ratio.
    public static func pairPenalties(_ candidate: Evidence, _ reference: Evidence) -> [Penalty] {
        guard let c = candidate.setup, let r = reference.setup, c.engine != "model", r.engine != "model" else {
            return []
        }
        var penalties: [Penalty] = []
        if c.engine != r.engine {
            penalties.append(Penalty(sigma: 0.10, reason: "engines differ (\(c.engine) vs \(r.engine))"))
        }
        if (c.speculative == nil) != (r.speculative == nil) {
            let side = c.speculative != nil ? "candidate" : "reference"
            let method = (c.speculative ?? r.speculative ?? "speculative").uppercased()
            penalties.append(Penalty(sigma: 0.15, reason: "\(method) on the \(side) side only"))
        }
        if let cp = c.precision, let rp = r.precision, cp != rp {
            let sigma = cp.bitLength == rp.bitLength ? 0.05 : 0.15
            penalties.append(Penalty(sigma: sigma, reason: "precisions differ (\(cp.rawValue) vs \(rp.rawValue))"))
        }
        return penalties
    }

    static func format(_ value: Double) -> String { Quantity.trimmed(value, digits: 2) }
}
