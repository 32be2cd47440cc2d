import Catalogue
import Foundation
import Measure
public import PerfModel

/// A throughput–interactivity curve of one chip on one serving workload.
public struct ServingCurve: Sendable, Hashable, Codable {
    public var chip: String
    public var workload: String
    /// The deployment the curve was modelled on, e.g. `TP 2 × PP 1, bf16`.
    public var deployment: String
    public var points: [CurvePoint]
}

/// Turns a chip and a workload into evidence: catalogue figures, the performance model, or measurements.
struct Evaluator {
    var models: ModelCatalogue
    var uncertainty: Uncertainty
    var measurements: [String: [BenchmarkResult]]
    var servingResults: [String: [ServingInput]]
    var published: [String: [PublishedServingResult]]

    init(
        models: ModelCatalogue,
        uncertainty: Uncertainty,
        measurements: [BenchmarkResult],
        servingResults: [ServingInput] = [],
        published: [PublishedServingResult] = []
    ) {
        self.models = models
        self.uncertainty = uncertainty
        self.measurements = Dictionary(grouping: measurements) { $0.chip }
        self.servingResults = Dictionary(grouping: servingResults) { $0.measurement.chip }
        self.published = Dictionary(grouping: published) { $0.chip }
    }

    /// The strongest evidence `chip` has for a serving workload: its measured runs, then accepted vendor
    /// submissions, then published results, then the model calibrated from its own runs, then the model from
    /// specs. The curve is the model's, when the model was used.
    func strongestServing(_ chip: Chip, _ workload: Workload) throws(AssessmentError) -> (Evidence, ServingCurve?) {
        let runs = servingResults[chip.id] ?? []
        for tier in [EvidenceTier.measured, .submitted] {
            if let evidence = ServingMatcher.measured(runs, chip: chip, workload: workload, tier: tier) {
                return (evidence, nil)
            }
        }
        if let evidence = ServingMatcher.published(
            published[chip.id] ?? [],
            chip: chip,
            workload: workload,
            spread: uncertainty.published
        ) {
            return (evidence, nil)
        }
        if let calibration = try servingCalibration(chip) {
            let result = try servingPlan(
                chip,
                workload,
                efficiency: calibration.efficiency,
                calibratedFrom: calibration.resultIDs
            )
            var evidence = result.evidence
            evidence.tier = .modelledCalibrated
            evidence.source = "calibrated from \(calibration.resultIDs.joined(separator: ", "))"
            return (evidence, result.curve)
        }
        return try serving(chip, workload)
    }

    /// The model's efficiency scaled so that it reproduces the chip's best-documented measured run (accepted
    /// submissions count too): the ratio of measured to predicted throughput for that run's own scenario.
    func servingCalibration(_ chip: Chip) throws(AssessmentError) -> Calibration? {
        let runs = (servingResults[chip.id] ?? []).sorted { ($0.tier, $0.reference) < ($1.tier, $1.reference) }
        for run in runs {
            let m = run.measurement
            guard m.deployment.mode == .aggregated, (try? models.model(m.scenario.model)) != nil else { continue }
            let scenario = Workload.serving(
                id: "calibration",
                title: "calibration",
                model: m.scenario.model,
                precision: m.scenario.weightPrecision,
                inputTokens: max(1, Int(m.scenario.input.mean.rounded())),
                outputTokens: max(1, Int(m.scenario.output.mean.rounded())),
                limits: ServiceLimits(
                    ttftSeconds: (m.metrics.ttft.medianMilliseconds ?? m.metrics.ttft.meanMilliseconds) / 1000 * 1.05,
                    tpotSeconds: (m.metrics.tpot.medianMilliseconds ?? m.metrics.tpot.meanMilliseconds) / 1000 * 1.05
                )
            )
            let predicted = try servingPlan(chip, scenario).evidence.value
            guard predicted > 0 else { continue }
            return Calibration.fromServing(
                measuredThroughput: m.outputTokensPerSecondPerChip,
                predictedThroughput: predicted,
                resultIDs: [run.reference]
            )
        }
        return nil
    }

    func sigma(estimated: Bool) -> Double {
        estimated ? uncertainty.estimate : uncertainty.spec
    }

    /// Evidence from one catalogue figure.
    func figure(_ chip: Chip, field: String, _ sourced: Sourced<Double>?, note: String? = nil) -> Evidence? {
        guard let sourced, sourced.value > 0 else { return nil }
        let estimated = sourced.provenance.isEstimate
        return Evidence(
            value: sourced.value,
            provenance: sourced.provenance,
            inputs: ["\(chip.id)/\(field)"],
            estimatedInputs: estimated ? ["\(chip.id)/\(field)"] : [],
            sigma: sigma(estimated: estimated),
            note: [sourced.note, note].compactMap { $0 }.joined(separator: "; ").nonEmpty
        )
    }

