public import Catalogue
public import ExportControl
import Foundation
public import PerfModel

/// Outcome of a line or a plan: clean, warnings, or violations (exit codes 0, 1, 2).
public enum CheckStatus: String, Sendable, Hashable, Codable, Comparable {
    case clean, warning, violation

    public static func < (a: CheckStatus, b: CheckStatus) -> Bool {
        let order: [CheckStatus] = [.clean, .warning, .violation]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }

    /// The exit code procurement pipelines gate on.
    public var exitCode: Int32 {
        switch self {
        case .clean: 0
        case .warning: 1
        case .violation: 2
        }
    }
}

/// One directive that applies to one plan line.
public struct Finding: Sendable, Hashable, Codable {
    public var directive: String
    public var title: String
    public var issuer: String
    public var jurisdiction: String
    public var effect: Directive.Effect
    public var severity: Directive.Severity
    public var source: String
    /// Why it applies: which chip or class, action, country and date.
    public var reason: String
    /// The directive's standing on the line's date (applies, or status unknown — review).
    public var standing: Directive.Standing?
    /// "applies if the buyer is …" when the plan does not state the buyer facts the directive turns on.
    public var condition: String?
    /// `true` when the finding may not hold: it turns on unstated buyer facts, an undetermined or estimated
    /// class, or a status unknown on the date.
    public var isConditional: Bool = false
}

/// A catalogue chip that the directives allow for the same line, ranked by its assessment composite.
public struct Alternative: Sendable, Hashable, Codable {
    public var chip: String
    public var name: String
    public var vendor: String
    /// Composite ratio against the line's chip over `workloads`.
    public var composite: Double
    public var interval: Interval?
    public var verdict: Verdict
    public var confidence: Confidence
    public var workloads: [String]
}

public struct LineResult: Sendable, Hashable, Codable {
    public var line: ProcurementPlan.Line
    public var chipName: String
    public var status: CheckStatus
    public var findings: [Finding]
    public var alternatives: [Alternative]
    /// US side and China side for the line's chip, country and date.
    public var outlook: LicenceOutlook?
}

public struct CheckReport: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.check/1"
    public var schema = currentSchema
    public var file: String
    public var kind: ProcurementPlan.Kind
    public var status: CheckStatus
    public var lines: [LineResult]
    /// The directives that were considered (ids).
    public var directives: [String]
}

/// Checks plans against directives, and ranks allowed alternatives by the assessment's composite ratio.
public struct DirectiveChecker: Sendable {
    public var directives: [Directive]
    public var chips: ChipCatalogue
    public var models: ModelCatalogue
    let classifications: [String: Classification]

    let advisor: LicenceAdvisor

    public init(directives: [Directive], chips: ChipCatalogue, models: ModelCatalogue) throws {
        self.directives = directives
        self.chips = chips
        self.models = models
        let advisor = try LicenceAdvisor.builtIn(chips: chips.chips, directives: directives)
        var classifications: [String: Classification] = [:]
        for chip in chips.chips { classifications[chip.id] = advisor.classifier.classify(chip) }
        self.classifications = classifications
        self.advisor = advisor
    }

    /// The directives that apply to `chip` for a line's action, country, organisation, buyer and date. A
    /// directive whose status on the date is unknown (after its last confirmed status) is reported as a warning
    /// that says so, neither applied nor dropped; so is one that turns on buyer facts the plan does not state.
    public func findings(for chip: Chip, line: ProcurementPlan.Line) -> [Finding] {
        var result: [Finding] = []
        let organisation = line.organisation.lowercased()
        let classification = classifications[chip.id] ?? advisor.classifier.classify(chip)
        for directive in directives {
            let standing = directive.standing(on: line.date)
            guard standing.kind == .applies || standing.kind == .unknown else { continue }
            let scope = directive.scope
            guard scope.actions.contains(line.action), scope.covers(country: line.country),
                scope.organisations.isEmpty || scope.organisations.contains(organisation),
                let coverage = directive.coverage(of: chip, classification: classification)
            else { continue }
            var condition: String?
            if let buyer = scope.buyer {
                switch buyerMatch(buyer, line.buyer) {
                case false?: continue
                case true?: break
                case nil:
                    condition = "applies if the buyer is \(buyer.description); state `buyer:` in the plan to decide"
                }
            }
            var severity = directive.severity
            var why = coverage.reason
            if let id = directive.licencePolicy, let rule = advisor.policy.rule(id), !coverage.reason.hasPrefix("names")
            {
                let tier = advisor.tier(rule, chip, classification, line.date)
                let key = tier.policy.split(separator: " ").first.map(String.init) ?? tier.policy
                if let mapped = directive.severityByPolicy[key] { severity = mapped }
                why += "; licence review: \(tier.policy) (\(tier.basis))"
            }
            if !coverage.isCertain { severity = .warning }
            if condition != nil { severity = .warning }
            if standing.kind == .unknown {
                // The standing (with its explanation) travels with the finding; printers show it on its own line.
                severity = .warning
            } else if standing.status == .reportedNotConfirmed {
                why +=
                    "; known from press reports only (last confirmed \(directive.lastConfirmed.map(\.description) ?? "?"))"
            }
            if let condition { why += "; \(condition)" }
            result.append(
                Finding(
                    directive: directive.id,
                    title: directive.title,
                    issuer: directive.issuer,
                    jurisdiction: directive.jurisdiction,
                    effect: directive.effect,
                    severity: severity,
                    source: directive.source,
                    reason:
                        "\(why); \(line.action.rawValue) in \(line.country) on \(line.date), in force since \(directive.effective)",
                    standing: standing,
                    condition: condition,
                    isConditional: condition != nil || !coverage.isCertain || standing.kind == .unknown
                )
            )
        }
        return result
    }

