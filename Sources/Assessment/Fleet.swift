public import Catalogue
import Foundation
public import Measure
public import PerfModel

/// What a fleet of one chip needs to match another's serving capacity.
public struct FleetQuery: Sendable {
    public var current: Chip
    public var count: Int
    public var replacement: Chip
    public var workload: Workload
    /// Accelerators per server (8 for HGX-class and most Ascend servers).
    public var chipsPerServer: Int
    /// Host power (CPUs, NICs, fans) as a fraction of accelerator power.
    public var hostOverhead: Double
    /// Power budget of one rack, in kW.
    public var rackKilowatts: Double
    public var measurements: [BenchmarkResult]
    /// Serving runs; a chip with one gets its model calibrated from it (preferred to micro-benchmarks).
    public var servingResults: [ServingInput]
    public var level: Double
    public var resamples: Int
    public var seed: UInt64
    /// Efficiency used instead of the defaults (tests; calibrated runs use `measurements`).
    public var efficiency: Efficiency?

    public init(
        current: Chip,
        count: Int,
        replacement: Chip,
        workload: Workload,
        chipsPerServer: Int = 8,
        hostOverhead: Double = 0.3,
        rackKilowatts: Double = 40,
        measurements: [BenchmarkResult] = [],
        servingResults: [ServingInput] = [],
        level: Double = 0.95,
        resamples: Int = 2000,
        seed: UInt64 = 42,
        efficiency: Efficiency? = nil
    ) {
        self.current = current
        self.count = count
        self.replacement = replacement
        self.workload = workload
        self.chipsPerServer = chipsPerServer
        self.hostOverhead = hostOverhead
        self.rackKilowatts = rackKilowatts
        self.measurements = measurements
        self.servingResults = servingResults
        self.level = level
        self.resamples = resamples
        self.seed = seed
        self.efficiency = efficiency
    }
}

public struct FleetSide: Sendable, Hashable, Codable {
    public var chip: String
    public var name: String
    public var chips: Int
    /// e.g. `TP 4 × PP 1, bf16 weights`.
    public var deployment: String
    public var chipsPerReplica: Int
    public var replicas: Int
    public var throughputPerChip: Evidence
    /// Output tokens per second of the whole fleet under the limits.
    public var capacity: Double
    public var servers: Int
    public var powerKilowatts: Double?
    public var racks: Int?
    public var costUSD: Double?
    /// Where the price comes from, when known.
    public var price: Provenance?
}

public struct FleetPlan: Sendable, Hashable, Codable {
    public static let currentSchema = "parity.fleet/1"
    public var schema = currentSchema
    public var workload: Workload
    public var current: FleetSide
    public var replacement: FleetSide
    /// Replacement chips for the same capacity: point estimate and interval.
    public var interval: ClosedRange<Int>
    public var level: Double
    /// Replacement chips per current chip.
    public var ratio: Double
    public var assumptions: [String]
}

public enum FleetError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotServe(chip: String, reason: String)
    case invalid(String)

    public var description: String {
        switch self {
        case .cannotServe(let chip, let reason): "\(chip) cannot serve this workload: \(reason)"
        case .invalid(let message): message
        }
    }
}

