import ArgumentParser
import Catalogue

struct ChipsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chips",
        abstract: "List, show and compare chips in the sourced catalogue.",
        subcommands: [List.self, Show.self, Diff.self]
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List chips with their headline figures.")

        @OptionGroup var catalogue: CatalogueOptions

        @Option(help: "Only chips of this vendor (case-insensitive), e.g. NVIDIA, Huawei.")
        var vendor: String?

        @Option(help: "Only chips of this market: china-specific, global or domestic-china.")
        var market: String?

        @Option(
            help: ArgumentHelp(
                "Sort by a figure, largest first: id, vendor, \(ChipField.allCases.map(\.name).joined(separator: ", ")).",
                valueName: "field"
            )
        )
        var sort: String = "id"

        @Option(
            name: .customLong("as-of"),
            help: ArgumentHelp(
                "Only chips that existed or were announced by this day (YYYY-MM-DD), by their 'announced' date.",
                valueName: "date"
            )
        )
        var asOf: String?

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        func validate() throws {
            if let asOf, Day(asOf) == nil {
                throw ValidationError("--as-of must be a date like 2025-09-17, got '\(asOf)'")
            }
            if let market, Market(rawValue: market) == nil {
                throw ValidationError(
                    "--market must be one of \(Market.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if !["id", "vendor"].contains(sort), ChipField(name: sort) == nil {
                throw ValidationError(
                    "--sort: unknown field '\(sort)'. Known: id, vendor, \(ChipField.allCases.map(\.name).joined(separator: ", "))"
                )
            }
        }

        func run() throws {
            try reportingErrors {
                var chips = try catalogue.loadChips().chips
                if let vendor { chips = chips.filter { $0.vendor.lowercased() == vendor.lowercased() } }
                if let market, let wanted = Market(rawValue: market) { chips = chips.filter { $0.market == wanted } }
                let day = asOf.flatMap(Day.init)
                if let day { chips = chips.filter { $0.existed(by: day) } }
                if sort == "vendor" {
                    chips.sort { ($0.vendor, $0.id) < ($1.vendor, $1.id) }
                } else if let field = ChipField(name: sort) {
                    chips.sort { (field.figure(of: $0)?.value ?? -1) > (field.figure(of: $1)?.value ?? -1) }
                }
                if json {
                    try printJSON(chips)
                    return
                }
                var table = TextTable(
                    headers: [
                        "ID", "VENDOR", "NAME", "MARKET", "STATUS", "ANNOUNCED", "BF16/FP16", "FP8", "INT8", "MEMORY",
                        "BANDWIDTH", "TDP", "EST",
                    ],
                    rightAligned: [6, 7, 8, 9, 10, 11, 12]
                )
                for chip in chips {
                    let half = chip.densePeak[.bf16] ?? chip.densePeak[.fp16]
                    let estimates = chip.figures.filter { $0.provenance.isEstimate }.count
                    table.append([
                        chip.id, chip.vendor, chip.name, chip.market.rawValue, chip.status?.value.rawValue ?? "—",
                        chip.announced.map { $0.value.description } ?? chip.launchYear.map { "\($0.value)" } ?? "—",
                        half.map { ChipField.dense(.bf16).formatted($0.value) } ?? "—",
                        chip.densePeak[.fp8].map { ChipField.dense(.fp8).formatted($0.value) } ?? "—",
                        chip.densePeak[.int8].map { ChipField.dense(.int8).formatted($0.value) } ?? "—",
                        ChipField.memoryCapacity.formatted(chip.memory.capacityBytes.value),
                        ChipField.memoryBandwidth.formatted(chip.memory.bandwidthBytesPerSecond.value),
                        chip.tdpWatts.map { ChipField.tdp.formatted($0.value) } ?? "—",
                        "\(estimates)/\(chip.figures.count)",
                    ])
                }
                print(table.render())
                print(
                    "\n\(chips.count) chips\(day.map { " announced or existing by \($0)" } ?? ""). Peaks are dense. EST = figures marked estimate / all figures; 'parity chips show ID' lists sources."
                )
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every figure of a chip with its source.")

        @OptionGroup var catalogue: CatalogueOptions

        @Argument(help: "Chip id or alias, e.g. h20.")
        var id: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            try reportingErrors {
                let chip = try catalogue.loadChips().chip(id)
                if json {
                    try printJSON(chip)
                    return
                }
                print(
                    "\(chip.vendor) \(chip.name) (\(chip.id)) — \(chip.market.rawValue)\(chip.isDatacenter ? ", data centre" : "")"
                )
                if !chip.aliases.isEmpty { print("aliases: \(chip.aliases.joined(separator: ", "))") }
                if let status = chip.status { print("status: \(status.value.rawValue)") }
                if let announced = chip.announced { print("announced: \(announced.value)") }
                print("last checked: \(chip.lastChecked?.description ?? "never (first-format file)")")
                print("file: \(chip.sourceFile)\n")
                var table = TextTable(headers: ["FIELD", "VALUE", "PROVENANCE", "KIND", "SOURCE / REASON"])
                for row in chip.figures {
                    var detail = row.provenance.detail
                    if let range = row.range { detail += " [range \(range)]" }
                    table.append([
                        row.field, row.value, row.provenance.kind, chip.sourceKind(of: row.provenance) ?? "—",
                        detail + (row.note.map { " (note: \($0))" } ?? ""),
                    ])
                }
                print(table.render())
                if !chip.sources.isEmpty {
                    print("\nsources:")
                    var sources = TextTable(headers: ["KEY", "KIND", "TITLE / URL"])
                    for key in chip.sources.keys.sorted() {
                        guard let source = chip.sources[key] else { continue }
                        sources.append([
                            key, source.kind?.rawValue ?? "unclassified",
                            (source.title.map { "\($0) — " } ?? "") + source.url,
                        ])
                    }
                    print(sources.render())
                }
            }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Compare two chips side by side with ratios (A ÷ B).")

        @OptionGroup var catalogue: CatalogueOptions

        @Argument(help: "First chip id (numerator).")
        var a: String

        @Argument(help: "Second chip id (denominator).")
        var b: String

        @Flag(help: "Print JSON instead of a table.")
        var json = false

        struct Output: Encodable {
            var a: String
            var b: String
            var rows: [Row]
        }

        struct Row: Encodable {
            var field: String
            var a: Double?
            var b: Double?
            var ratio: Double?
            var aProvenance: String?
            var bProvenance: String?
        }

        func run() throws {
            try reportingErrors {
                let catalogue = try catalogue.loadChips()
                let first = try catalogue.chip(a)
                let second = try catalogue.chip(b)
                var rows: [Row] = []
                for field in ChipField.allCases {
                    let x = field.figure(of: first)
                    let y = field.figure(of: second)
                    if x == nil && y == nil { continue }
                    let ratio: Double? = if let x, let y, y.value > 0 { x.value / y.value } else { nil }
                    rows.append(
                        Row(
                            field: field.name,
                            a: x?.value,
                            b: y?.value,
                            ratio: ratio,
                            aProvenance: x?.provenance.kind,
                            bProvenance: y?.provenance.kind
                        )
                    )
                }
                if json {
                    try printJSON(Output(a: first.id, b: second.id, rows: rows))
                    return
                }
                var table = TextTable(
                    headers: ["FIELD", first.id.uppercased(), second.id.uppercased(), "A ÷ B"],
                    rightAligned: [1, 2, 3]
                )
                for row in rows {
                    let field = ChipField(name: row.field)
                    func cell(_ value: Double?, _ provenance: String?) -> String {
                        guard let value, let field else { return "—" }
                        return field.formatted(value) + (provenance == "estimate" ? "*" : "")
                    }
                    table.append([
                        row.field, cell(row.a, row.aProvenance), cell(row.b, row.bProvenance),
                        row.ratio.map { Quantity.trimmed($0, digits: 2) + "×" } ?? "—",
                    ])
                }
                print(table.render())
                print("\n* estimate. Dense peaks unless the field says sparse.")
            }
        }
    }
}
