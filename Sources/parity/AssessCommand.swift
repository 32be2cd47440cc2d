import ArgumentParser
import Catalogue
import Foundation

struct AssessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Compare domestic-China chips with NVIDIA's China chips (H20, RTX Pro 6000D) on catalogue figures.",
        discussion: """
            Ratios are candidate ÷ reference on dense spec figures; the composite is their geometric mean. \
            A ratio built on an estimated figure is marked '*'.
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

    @Option(help: ArgumentHelp("Reference chip ids, comma-separated.", valueName: "ids"))
    var references: String = "h20,rtx-pro-6000d"

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Encodable {
        var candidate: String
        var reference: String
        var ratios: [String: Double]
        var estimatedRatios: [String]
        var composite: Double
    }

    static let metrics: [(name: String, value: @Sendable (Chip) -> Sourced<Double>?)] = [
        ("bf16", { $0.denseThroughput(for: .bf16) }),
        ("fp8", { $0.denseThroughput(for: .fp8) }),
        ("int8", { $0.denseThroughput(for: .int8) }),
        ("bandwidth", { $0.memory.bandwidthBytesPerSecond }),
        ("memory", { $0.memory.capacityBytes }),
    ]

    func run() throws {
        try reportingErrors {
            let catalogue = try catalogue.loadChips()
            let refs = try references.split(separator: ",").map { try catalogue.chip(String($0)) }
            let cands =
                try candidates.map { try $0.split(separator: ",").map { try catalogue.chip(String($0)) } }
                ?? catalogue.chips.filter { $0.market == .domesticChina }
            var rows: [Row] = []
            for reference in refs {
                for candidate in cands {
                    var ratios: [String: Double] = [:]
                    var estimated: [String] = []
                    for metric in Self.metrics {
                        guard let x = metric.value(candidate), let y = metric.value(reference), y.value > 0 else {
                            continue
                        }
                        ratios[metric.name] = x.value / y.value
                        if x.provenance.isEstimate || y.provenance.isEstimate { estimated.append(metric.name) }
                    }
                    let logs = ratios.values.map { Foundation.log($0) }
                    let composite = logs.isEmpty ? 0 : exp(logs.reduce(0, +) / Double(logs.count))
                    rows.append(
                        Row(
                            candidate: candidate.id,
                            reference: reference.id,
                            ratios: ratios,
                            estimatedRatios: estimated,
                            composite: composite
                        )
                    )
                }
            }
            if json {
                try printJSON(rows)
                return
            }
            var table = TextTable(
                headers: ["CANDIDATE", "REFERENCE"] + Self.metrics.map { $0.name.uppercased() } + ["COMPOSITE"],
                rightAligned: Set(2...(2 + Self.metrics.count))
            )
            for row in rows {
                table.append(
                    [row.candidate, row.reference]
                        + Self.metrics.map { metric in
                            row.ratios[metric.name].map {
                                Quantity.trimmed($0, digits: 2) + (row.estimatedRatios.contains(metric.name) ? "*" : "")
                            } ?? "—"
                        } + [Quantity.trimmed(row.composite, digits: 2)]
                )
            }
            print("Spec comparison, candidate ÷ reference (dense peaks; * = rests on an estimate)\n")
            print(table.render())
        }
    }
}
