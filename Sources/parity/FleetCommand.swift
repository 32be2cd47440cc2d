import ArgumentParser
import Assessment
import Catalogue
import Foundation
import Measure
import PerfModel

struct FleetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "How many of one chip deliver the serving capacity of N of another, with servers, power and cost.",
        discussion: """
            Example: parity fleet --replace 10000xrtx-pro-6000d --with ascend-910c --model llama-3.1-70b
            Each chip serves the model on the deployment that gives it the most throughput under the limits; \
            measured matrix and bandwidth results (--results) calibrate that chip's efficiency. The interval \
            reflects the model's error and any estimated catalogue figures.
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Option(help: ArgumentHelp("The current fleet, COUNTxCHIP (e.g. 10000xrtx-pro-6000d).", valueName: "NxCHIP"))
    var replace: String

    @Option(name: .customLong("with"), help: ArgumentHelp("The replacement chip id.", valueName: "chip"))
    var replacement: String

    @Option(help: "Model id (see `parity models list`).")
    var model: String = "llama-3.1-70b"

    @Option(help: "Weight precision (falls back to bf16 on chips without it).")
    var precision: Precision = .bf16

    @Option(help: "Prompt tokens per request.")
    var input: Int = 2048

    @Option(help: "Output tokens per request.")
    var output: Int = 256

    @Option(name: .customLong("slo-ttft"), help: "Time-to-first-token limit (default 2s).")
    var sloTTFT: Duration?

    @Option(name: .customLong("slo-tpot"), help: "Time-per-output-token limit (default 50ms).")
    var sloTPOT: Duration?

    @Option(help: "Accelerators per server.")
    var perServer: Int = 8

    @Option(help: "Rack power budget in kW.")
    var rackKw: Double = 40

    @Option(
        name: .customLong("results"),
        help: ArgumentHelp("Measurement file (parity.measurement/1); repeatable.", valueName: "file")
    )
    var resultFiles: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        try reportingErrors {
            let parts = replace.lowercased().split(separator: "x", maxSplits: 1)
            guard parts.count == 2, let count = Int(parts[0]), count > 0 else {
                throw ValidationError("--replace takes COUNTxCHIP, e.g. 10000xrtx-pro-6000d")
            }
            let chips = try catalogue.loadChips()
            let models = try catalogue.loadModels()
            let architecture = try models.model(model)
            let offered = try OfferedEvidence.load(files: resultFiles)
            let limits = ServiceLimits(
                ttftSeconds: sloTTFT?.seconds ?? Workload.defaultLimits.ttftSeconds,
                tpotSeconds: sloTPOT?.seconds ?? Workload.defaultLimits.tpotSeconds
            )
            let workload = Workload.serving(
                model: architecture.id,
                precision: precision,
                inputTokens: input,
                outputTokens: output,
                limits: limits
            )
            let plan = try Fleet.plan(
                FleetQuery(
                    current: try chips.chip(String(parts[1])),
                    count: count,
                    replacement: try chips.chip(replacement),
                    workload: workload,
                    chipsPerServer: perServer,
                    rackKilowatts: rackKw,
                    measurements: offered.measurements,
                    servingResults: offered.serving
                ),
                models: models
            )
            if json {
                try printJSON(plan)
                return
            }
            print("\(workload.title); \(limits.summary)\n")
            var table = TextTable(
                headers: [
                    "", "CHIPS", "DEPLOYMENT", "TOK/S PER CHIP", "FLEET TOK/S", "SERVERS", "POWER", "RACKS", "COST",
                ],
                rightAligned: [1, 3, 4, 5, 6, 7, 8]
            )
            for (label, side) in [("current", plan.current), ("replacement", plan.replacement)] {
                table.append([
                    "\(label): \(side.name)", String(side.chips), side.deployment,
                    Quantity.trimmed(side.throughputPerChip.value, digits: 1),
                    Quantity.trimmed(side.capacity, digits: 0), String(side.servers),
                    side.powerKilowatts.map { "\(Quantity.trimmed($0, digits: 0)) kW" } ?? "—",
                    side.racks.map(String.init) ?? "—",
                    side.costUSD.map { "$\(Quantity.trimmed($0 / 1e6, digits: 1))M" } ?? "—",
                ])
            }
            print(table.render())
            print(
                "\n\(plan.replacement.chips) \(plan.replacement.name) (\(Int(plan.level * 100))% interval "
                    + "\(plan.interval.lowerBound)–\(plan.interval.upperBound)) match \(plan.current.chips) "
                    + "\(plan.current.name): \(Quantity.trimmed(plan.ratio, digits: 2)) \(plan.replacement.name) per "
                    + "\(plan.current.name)."
            )
            for side in [plan.current, plan.replacement] {
                let evidence = side.throughputPerChip
                let estimated = evidence.estimatedInputs + evidence.assumedInputs
                if !estimated.isEmpty {
                    print("  \(side.chip) rests on estimates: \(estimated.joined(separator: ", "))")
                }
            }
            print("Assumptions: \(plan.assumptions.joined(separator: "; ")).")
        }
    }
}