    func spec(_ chip: Chip, _ workload: Workload) -> Evidence? {
        switch workload.metric {
        case .denseThroughput:
            guard let precision = workload.precision else { return nil }
            if let exact = chip.densePeak[precision] {
                return figure(chip, field: "dense.\(precision.rawValue)", exact)
            }
            guard let fallback = chip.denseThroughput(for: precision),
                let used = Precision.allCases.first(where: { chip.densePeak[$0] == fallback })
            else { return nil }
            return figure(
                chip,
                field: "dense.\(used.rawValue)",
                fallback,
                note: "no \(precision.rawValue) figure; \(used.rawValue) used"
            )
        case .eightBitThroughput:
            let candidates = [Precision.fp8, .int8].compactMap { p in chip.densePeak[p].map { (p, $0) } }
            if let best = candidates.max(by: { $0.1.value < $1.1.value }) {
                return figure(chip, field: "dense.\(best.0.rawValue)", best.1)
            }
            guard let bf16 = chip.denseThroughput(for: .bf16) else { return nil }
            return figure(chip, field: "dense.bf16", bf16, note: "no 8-bit matrix path; bf16 rate used")
        case .memoryBandwidth:
            return figure(chip, field: "memory.bandwidth", chip.memory.bandwidthBytesPerSecond)
        case .memoryCapacity:
            return figure(chip, field: "memory.capacity", chip.memory.capacityBytes)
        case .scaleUpBandwidth:
            return figure(chip, field: "scale_up.bandwidth", chip.scaleUp?.bandwidthBytesPerSecond)
        case nil:
            return nil
        }
    }

    /// Measured evidence for a spec workload, where the chip has matching measurements.
    func measured(_ chip: Chip, _ workload: Workload) -> Evidence? {
        guard workload.kind == .spec, let records = measurements[chip.id] else { return nil }
        let matching: [BenchmarkResult]
        switch workload.metric {
        case .denseThroughput:
            matching = records.filter { $0.benchmark == .gemm && $0.precision == workload.precision }
        case .eightBitThroughput:
            matching = records.filter { $0.benchmark == .gemm && ($0.precision == .fp8 || $0.precision == .int8) }
        case .memoryBandwidth:
            matching = records.filter { $0.benchmark == .streamTriad || $0.benchmark == .streamCopy }
        default:
            matching = []
        }
        guard let best = Self.best(matching.filter { $0.check != .failed }) else { return nil }
        return Evidence(
            value: best.median,
            provenance: .measured(resultID: best.id),
            sigma: 0,
            samples: Evidence.bounded(best.samples),
            note: "\(best.benchmark.rawValue)\(best.precision.map { " " + $0.rawValue } ?? "") on "
                + "\(best.device?.name ?? chip.id) via \(best.backend), \(best.repetitions) repetitions"
        )
    }

    /// The strongest of `results`: the highest median, ties to the smallest ID — the row a store's summary offers
    /// for its group (`MeasurementSummary`), so that evidence from summaries equals evidence from every row.
    static func best(_ results: [BenchmarkResult]) -> BenchmarkResult? {
        results.max { $0.median < $1.median || ($0.median == $1.median && $0.id > $1.id) }
    }

    /// Modelled serving throughput per chip under the workload's limits, and its curve.
    func serving(_ chip: Chip, _ workload: Workload) throws(AssessmentError) -> (Evidence, ServingCurve?) {
        let result = try servingPlan(chip, workload)
        return (result.evidence, result.curve)
    }

    struct ServingResult {
        var evidence: Evidence
        var curve: ServingCurve?
        var plan: PlannedDeployment?
    }

