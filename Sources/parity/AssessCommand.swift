import ArgumentParser
import Assessment
import Catalogue
import Foundation
import Measure
import PerfModel
import Reporting
import Store

struct AssessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Compare domestic-China chips with the chips Chinese buyers could get (H20, RTX Pro 6000D, H200).",
        discussion: """
            With no options: every domestic-china chip in the catalogue against the H20 (96 GB and 141 GB), the \
            RTX Pro 6000D and the H200 on the built-in suite (spec figures; serving of dense and MoE models, \
            including DeepSeek decode and prefill instances at the limits published comparisons use), writing \
            parity-report/index.html, report.md and report.json. The report also says which references a buyer in \
            --destination (default CN) could obtain on --date (default today), and under what US licence policy and \
            China-side directives.

            Each serving cell rests on the strongest evidence each chip has for a matching scenario: measured \
            (--results, --db) → submitted and accepted → published (the built-in evidence set) → modelled and \
            calibrated from the chip's own runs → modelled from specs; the summary counts workloads per tier for \
            every pair. Where the two sides' setups differ (engines, MTP on one side, precisions) the interval \
            widens and the cell says why (docs/assessment.md).

            Verdicts: exceeds / comparable / below when the whole bootstrap interval of the ratio lies above, \
            inside or below the tolerance band around 1; otherwise inconclusive. Estimated figures widen the \
            interval and lower the confidence shown.

            Exit codes: 0 the assessment ran (whatever its verdicts); 1 bad input (unknown chip, results file of \
            an unknown schema, empty suite); 64 invalid arguments.
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Option(
        help: ArgumentHelp(
            "Candidate chip ids, comma-separated (default: every domestic-china chip).",
            valueName: "ids"
        )
    )
    var candidates: String?

    @Option(
        help: ArgumentHelp(
            "Reference chip ids, comma-separated (default: \(ReferenceAccess.builtInReferences.joined(separator: ",")); "
                + "those missing from the catalogue are skipped with a note).",
            valueName: "ids"
        )
    )
    var references: String?

    @Option(help: ArgumentHelp("Buyer's country for the references' licence outlook.", valueName: "code"))
    var destination: String = "CN"

    @Option(
        help: ArgumentHelp("Day of the references' licence outlook, YYYY-MM-DD (default: today).", valueName: "date")
    )
    var date: String?

    @Option(
        help: ArgumentHelp("Workload ids from the built-in suite, comma-separated (default: all).", valueName: "ids")
    )
    var workloads: String?

    @Option(
        help: ArgumentHelp(
            "A YAML file of workloads to add to the suite (see docs/assessment.md), e.g. a model at your own limits.",
            valueName: "file"
        )
    )
    var workloadsFile: String?

    @Flag(help: "List the built-in workloads and exit.")
    var listWorkloads = false

    @Option(name: .customLong("slo-ttft"), help: "Time-to-first-token limit for serving workloads (default 2s).")
    var sloTTFT: Duration?

    @Option(name: .customLong("slo-tpot"), help: "Time-per-output-token limit for serving workloads (default 50ms).")
    var sloTPOT: Duration?

    @Option(help: ArgumentHelp("Half-width of the 'comparable' band: 0.10 or 10% means 0.90–1.10.", valueName: "t"))
    var tolerance: Tolerance = Tolerance(value: 0.10)

    @Option(
        name: .customLong("results"),
        help: ArgumentHelp(
            "A measurement file (parity.measurement/1, JSON or JSON lines); repeatable.",
            valueName: "file"
        )
    )
    var resultFiles: [String] = []

    @Option(
        help: ArgumentHelp(
            "Also use the evidence in this result store (local imports and accepted submissions), and save the "
                + "assessment there for the server: an SQLite path or postgres://… URL.",
            valueName: "db"
        )
    )
    var db: String?

    @Option(help: "Seed of the bootstrap (the same seed gives the same intervals).")
    var seed: UInt64 = 42

    @Option(help: "Bootstrap resamples per interval.")
    var resamples: Int = 2000

    @Option(help: ArgumentHelp("Report folder.", valueName: "dir"))
    var out: String = "parity-report"

    @Flag(help: "Do not write report files.")
    var noReport = false

    @Option(help: ArgumentHelp("Sign the report with this private key (see `parity keys generate`).", valueName: "key"))
    var sign: String?

    @Flag(help: "Print the assessment as JSON instead of the table.")
    var json = false

    func validate() throws {
        if resamples < 100 { throw ValidationError("--resamples must be at least 100") }
        if let date, Day(date) == nil { throw ValidationError("--date must be a date like 2026-11-30, got '\(date)'") }
        if noReport, sign != nil {
            throw ValidationError("--sign writes a bundle into the report folder; drop --no-report")
        }
    }

    func suite() throws -> [Workload] {
        let limits = ServiceLimits(
            ttftSeconds: sloTTFT?.seconds ?? Workload.defaultLimits.ttftSeconds,
            tpotSeconds: sloTPOT?.seconds ?? Workload.defaultLimits.tpotSeconds
        )
        var all = Workload.defaultSuite(limits: limits)
        if let workloadsFile {
            let url = URL(fileURLWithPath: workloadsFile)
            guard let data = FileManager.default.contents(atPath: url.path),
                let text = String(data: data, encoding: .utf8)
            else { throw CatalogueError(file: workloadsFile, message: "cannot be read") }
            for workload in try Workload.load(text: text, file: workloadsFile) {
                all.removeAll { $0.id == workload.id }
                all.append(workload)
            }
        }
        guard let workloads else { return all }
        let ids = workloads.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        return try ids.map { id in
            guard let workload = all.first(where: { $0.id == id }) else {
                throw AssessmentError.unknownWorkload(id, available: all.map(\.id))
            }
            return workload
        }
    }

    func run() async throws {
        try await reportingFailures {
            if listWorkloads {
                var table = TextTable(headers: ["ID", "KIND", "WORKLOAD"])
                for workload in try suite() { table.append([workload.id, workload.kind.rawValue, workload.title]) }
                print(table.render())
                return
            }
            let chips = try catalogue.loadChips()
            let models = try catalogue.loadModels()
            var refs: [Chip] = []
            if let references {
                refs = try references.split(separator: ",").map { try chips.chip(String($0)) }
            } else {
                for id in ReferenceAccess.builtInReferences {
                    if let chip = try? chips.chip(id) {
                        refs.append(chip)
                    } else {
                        Terminal.note("reference \(id) is not in the catalogue; skipped")
                    }
                }
            }
            let cands =
                try candidates.map { try $0.split(separator: ",").map { try chips.chip(String($0)) } }
                ?? chips.chips.filter { $0.market == .domesticChina }
            var offered = try OfferedEvidence.load(files: resultFiles)
            if let db {
                offered = try await StoreLocation(db).withStore { store in
                    var copy = offered
                    try await copy.add(from: store)
                    return copy
                }
            }
            let measurements = offered.measurements
            let key = try sign.map { try SigningKey.load(path: $0) }
            let options = AssessmentOptions(
                candidates: cands,
                references: refs,
                suite: try suite(),
                tolerance: tolerance.value,
                resamples: resamples,
                seed: seed,
                // The modelled spread per architecture regime is the model's own leave-one-out error on the
                // published evidence (`parity validate`), not a fixed σ.
                uncertainty: Uncertainty(
                    modelledByArchitecture: (try? Validation.builtInSpreadByArchitecture(chips: chips, models: models))
                        ?? [:]
                ),
                measurements: measurements,
                measurementGroups: offered.groups,
                servingResults: offered.serving
            )
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            var assessment = try Assessor.run(options, models: models, generatedAt: now)
            assessment.referenceAccess = try ReferenceAccess.evaluate(
                references: refs,
                catalogue: chips.chips,
                directives: try catalogue.loadDirectives().directives,
                destination: destination,
                on: date.flatMap(Day.init) ?? Day.today
            )
            if !noReport {
                let written = try ReportWriter.write(
                    assessment,
                    to: URL(fileURLWithPath: out, isDirectory: true),
                    signingKey: key
                )
                var message = "Report written to \(out)/: index.html, report.md, report.json"
                if written.bundle != nil, let key { message += ", bundle.json (signed by key \(key.keyID))" }
                Terminal.note(message)
            }
            if let db {
                let stored = StoredAssessment(
                    id: "asm-\(Int(now.timeIntervalSince1970))-\(String(UInt32.random(in: .min ... .max), radix: 16))",
                    title: "Assessment of \(assessment.comparisons.count) comparisons, \(now.formatted(.iso8601))",
                    document: try CanonicalJSON.encode(assessment),
                    createdAt: now
                )
                try await StoreLocation(db).withStore { store in try await store.saveAssessment(stored) }
                Terminal.note(
                    "Assessment \(stored.id) saved in \(StoreLocation(db)) (\(measurements.count) measurement(s), the "
                        + "best of \(offered.groups.reduce(0) { $0 + $1.rows }) stored row(s) in \(offered.groups.count) "
                        + "group(s), and \(offered.serving.count) serving run(s) offered)"
                )
            }
            if json {
                try printJSON(assessment)
                return
            }
            printSummary(assessment)
        }
    }

    func printSummary(_ assessment: Assessment) {
        let references = assessment.chips.filter { $0.role == .reference }
        var headers = ["CANDIDATE"]
        for reference in references {
            headers += ["VS \(reference.name.uppercased())", "RATIO", "\(Int(assessment.level * 100))% CI", "CONF"]
        }
        var right: Set<Int> = []
        for index in references.indices { right.insert(2 + index * 4) }
        var table = TextTable(headers: headers, rightAligned: right)
        for candidate in assessment.chips where candidate.role == .candidate {
            var row = [candidate.name]
            for reference in references {
                guard
                    let comparison = assessment.comparisons.first(where: {
                        $0.candidate == candidate.id && $0.reference == reference.id
                    })
                else {
                    row += ["—", "", "", ""]
                    continue
                }
                let ci = comparison.interval.map {
                    "\(Quantity.trimmed($0.lower, digits: 2))–\(Quantity.trimmed($0.upper, digits: 2))"
                }
                row += [
                    paint(comparison.verdict),
                    comparison.composite.map { "\(Quantity.trimmed($0, digits: 2))×" } ?? "—",
                    ci ?? "", comparison.confidence.rawValue,
                ]
            }
            table.append(row, painted: true)
        }
        let band =
            "\(Quantity.trimmed(1 - assessment.tolerance, digits: 2))–\(Quantity.trimmed(1 + assessment.tolerance, digits: 2))"
        print(
            "Candidate ÷ reference, geometric mean over \(assessment.suite.count) workloads; comparable band \(band)\n"
        )
        print(table.render())
        let counts = Dictionary(grouping: assessment.comparisons, by: \.verdict).mapValues(\.count)
        let summary = Verdict.allCases.compactMap { verdict in counts[verdict].map { "\($0) \(verdict.rawValue)" } }
        print("\n\(assessment.comparisons.count) comparisons: \(summary.joined(separator: ", ")).")
        if let access = assessment.referenceAccess, let first = access.first {
            print("\nWhat a buyer in \(first.destination) could obtain on \(first.date):")
            var table = TextTable(headers: ["REFERENCE", "CLASS", "ACCESS", "OUTLOOK"])
            for entry in access { table.append([entry.name, entry.eccnClass, entry.access, entry.summary]) }
            print(table.render())
        }
        printTiers(assessment)
    }

    /// Workloads per evidence tier for every pair: what each verdict rests on (the weaker side of each cell).
    func printTiers(_ assessment: Assessment) {
        let tiers = EvidenceTier.allCases
        var table = TextTable(
            headers: ["CANDIDATE", "REFERENCE"] + tiers.map { $0.label.uppercased() },
            rightAligned: Set(2..<(2 + tiers.count))
        )
        var totals: [EvidenceTier: Int] = [:]
        for comparison in assessment.comparisons {
            let counts = comparison.tierCounts
            totals.merge(counts, uniquingKeysWith: +)
            let name = { (id: String) in assessment.chip(id)?.name ?? id }
            table.append(
                [name(comparison.candidate), name(comparison.reference)]
                    + tiers.map { counts[$0].map(String.init) ?? "·" }
            )
        }
        print("\nEvidence per pair (workloads by the weaker side's tier):\n")
        print(table.render())
        let overall = tiers.compactMap { tier in totals[tier].map { "\($0) \(tier.label)" } }
        print("\nAll cells: \(overall.joined(separator: ", ")).")
    }

    func paint(_ verdict: Verdict) -> String {
        switch verdict {
        case .exceeds: Terminal.paint(verdict.rawValue, .green)
        case .comparable: Terminal.paint(verdict.rawValue, .blue)
        case .below: Terminal.paint(verdict.rawValue, .red)
        case .inconclusive: Terminal.paint(verdict.rawValue, .grey)
        }
    }
}

/// A tolerance written as a fraction (`0.1`) or a percentage (`10%`).
struct Tolerance: ExpressibleByArgument {
    var value: Double

    init(value: Double) {
        self.value = value
    }

    init?(argument: String) {
        let percent = argument.hasSuffix("%")
        guard let number = Double(percent ? String(argument.dropLast()) : argument) else { return nil }
        let fraction = percent ? number / 100 : number
        guard fraction > 0, fraction < 1 else { return nil }
        value = fraction
    }

    var defaultValueDescription: String { "0.10" }
}
