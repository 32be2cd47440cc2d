import ArgumentParser
import Catalogue
import Foundation
import PerfModel
import Simulator

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulated accelerators.",
        subcommands: [Serve.self]
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve an OpenAI-compatible streaming API whose token timing comes from the performance model.",
            discussion: """
                Endpoints: POST /v1/completions and /v1/chat/completions (stream or not, stream_options.include_usage, \
                token-ID or text prompts; text is counted in whitespace-separated words), GET /v1/models, GET /healthz. \
                Timing: continuous batching on the chip's deployment (prefill per joining prompt, decode steps \
                whose length depends on the batch; the KV cache bounds the batch), or --fixed-ttft/--fixed-tpot for \
                known values. Stops on Ctrl-C.
                """
        )

        @OptionGroup var catalogue: CatalogueOptions

        @Option(help: "Chip id to simulate (needed unless --fixed-ttft and --fixed-tpot are given).")
        var chip: String?

        @Option(help: "Model id from the catalogue (see `parity models list`).")
        var model: String = "llama-3.1-8b"

        @Option(help: "Tensor-parallel degree (default: the smallest deployment that fits).")
        var tp: Int?

        @Option(help: "Weight precision.")
        var precision: Precision = .bf16

        @Option(help: "Serving engine profile whose fitted efficiency scales apply (see engines.yaml).")
        var engine: String?

        @Option(
            name: .customLong("speculative-tokens"),
            help: "Speculative decoding / MTP: tokens proposed per step (default: none)."
        )
        var speculativeTokens: Int?

        @Option(
            name: .customLong("acceptance-length"),
            help: "Mean tokens emitted per speculative step, verified token included (default from engines.yaml)."
        )
        var acceptanceLength: Double?

        @Option(help: "Address to listen on (loopback by default).")
        var host: String = "127.0.0.1"

        @Option(help: "TCP port (0 picks a free one and prints it).")
        var port: Int = 8000

        @Option(help: "Multiplies every delay: 1 real time, 0.1 ten times faster.")
        var timeScale: Double = 1

        @Flag(help: "No delays at all: tokens as fast as the server can write them (measures client overhead).")
        var zeroDelay = false

        @Flag(help: "With --zero-delay: write each event apart instead of each response in one write.")
        var writePerEvent = false

        @Option(help: "Fixed time to first token for every request, e.g. 50ms (with --fixed-tpot).")
        var fixedTtft: Duration?

        @Option(help: "Fixed time per output token for every request, e.g. 10ms (with --fixed-ttft).")
        var fixedTpot: Duration?

        @Option(help: "Seed of the generated token text.")
        var seed: UInt64 = 0

        @Option(help: "Inject a fault for testing clients: http-500, drop, malformed, stall.")
        var fault: String?

        @Option(help: "Inject the fault into every n-th request.")
        var faultEvery: Int = 1

        @Option(help: "Model name reported to clients (default: the model id).")
        var servedName: String?

        func validate() throws {
            if (fixedTtft == nil) != (fixedTpot == nil) {
                throw ValidationError("give both --fixed-ttft and --fixed-tpot, or neither")
            }
            if fixedTtft == nil, chip == nil {
                throw ValidationError("--chip is required unless fixed timing is given")
            }
            if timeScale < 0 { throw ValidationError("--time-scale must not be negative") }
            if let speculativeTokens, speculativeTokens < 1 {
                throw ValidationError("--speculative-tokens must be at least 1")
            }
            if let acceptanceLength {
                guard let speculativeTokens else {
                    throw ValidationError("--acceptance-length needs --speculative-tokens")
                }
                guard acceptanceLength >= 1, acceptanceLength <= Double(speculativeTokens + 1) else {
                    throw ValidationError("--acceptance-length must lie between 1 and \(speculativeTokens + 1)")
                }
            }
            if let fault, Fault(rawValue: fault) == nil {
                throw ValidationError(
                    "--fault must be one of \(Fault.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
        }

        func run() async throws {
            let timing: Timing
            var description: String
            if let ttft = fixedTtft, let tpot = fixedTpot {
                timing = .fixed(ttft: ttft.seconds, tpot: tpot.seconds)
                description = "fixed TTFT \(milliseconds(ttft.seconds)), TPOT \(milliseconds(tpot.seconds))"
            } else {
                let resolved = try reportingErrors { () throws -> (PerformanceModel, String) in
                    let chips = try catalogue.loadChips()
                    let models = try catalogue.loadModels()
                    let chip = try chips.chip(self.chip ?? "")
                    let architecture = try models.model(model)
                    let profiles = try EngineProfiles.builtIn()
                    if let engine, !profiles.engines.contains(engine) {
                        throw ValidationError(
                            "unknown engine '\(engine)'; profiles exist for \(profiles.engines.joined(separator: ", "))"
                        )
                    }
                    let (profile, remark) = profiles.profile(engine: engine, chip: chip)
                    if let remark { Terminal.note("parity simulator: \(remark)") }
                    let activations = profile.activationPrecision(weights: precision)
                    let efficiency = profile.applied(
                        to: Efficiency.defaults(for: chip, precision: activations),
                        model: architecture
                    )
                    let perfModel: PerformanceModel
                    if let tp {
                        perfModel = try PerformanceModel(
                            profile.configure(
                                Deployment(
                                    chip: chip,
                                    model: architecture,
                                    tensorParallel: tp,
                                    weightPrecision: precision,
                                    efficiency: efficiency
                                )
                            )
                        )
                    } else {
                        perfModel = try Deployment.smallest(
                            chip: chip,
                            model: architecture,
                            weightPrecision: precision,
                            contextTokens: 4096,
                            minimumBatch: 1,
                            efficiency: efficiency,
                            profile: profile
                        )
                    }
                    let d = perfModel.deployment
                    return (
                        perfModel,
                        "\(architecture.id) on \(d.chipsPerReplica) × \(chip.name) (TP \(d.tensorParallel) × PP "
                            + "\(d.pipelineParallel), \(precision.rawValue)), continuous batching"
                    )
                }
                timing = .model(resolved.0)
                description = resolved.1
            }
            var speculation: Speculation?
            if let k = speculativeTokens {
                let modelled = try reportingErrors { try EngineProfiles.builtIn() }.acceptanceLength(
                    method: "mtp",
                    proposed: k
                )
                guard let length = acceptanceLength ?? modelled else {
                    throw ValidationError("engines.yaml has no MTP acceptance model; give --acceptance-length")
                }
                speculation = Speculation(draftTokens: k, acceptanceLength: length)
            }
            if let speculation {
                description +=
                    ", speculative \(speculation.draftTokens) tokens, acceptance \(speculation.acceptanceLength)"
            }
            let scale = zeroDelay ? 0 : timeScale
            if scale != 1 { description += ", time scale \(scale)" }
            let server = SimulatorServer(
                configuration: SimulatorConfiguration(
                    timing: timing,
                    servedModel: servedName ?? model,
                    timeScale: scale,
                    seed: seed,
                    fault: fault.flatMap(Fault.init(rawValue:)),
                    faultEvery: faultEvery,
                    speculation: speculation,
                    writePerEvent: writePerEvent
                )
            )
            let host = self.host
            let summary = description
            try await server.run(host: host, port: port, handleSignals: true) { bound in
                Terminal.note("parity simulator: \(summary); listening on http://\(host):\(bound) (Ctrl-C stops)")
            }
        }
    }
}