    /// As `serving`, with the chosen deployment; `efficiency` (e.g. calibrated from measurements) replaces the
    /// defaults and `calibratedFrom` names the measurements behind it.
    func servingPlan(
        _ chip: Chip,
        _ workload: Workload,
        efficiency: Efficiency? = nil,
        calibratedFrom: [String] = []
    ) throws(AssessmentError) -> ServingResult {
        guard let modelID = workload.model, let input = workload.inputTokens, let output = workload.outputTokens,
            let requested = workload.precision
        else {
            throw .invalidWorkload(workload.id, "a serving workload needs a model, token counts and a precision")
        }
        let model: ModelArch
        do {
            model = try models.model(modelID)
        } catch {
            throw .invalidWorkload(workload.id, "\(error)")
        }
        let limits = workload.limits ?? Workload.defaultLimits
        var notes: [String] = []
        var precision = requested
        if chip.densePeak[requested] == nil {
            precision = .bf16
            notes.append("no \(requested.rawValue) support; served with bf16 weights")
        }
        var inputs = ["memory.bandwidth", "memory.capacity"]
        // A chip without the precision or a wider one (an fp8/fp4-only part asked for bf16) has no figure to cite;
        // comparing nil with nil would cite a figure the chip does not have.
        if let throughput = chip.denseThroughput(for: precision),
            let used = Precision.allCases.first(where: { chip.densePeak[$0] == throughput })
        {
            inputs.append("dense.\(used.rawValue)")
        }
        let planned: PlannedDeployment
        do {
            planned = try Deployment.best(
                chip: chip,
                model: model,
                weightPrecision: precision,
                inputTokens: input,
                outputTokens: output,
                limits: limits,
                efficiency: efficiency
            )
        } catch {
            notes.append("\(error)")
            return ServingResult(
                evidence: Evidence(
                    value: 0,
                    provenance: .modelled(model: PerformanceModel.version, assumptions: "no deployment fits"),
                    inputs: inputs.map { "\(chip.id)/\($0)" },
                    sigma: 0,
                    note: notes.joined(separator: "; ")
                ),
                curve: nil,
                plan: nil
            )
        }
        let deployment = planned.model.deployment
        var assumed: [String] = []
        if deployment.chipsPerReplica > 1 {
            if chip.scaleUp?.bandwidthBytesPerSecond != nil {
                inputs.append("scale_up.bandwidth")
            } else {
                assumed.append("scale-up bandwidth: none in the catalogue; PCIe-class 64 GB/s assumed")
            }
        }
        var limited = planned.throughput
        switch workload.servingMode {
        case .aggregated: break
        case .decodeOnly:
            // A decode instance: the layout chosen for aggregated serving, its decode steps uninterrupted by
            // prefills (they run elsewhere).
            limited = planned.model.bestThroughput(
                inputTokens: input,
                outputTokens: output,
                limits: limits,
                disaggregated: true
            )
            notes.append("decode instance modelled on the aggregated layout")
        case .prefillOnly:
            notes.append("prefill instance: input tokens per second per chip")
        }
        let figures: [String: Provenance?] = [
            "memory.bandwidth": chip.memory.bandwidthBytesPerSecond.provenance,
            "memory.capacity": chip.memory.capacityBytes.provenance,
            "scale_up.bandwidth": chip.scaleUp?.bandwidthBytesPerSecond?.provenance,
        ]
        let estimated = inputs.filter { field in
            if field.hasPrefix("dense.") {
                return chip.denseThroughput(for: precision)?.provenance.isEstimate ?? true
            }
            return figures[field]??.isEstimate ?? true
        }
        let shape =
            "TP \(deployment.tensorParallel) × PP \(deployment.pipelineParallel), \(precision.rawValue) weights"
        let efficiency = deployment.efficiency
        var assumptions =
            "\(shape); \(input) in / \(output) out; \(limits.summary); efficiency matrix "
            + "\(efficiency.matrix), memory \(efficiency.memory), interconnect \(efficiency.interconnect)"
        if !calibratedFrom.isEmpty {
            assumptions += "; efficiency calibrated from measurements \(calibratedFrom.joined(separator: ", "))"
        }
        if let best = limited.best {
            assumptions += "; batch \(best.batch), decode \(best.decodeBound.rawValue)-bound"
        } else if workload.servingMode != .prefillOnly {
            notes.append("no batch size meets \(limits.summary)")
        }
        let value =
            workload.servingMode == .prefillOnly
            ? planned.model.prefillThroughput(inputTokens: input)
            : limited.best?.outputTokensPerSecondPerChip ?? 0
        let sigmaInputs = estimated.isEmpty && assumed.isEmpty ? 0 : uncertainty.estimate
        return ServingResult(
            evidence: Evidence(
                value: value,
                provenance: .modelled(model: PerformanceModel.version, assumptions: assumptions),
                inputs: inputs.map { "\(chip.id)/\($0)" },
                estimatedInputs: estimated.map { "\(chip.id)/\($0)" },
                assumedInputs: assumed,
                sigma: (pow(uncertainty.modelled(for: model), 2) + sigmaInputs * sigmaInputs).squareRoot(),
                note: notes.isEmpty ? nil : notes.joined(separator: "; ")
            ),
            curve: ServingCurve(chip: chip.id, workload: workload.id, deployment: shape, points: limited.curve),
            plan: planned
        )
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
