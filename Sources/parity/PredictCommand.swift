public import ArgumentParser
public import Catalogue
import Foundation
import PerfModel

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict LLM serving on a chip with the analytical performance model.",
        discussion: """
            Prints TTFT, TPOT, tokens/s per chip and per user, memory use, KV capacity and the deciding bound. \
            With --slo-ttft/--slo-tpot it picks the batch that gives the most tokens/s per chip within the limits; \
            --sweep prints the whole throughput-vs-interactivity curve.
            """
    )

    @OptionGroup var catalogue: CatalogueOptions

    @Option(help: "Chip id, e.g. h20.")
    var chip: String

    @Option(help: "Model id, e.g. llama-3.1-70b ('parity models' is not needed: unknown ids list the closest).")
    var model: String

    @Option(help: "Tensor parallel degree.")
    var tp: Int = 1

    @Option(help: "Pipeline parallel degree.")
    var pp: Int = 1

    @Option(help: "Attention data-parallel degree inside a replica (with expert parallelism).")
    var dp: Int = 1

    @Option(help: "Expert parallel degree (default TP × DP; MoE models only).")
    var ep: Int?

    @Option(help: "Weight precision: bf16, fp16, fp8, int8, int4, fp4.")
    var weights: Precision = .bf16

    @Option(help: "Matrix-arithmetic precision (default: the weight precision; integer weights compute in bf16).")
    var activations: Precision?

    @Option(help: "KV-cache precision.")
    var kv: Precision = .bf16

    @Option(help: "Prompt length, tokens.")
    var input: Int = 2048

    @Option(help: "Output length, tokens.")
    var output: Int = 256

    @Option(help: "Concurrent sequences per replica (default: best under the limits).")
    var batch: Int?

    @Option(name: .customLong("slo-ttft"), help: "Time-to-first-token limit, e.g. 2s or 500ms.")
    var sloTTFT: Duration?

    @Option(name: .customLong("slo-tpot"), help: "Time-per-output-token limit, e.g. 50ms.")
    var sloTPOT: Duration?

    @Option(
        help: ArgumentHelp(
            "A calibration JSON file (efficiency factors set from measurements, with their result IDs).",
            valueName: "file"
        )
    )
    var calibration: String?

    @Option(help: "Serving engine profile (e.g. trt-llm, sglang, vllm-rocm, vllm-ascend); see engines.yaml.")
    var engine: String?

    @Option(help: "Serving mode: aggregated, disaggregated, prefill-only, decode-only.")
    var mode: ServingMode = .aggregated

    @Option(
        name: .customLong("speculative-tokens"),
        help: "Speculative decoding / MTP: tokens proposed per step (default: none)."
    )
    var speculativeTokens: Int?

    @Option(
        name: .customLong("acceptance-length"),
        help:
            "Mean tokens emitted per speculative step, verified token included (default: 1 + α + … + α^k, engines.yaml)."
    )
    var acceptanceLength: Double?

    @Flag(
        name: .customLong("two-batch-overlap"),
        help:
            "MoE: the expert all-to-all overlaps computation (SGLang's two-batch overlap), so a layer takes the longer of the two."
    )
    var twoBatchOverlap = false

    @Flag(
        name: .customLong("poisson-arrivals"),
        help:
            "Requests arrive as a Poisson stream (open loop, e.g. MLPerf server): TTFT and TPOT are means over requests, --slo-* limits bound their 99th percentiles (iteration and KV-slot queues)."
    )
    var poissonArrivals = false

    @Flag(help: "Print the throughput-vs-interactivity curve (one row per batch size).")
    var sweep = false

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        for (name, value) in [("--tp", tp), ("--pp", pp), ("--dp", dp), ("--input", input), ("--output", output)]
        where value < 1 {
            throw ValidationError("\(name) must be at least 1")
        }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let speculativeTokens, speculativeTokens < 1 {
            throw ValidationError("--speculative-tokens must be at least 1")
        }
        if let acceptanceLength {
            guard let speculativeTokens else {
                throw ValidationError("--acceptance-length needs --speculative-tokens")
            }
            guard acceptanceLength >= 1, acceptanceLength <= Double(speculativeTokens + 1) else {
                throw ValidationError(
                    "--acceptance-length must lie between 1 and \(speculativeTokens + 1) (the proposed tokens plus one)"
                )
            }
        }
    }

    func run() throws {
        try reportingErrors {
            let chips = try catalogue.loadChips()
            let models = try catalogue.loadModels()
            let chip = try chips.chip(self.chip)
            if let activations, chip.densePeak[activations] == nil {
                throw PerfModelError.unsupportedPrecision(chip: chip.id, precision: activations)
            }
            let calibrated = try calibration.map { path in
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                do {
                    return try JSONDecoder().decode(Calibration.self, from: data)
                } catch {
                    throw PerfModelError.invalid("\(path) is not a calibration file: \(error)")
                }
            }
            let profiles = try EngineProfiles.builtIn()
            let (profile, profileRemark) = profiles.profile(engine: engine, chip: chip)
            if let engine, !profiles.engines.contains(engine) {
                throw ValidationError(
                    "unknown engine '\(engine)'; profiles exist for \(profiles.engines.joined(separator: ", "))"
                )
            }
            let activationPrecision = activations ?? profile.activationPrecision(weights: weights)
            let architecture = try models.model(model)
            let efficiency =
                calibrated?.efficiency
                ?? profile.applied(
                    to: Efficiency.defaults(for: chip, precision: activationPrecision),
                    model: architecture
                )
            var deployment = profile.configure(
                Deployment(
                    chip: chip,
                    model: architecture,
                    tensorParallel: tp,
                    pipelineParallel: pp,
                    dataParallelAttention: dp,
                    expertParallel: ep,
                    weightPrecision: weights,
                    activationPrecision: activationPrecision,
                    kvPrecision: kv,
                    efficiency: efficiency
                )
            )
            deployment.overlapsExpertCommunication = twoBatchOverlap
            let perfModel = try PerformanceModel(deployment)
            var speculation: Speculation?
            if let k = speculativeTokens {
                guard let length = acceptanceLength ?? profiles.acceptanceLength(method: "mtp", proposed: k) else {
                    throw ValidationError("engines.yaml has no MTP acceptance model; give --acceptance-length")
                }
                speculation = Speculation(draftTokens: k, acceptanceLength: length)
            }
            let limits = ServiceLimits(ttftSeconds: sloTTFT?.seconds, tpotSeconds: sloTPOT?.seconds)
            var notes: [String] = []
            if let profileRemark { notes.append(profileRemark) }
            if twoBatchOverlap { notes.append("two-batch overlap: the expert all-to-all overlaps computation") }
            if poissonArrivals {
                notes.append(
                    "Poisson arrivals: TTFT and TPOT are means over requests (iteration and KV-slot queues); limits bound their 99th percentiles"
                )
            }
            let limited: LimitedThroughput
            var prediction: Prediction?
            var prefillReplicasPerDecodeReplica: Double?
            switch mode {
            case .prefillOnly:
                let throughput = perfModel.prefillThroughput(inputTokens: input)
                if json {
                    struct Output: Encodable {
                        var model: String
                        var modelVersion: String
                        var chip: String
                        var mode: ServingMode
                        var inputTokensPerSecondPerChip: Double
                        var calibration: CalibrationTier
                        var engineProfile: String?
                    }
                    try printJSON(
                        Output(
                            model: deployment.model.id,
                            modelVersion: PerformanceModel.version,
                            chip: chip.id,
                            mode: mode,
                            inputTokensPerSecondPerChip: throughput,
                            calibration: efficiency.tier,
                            engineProfile: efficiency.engineProfile
                        )
                    )
                } else {
                    print(
                        "\(deployment.model.name) prefill-only on \(deployment.chipsPerReplica) × \(chip.name) (TP\(tp) PP\(pp) DP\(dp)), \(input)-token prompts: \(Quantity.trimmed(throughput, digits: 1)) input tokens/s per chip"
                    )
                    print("Calibration: \(efficiency.tier); engine profile \(efficiency.engineProfile ?? "none")")
                }
                return
            case .disaggregated:
                limited = perfModel.bestThroughput(
                    inputTokens: input,
                    outputTokens: output,
                    limits: limits,
                    disaggregated: true,
                    speculation: speculation
                )
                let best = DisaggregatedModel.best(
                    prefill: perfModel,
                    decode: perfModel,
                    inputTokens: input,
                    outputTokens: output,
                    limits: limits,
                    speculation: speculation
                )
                prediction = best?.prediction
                prefillReplicasPerDecodeReplica = best?.prefillReplicasPerDecodeReplica
                if batch != nil { notes.append("--batch is ignored in disaggregated mode: the search picks it") }
            case .aggregated, .decodeOnly:
                let decodeOnly = mode == .decodeOnly
                limited = perfModel.bestThroughput(
                    inputTokens: input,
                    outputTokens: output,
                    limits: limits,
                    disaggregated: decodeOnly,
                    speculation: speculation,
                    poissonArrivals: poissonArrivals
                )
                if let batch {
                    prediction = try perfModel.predictWithinCapacity(
                        batch: batch,
                        inputTokens: input,
                        outputTokens: output,
                        disaggregated: decodeOnly,
                        speculation: speculation,
                        poissonArrivals: poissonArrivals
                    )
                } else {
                    prediction = limited.best
                }
            }
            let reason = prediction == nil ? (limited.reason ?? "no batch meets the limits") : nil
            if json {
                struct Output: Encodable {
                    var model: String
                    var modelVersion: String
                    var chip: String
                    var mode: ServingMode
                    var prediction: Prediction?
                    var noPredictionReason: String?
                    var prefillReplicasPerDecodeReplica: Double?
                    var limits: ServiceLimits
                    var curve: [CurvePoint]?
                    var efficiency: Efficiency
                    var calibration: CalibrationTier
                    var notes: [String]
                }
                try printJSON(
                    Output(
                        model: deployment.model.id,
                        modelVersion: PerformanceModel.version,
                        chip: chip.id,
                        mode: mode,
                        prediction: prediction,
                        noPredictionReason: reason,
                        prefillReplicasPerDecodeReplica: prefillReplicasPerDecodeReplica,
                        limits: limits,
                        curve: sweep ? limited.curve : nil,
                        efficiency: deployment.efficiency,
                        calibration: deployment.efficiency.tier,
                        notes: notes
                    )
                )
                if prediction == nil { throw ExitCode(1) }
                return
            }
            print(
                "\(deployment.model.name) on \(deployment.chipsPerReplica) × \(chip.name) (TP\(tp) PP\(pp) DP\(dp)), weights \(weights.rawValue), KV \(kv.rawValue), \(input) in / \(output) out"
            )
            if sweep {
                var table = TextTable(
                    headers: ["BATCH", "TOK/S/USER", "TOK/S/CHIP", "TTFT", "TPOT", "WITHIN LIMITS"],
                    rightAligned: [0, 1, 2, 3, 4]
                )
                for point in limited.curve {
                    table.append([
                        String(point.batch), Quantity.trimmed(point.outputTokensPerSecondPerUser, digits: 1),
                        Quantity.trimmed(point.outputTokensPerSecondPerChip, digits: 1),
                        milliseconds(point.ttftSeconds),
                        milliseconds(point.tpotSeconds), point.meetsLimits ? "yes" : "no",
                    ])
                }
                print(table.render())
                print("")
            }
            guard let prediction else {
                print("No batch size meets the limits: \(reason ?? "even batch 1 misses them").")
                throw ExitCode(1)
            }
            var table = TextTable(headers: ["FIGURE", "VALUE"], rightAligned: [1])
            table.append(["batch (sequences per replica)", String(prediction.batch)])
            table.append(["TTFT", milliseconds(prediction.ttftSeconds)])
            table.append(["TPOT", milliseconds(prediction.tpotSeconds)])
            if let p99 = prediction.ttftP99Seconds { table.append(["TTFT, 99th percentile", milliseconds(p99)]) }
            if let p99 = prediction.tpotP99Seconds { table.append(["TPOT, 99th percentile", milliseconds(p99)]) }
            table.append([
                "output tokens/s per chip", Quantity.trimmed(prediction.outputTokensPerSecondPerChip, digits: 1),
            ])
            table.append([
                "output tokens/s per user", Quantity.trimmed(prediction.outputTokensPerSecondPerUser, digits: 1),
            ])
            table.append(["weights per chip", Quantity.format(prediction.weightBytesPerChip, as: .capacity)])
            table.append([
                "KV cache per sequence per chip",
                "\(Quantity.trimmed(prediction.kvBytesPerSequencePerChip / 1e6, digits: 1)) MB",
            ])
            table.append(["max concurrent sequences (KV capacity)", String(prediction.maxBatch)])
            table.append(["decode bound (term that sets the step)", prediction.decodeBound.rawValue])
            table.append(["batch limited by KV capacity", prediction.limitedByCapacity ? "yes" : "no"])
            table.append(["prefill bound", prediction.prefillBound.rawValue])
            if let ratio = prefillReplicasPerDecodeReplica {
                table.append(["prefill replicas per decode replica", Quantity.trimmed(ratio, digits: 2)])
            }
            print(table.render())
            for note in notes { print("Note: \(note).") }
            print(
                "\nModelled (\(PerformanceModel.version)); calibration \(deployment.efficiency.tier); engine profile \(deployment.efficiency.engineProfile ?? "none"); efficiency matrix \(Quantity.trimmed(deployment.efficiency.matrix, digits: 3)), memory \(Quantity.trimmed(deployment.efficiency.memory, digits: 3)), interconnect \(Quantity.trimmed(deployment.efficiency.interconnect, digits: 3)) (docs/perfmodel.md)."
            )
        }
    }
}

func milliseconds(_ seconds: Double) -> String {
    "\(Quantity.trimmed(seconds * 1000, digits: seconds < 0.1 ? 2 : 0)) ms"
}

extension Precision: ExpressibleByArgument {}

extension ServingMode: ExpressibleByArgument {}

/// A duration given as `2s`, `500ms` or `50us` on the command line.
struct Duration: ExpressibleByArgument {
    var seconds: Double

    init(seconds: Double) {
        self.seconds = seconds
    }

    /// The same span as a standard-library duration.
    var duration: Swift.Duration { .nanoseconds(Int64(seconds * 1e9)) }

    var defaultValueDescription: String {
        seconds >= 1 ? "\(Quantity.trimmed(seconds, digits: 3))s" : milliseconds(seconds)
    }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1)]
        for (suffix, factor) in units where argument.hasSuffix(suffix) {
            guard let value = Double(argument.dropLast(suffix.count)), value > 0 else { return nil }
            seconds = value * factor
            return
        }
        return nil
    }
}
