import Catalogue
import Foundation

/// Why a published row cannot be expressed by the model.
public struct Unexpressible: Error, Sendable, Hashable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// A published row translated into the model's terms: deployments, load and metric, with the assumptions that
/// filled the row's gaps. `predict(compute:memory:)` evaluates it at given engine scales.
struct ValidationCase: Sendable {
    enum Load: Sendable {
        /// Concurrent sequences per replica.
        case batch(Int)
        /// The best batch under limits (none: the maximum throughput).
        case limits(ServiceLimits)
        /// A closed loop of this many clients over the whole deployment (waves).
        case concurrency(Int)
    }

    enum Shape: Sendable {
        case aggregated(Deployment, replicas: Int)
        case decodeOnly(Deployment)
        case prefillOnly(Deployment)
        case disaggregated(prefill: Deployment, prefillReplicas: Int, decode: Deployment, decodeReplicas: Int)
    }

    var row: PublishedServingResult
    var shape: Shape
    var load: Load
    var inputTokens: Int
    var outputTokens: Int
    var speculation: Speculation?
    /// Squared coefficient of variation of the workload's output lengths (`PerformanceModel.predict`'s
    /// `outputLengthCV2`); aggregated and decode-only shapes use it, disaggregated pairs do not.
    var outputLengthCV2: Double = 0
    var profile: EngineProfile
    /// The engine's cap on running sequences per attention-DP rank and pipeline micro-batch, where the row's
    /// benchmark sets one the model must follow (`TRTLLMBenchSettings`); nil: the KV capacity alone.
    var maxBatchPerRank: Int? = nil
    var remarks: [String]
    var regimes: [String: String]

    /// The group whose rows fit the engine scales used for this row: the engine profile and the architecture
    /// (an engine's MoE path — grouped GEMMs, expert dispatch — is not its dense path).
    var fitGroup: String { profile.id + "/" + (regimes["architecture"] ?? "dense") }

    /// The group whose fit a profile's fit is pulled towards: the chip vendor and the architecture.
    var vendorGroup: String { (regimes["vendor"] ?? "") + "/" + (regimes["architecture"] ?? "dense") }

    /// Requests arrive as a Poisson stream (MLPerf's server and interactive scenarios: LoadGen issues queries at
    /// exponentially distributed intervals at the target rate), so each waits for the iteration in progress.
    var poissonArrivals: Bool { row.scenario == "server" || row.scenario == "interactive" }

    /// The row's metric predicted with the base efficiency scaled by `compute` and `memory`.
    func predict(compute: Double, memory: Double) -> Double? {
        func model(_ deployment: Deployment) -> PerformanceModel? {
            var scaled = deployment
            scaled.efficiency = deployment.efficiency.scaled(compute: compute, memory: memory, profile: profile.id)
            return try? PerformanceModel(scaled)
        }
        let prediction: Prediction
        switch shape {
        case .prefillOnly(let deployment):
            guard let perf = model(deployment) else { return nil }
            let throughput = perf.prefillThroughput(inputTokens: inputTokens)
            switch row.metric {
            case .totalTokensPerSecondPerChip: return throughput
            case .ttftMilliseconds:
                return perf.predict(batch: 1, inputTokens: inputTokens, outputTokens: 1).prefillSeconds * 1000
            default: return nil
            }
        case .disaggregated(let prefill, let prefillReplicas, let decode, let decodeReplicas):
            guard let p = model(prefill), let d = model(decode),
                let pair = try? DisaggregatedModel(
                    prefill: p,
                    prefillReplicas: prefillReplicas,
                    decode: d,
                    decodeReplicas: decodeReplicas
                )
            else { return nil }
            switch load {
            case .concurrency(let clients):
                prediction = pair.predict(
                    concurrency: clients,
                    inputTokens: inputTokens,
                    outputTokens: outputTokens,
                    speculation: speculation,
                    prompts: row.prompts,
                    requestRate: row.requestRate
                )
            case .batch(let batch):
                prediction = pair.predict(
                    concurrency: batch * decodeReplicas,
                    inputTokens: inputTokens,
                    outputTokens: outputTokens,
                    speculation: speculation
                )
            case .limits:
                return nil
            }
        case .aggregated(let deployment, let replicas):
            guard let perf = model(deployment), let single = instance(perf, replicas: replicas, decodeOnly: false)
            else { return nil }
            prediction = single
        case .decodeOnly(let deployment):
            guard let perf = model(deployment), let single = instance(perf, replicas: nil, decodeOnly: true)
            else { return nil }
            prediction = single
        }
        return Self.metric(row.metric, of: prediction, outputTokens: outputTokens)
    }

    /// One aggregated or decode-only instance under the row's load: a fixed batch, the best batch under limits, or
    /// (aggregated only) a closed loop of clients over `replicas`.
    func instance(_ perf: PerformanceModel, replicas: Int?, decodeOnly: Bool) -> Prediction? {
        switch load {
        case .batch(let batch):
            return perf.predict(
                batch: batch,
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                disaggregated: decodeOnly,
                speculation: speculation,
                outputLengthCV2: outputLengthCV2
            )
        case .limits(let limits):
            let best = perf.bestThroughput(
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                limits: limits,
                maxBatchCapPerRank: maxBatchPerRank.map { $0 * perf.deployment.pipelineParallel } ?? 4096,
                disaggregated: decodeOnly,
                speculation: speculation,
                poissonArrivals: poissonArrivals,
                outputLengthCV2: outputLengthCV2
            ).best
            return best
        case .concurrency(let clients):
            guard let replicas else { return nil }
            return perf.closedLoop(
                concurrency: clients,
                replicas: replicas,
                inputTokens: inputTokens,
                outputTokens: outputTokens,
                speculation: speculation,
                maxRunning: profile.maxRunningSequences(on: perf.deployment.chip),
                outputLengthCV2: outputLengthCV2
            )
        }
    }

    static func metric(_ metric: PublishedServingResult.Metric, of prediction: Prediction, outputTokens: Int) -> Double
    {
        switch metric {
        case .outputTokensPerSecondPerChip: prediction.outputTokensPerSecondPerChip
        case .totalTokensPerSecondPerChip: prediction.totalTokensPerSecondPerChip
        case .ttftMilliseconds: prediction.ttftSeconds * 1000
        case .tpotMilliseconds: prediction.tpotSeconds * 1000
        case .e2eLatencyMilliseconds:
            (prediction.ttftSeconds + prediction.tpotSeconds * Double(max(0, outputTokens - 1))) * 1000
        }
    }
}
