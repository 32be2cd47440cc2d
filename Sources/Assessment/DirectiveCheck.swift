public import Catalogue
import ExportControl
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

    public init(directives: [Directive], chips: ChipCatalogue, models: ModelCatalogue) throws {
        self.directives = directives
        self.chips = chips
        self.models = models
        let classifier = Classifier(rule: try ExportRule.builtIn())
        var classifications: [String: Classification] = [:]
        for chip in chips.chips { classifications[chip.id] = classifier.classify(chip) }
        self.classifications = classifications
    }

    /// The directives that apply to `chip` for a line's action, country, organisation and date.
    public func findings(for chip: Chip, line: ProcurementPlan.Line) -> [Finding] {
        var result: [Finding] = []
        let organisation = line.organisation.lowercased()
        for directive in directives where directive.inForce(on: line.date) {
            let scope = directive.scope
            guard scope.actions.contains(line.action), scope.countries.contains(line.country),
                scope.organisations.isEmpty || scope.organisations.contains(organisation)
            else { continue }
            var severity = directive.severity
            var why: String
            if scope.chips.contains(chip.id) {
                why = "names \(chip.id)"
            } else if !scope.classes.isEmpty, scope.markets.isEmpty || scope.markets.contains(chip.market),
                let classification = classifications[chip.id], scope.classes.contains(classification.eccnClass)
            {
                why =
                    "covers \(classification.eccnClass) (\(chip.id): \(classification.decidingClause ?? classification.eccnClass))"
                if !classification.decisiveEstimatedInputs.isEmpty {
                    severity = .warning
                    why +=
                        "; the class rests on estimated figures (\(classification.decisiveEstimatedInputs.joined(separator: ", "))), so confirm with the supplier"
                }
            } else {
                continue
            }
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
                        "\(why); \(line.action.rawValue) in \(line.country) on \(line.date), in force since \(directive.effective)"
                )
            )
        }
        return result
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
                LineResult(line: line, chipName: chip.name, status: status, findings: findings, alternatives: suggested)
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
            candidate.id != chip.id && candidate.isDatacenter && findings(for: candidate, line: line).isEmpty
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