/// Fleet equivalence: how many of one chip deliver the serving capacity of N of another.
public enum Fleet {
    public static func plan(_ query: FleetQuery, models: ModelCatalogue) throws -> FleetPlan {
        guard query.count >= 1 else { throw FleetError.invalid("the current fleet needs at least one chip") }
        guard query.workload.kind == .serving else { throw FleetError.invalid("fleet sizing needs a serving workload") }
        guard query.chipsPerServer >= 1, query.rackKilowatts > 0, query.hostOverhead >= 0 else {
            throw FleetError.invalid("chips per server, rack power and host overhead must be positive")
        }
        let evaluator = Evaluator(
            models: models,
            uncertainty: Uncertainty(),
            measurements: query.measurements,
            servingResults: query.servingResults
        )
        var assumptions = [
            "\(query.chipsPerServer) accelerators per server",
            "host power \(Int(query.hostOverhead * 100)) % of accelerator TDP",
            "\(Quantity.trimmed(query.rackKilowatts, digits: 1)) kW per rack",
        ]
        func side(_ chip: Chip) throws -> (Evaluator.ServingResult, PlannedDeployment) {
            var (efficiency, ids) = try calibration(
                for: chip,
                workload: query.workload,
                measurements: query.measurements
            )
            if let serving = try evaluator.servingCalibration(chip) {
                (efficiency, ids) = (serving.efficiency, serving.resultIDs)
            }
            let result = try evaluator.servingPlan(
                chip,
                query.workload,
                efficiency: efficiency ?? query.efficiency,
                calibratedFrom: ids
            )
            if !ids.isEmpty {
                assumptions.append("\(chip.id): efficiency calibrated from \(ids.joined(separator: ", "))")
            }
            guard let plan = result.plan, result.evidence.value > 0 else {
                throw FleetError.cannotServe(
                    chip: chip.id,
                    reason: result.evidence.note ?? "no deployment meets the limits"
                )
            }
            return (result, plan)
        }
        let (currentResult, currentPlan) = try side(query.current)
        let (replacementResult, replacementPlan) = try side(query.replacement)
        let currentPerReplica = currentPlan.model.deployment.chipsPerReplica
        let replacementPerReplica = replacementPlan.model.deployment.chipsPerReplica
        let currentReplicas = Int((Double(query.count) / Double(currentPerReplica)).rounded(.up))
        let currentChips = currentReplicas * currentPerReplica
        if currentChips != query.count {
            assumptions.append(
                "\(query.count) \(query.current.id) rounded up to \(currentChips) (whole replicas of \(currentPerReplica))"
            )
        }
        func needed(current: Double, replacement: Double) -> Int {
            let capacity = Double(currentChips) * current
            let replicas = (capacity / (replacement * Double(replacementPerReplica)) - 1e-9).rounded(.up)
            return max(1, Int(replicas)) * replacementPerReplica
        }
        let a = currentResult.evidence
        let b = replacementResult.evidence
        let point = needed(current: a.value, replacement: b.value)
        var generator = SeededGenerator(
            seed: query.seed ^ Assessor.stableHash("\(query.current.id)/\(query.replacement.id)/\(query.workload.id)")
        )
        var draws = (0..<query.resamples).map { _ in
            Double(needed(current: a.draw(using: &generator), replacement: b.draw(using: &generator)))
        }
        let interval = Interval.percentile(&draws, level: query.level)
        let lower = Int(interval.lower.rounded(.down))
        let upper = Int(interval.upper.rounded(.up))
        return FleetPlan(
            workload: query.workload,
            current: fleetSide(
                query.current,
                chips: currentChips,
                result: currentResult,
                plan: currentPlan,
                query: query
            ),
            replacement: fleetSide(
                query.replacement,
                chips: point,
                result: replacementResult,
                plan: replacementPlan,
                query: query
            ),
            interval: min(lower, point)...max(upper, point),
            level: query.level,
            ratio: Double(point) / Double(currentChips),
            assumptions: assumptions
        )
    }

    static func fleetSide(
        _ chip: Chip,
        chips: Int,
        result: Evaluator.ServingResult,
        plan: PlannedDeployment,
        query: FleetQuery
    ) -> FleetSide {
        let deployment = plan.model.deployment
        let servers = Int((Double(chips) / Double(query.chipsPerServer)).rounded(.up))
        let power = chip.tdpWatts.map { Double(chips) * $0.value * (1 + query.hostOverhead) / 1000 }
        return FleetSide(
            chip: chip.id,
            name: chip.name,
            chips: chips,
            deployment: "TP \(deployment.tensorParallel) × PP \(deployment.pipelineParallel), "
                + "\(deployment.weightPrecision.rawValue) weights",
            chipsPerReplica: deployment.chipsPerReplica,
            replicas: chips / deployment.chipsPerReplica,
            throughputPerChip: result.evidence,
            capacity: Double(chips) * result.evidence.value,
            servers: servers,
            powerKilowatts: power,
            racks: power.map { Int(($0 / query.rackKilowatts).rounded(.up)) },
            costUSD: chip.priceUSD.map { Double(chips) * $0.value },
            price: chip.priceUSD?.provenance
        )
    }

    /// Efficiency from the chip's matrix and bandwidth measurements, when there are any.
    static func calibration(
        for chip: Chip,
        workload: Workload,
        measurements: [BenchmarkResult]
    ) throws -> (Efficiency?, [String]) {
        let own = measurements.filter { $0.chip == chip.id && $0.check != .failed }
        let precision = workload.precision ?? .bf16
        let gemm = Evaluator.best(own.filter { $0.benchmark == .gemm && $0.precision == precision })
        let stream = Evaluator.best(own.filter { $0.benchmark == .streamTriad || $0.benchmark == .streamCopy })
        guard gemm != nil || stream != nil else { return (nil, []) }
        let ids = [gemm?.id, stream?.id].compactMap { $0 }
        let calibration = try Calibration.fromMicroBenchmarks(
            chip: chip,
            precision: precision,
            measuredFLOPS: gemm?.median,
            measuredBandwidthBytesPerSecond: stream?.median,
            resultIDs: ids,
            base: .defaults(for: chip, precision: precision)
        )
        return (calibration.efficiency, ids)
    }
}