    /// Whether the stated buyer facts bring the buyer in scope: `true`, `false`, or `nil` when the plan does not
    /// state the facts the directive turns on.
    func buyerMatch(_ scope: Directive.BuyerScope, _ facts: ProcurementPlan.Buyer?) -> Bool? {
        var answers: [Bool?] = []
        if !scope.types.isEmpty {
            if let types = facts?.types {
                if Set(types).isDisjoint(with: scope.types) {
                    answers.append(false)
                } else if let below = scope.projectCompletionBelowPercent {
                    // At or above the completion threshold the reports say "case by case": not decided here.
                    answers.append(facts?.projectCompletionPercent.flatMap { $0 < below ? true : nil })
                } else {
                    answers.append(true)
                }
            } else {
                answers.append(nil)
            }
        }
        if let percent = scope.ownedByListedPartiesPercentAtLeast {
            answers.append(facts?.ownedByListedPartiesPercent.map { $0 >= percent })
        }
        let policy = advisor.policy
        if !scope.headquartersIn.isEmpty {
            answers.append(
                facts?.headquarters.map { hq in scope.headquartersIn.contains { policy.country(hq, isIn: $0) } }
            )
        }
        if !scope.ultimateParentIn.isEmpty {
            answers.append(
                facts?.ultimateParent.map { parent in
                    scope.ultimateParentIn.contains { policy.country(parent, isIn: $0) }
                }
            )
        }
        if answers.contains(true) { return true }
        if answers.allSatisfy({ $0 == false }) { return false }
        return nil
    }

    /// Checks every line; `alternatives` is how many allowed chips to suggest for a line with findings.
    public func check(
        _ plan: ProcurementPlan,
        alternatives: Int = 3,
        limits: ServiceLimits = Workload.defaultLimits
    ) throws -> CheckReport {
        var results: [LineResult] = []
        for line in plan.lines {
            let chip: Chip
            do {
                chip = try chips.chip(line.chip)
            } catch {
                throw CatalogueError(
                    file: plan.file,
                    line: line.fileLine,
                    field: "lines[\(line.index)].chip",
                    message: "\(error)"
                )
            }
            let suite = try suite(for: line, plan: plan, limits: limits)
            let findings = findings(for: chip, line: line)
            let status: CheckStatus =
                findings.contains { $0.severity == .violation } ? .violation : findings.isEmpty ? .clean : .warning
            var suggested: [Alternative] = []
            if status != .clean, alternatives > 0 {
                suggested = try rank(instead: chip, line: line, suite: suite, limit: alternatives)
            }
            results.append(
                LineResult(
                    line: line,
                    chipName: chip.name,
                    status: status,
                    findings: findings,
                    alternatives: suggested,
                    outlook: advisor.outlook(
                        for: chip,
                        classification: classifications[chip.id] ?? advisor.classifier.classify(chip),
                        destination: line.country,
                        on: line.date
                    )
                )
            )
        }
        return CheckReport(
            file: plan.file,
            kind: plan.kind,
            status: results.map(\.status).max() ?? .clean,
            lines: results,
            directives: directives.map(\.id)
        )
    }

    /// The workloads a line's alternatives are ranked on: the spec figures plus serving the stated model, a named
    /// built-in workload, or the whole built-in suite.
    func suite(for line: ProcurementPlan.Line, plan: ProcurementPlan, limits: ServiceLimits) throws -> [Workload] {
        let builtIn = Workload.defaultSuite(limits: limits)
        guard let workload = line.workload else { return builtIn }
        if let named = builtIn.first(where: { $0.id == workload }) { return [named] }
        guard let model = try? models.model(workload) else {
            throw CatalogueError(
                file: plan.file,
                line: line.fileLine,
                field: "lines[\(line.index)].workload",
                message: "'\(workload)' is neither a model (see `parity models list`) nor a workload "
                    + "(\(builtIn.map(\.id).joined(separator: ", ")))"
            )
        }
        let precision: Precision = model.moe != nil ? .fp8 : .bf16
        return builtIn.filter { $0.kind == .spec }
            + [
                .serving(
                    model: model.id,
                    precision: precision,
                    inputTokens: 2048,
                    outputTokens: 256,
                    limits: limits
                )
            ]
    }

    func rank(instead chip: Chip, line: ProcurementPlan.Line, suite: [Workload], limit: Int) throws -> [Alternative] {
        let allowed = chips.chips.filter { candidate in
            candidate.id != chip.id && candidate.isDatacenter
                && findings(for: candidate, line: line).allSatisfy(\.isConditional)
        }
        guard !allowed.isEmpty else { return [] }
        let assessment = try Assessor.run(
            AssessmentOptions(candidates: allowed, references: [chip], suite: suite, resamples: 500),
            models: models
        )
        return assessment.comparisons.compactMap { comparison -> Alternative? in
            guard let composite = comparison.composite, let candidate = assessment.chip(comparison.candidate) else {
                return nil
            }
            return Alternative(
                chip: candidate.id,
                name: candidate.name,
                vendor: candidate.vendor,
                composite: composite,
                interval: comparison.interval,
                verdict: comparison.verdict,
                confidence: comparison.confidence,
                workloads: suite.map(\.id)
            )
        }.sorted { $0.composite > $1.composite }.prefix(limit).map { $0 }
    }
}
