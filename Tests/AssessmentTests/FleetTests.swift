import Catalogue
import Foundation
import PerfModel
import Testing

@testable import Assessment

@Suite struct FleetTests {
    /// Ideal efficiency and no fixed costs: decode time is bytes moved ÷ bandwidth, exactly.
    static let ideal = Efficiency(
        matrix: 1,
        memory: 1,
        interconnect: 1,
        collectiveLatencySeconds: 0,
        stepOverheadSeconds: 0,
        moeImbalance: 1,
        provenance: .estimate(reason: "test")
    )

    func chip(_ id: String, bandwidth: Double, memory: Double, domain: Int = 8, tdp: Double = 500) -> Chip {
        let spec = Provenance.spec(source: "https://example.test/\(id)")
        return Chip(
            id: id,
            vendor: "Test",
            name: id,
            market: .domesticChina,
            memory: Chip.Memory(
                type: nil,
                capacityBytes: Sourced(memory * 1e9, spec),
                bandwidthBytesPerSecond: Sourced(bandwidth * 1e12, spec),
                stacks: nil
            ),
            // Compute so high that decode and prefill are memory-bound.
            densePeak: [.bf16: Sourced(1e18, spec)],
            tdpWatts: Sourced(tdp, spec),
            scaleUp: Chip.ScaleUp(
                name: nil,
                // Effectively free collectives inside the domain.
                bandwidthBytesPerSecond: Sourced(1e30, spec),
                domainSize: Sourced(domain, spec)
            ),
            priceUSD: Sourced(10_000, spec)
        )
    }

    func workload(limits: ServiceLimits = ServiceLimits()) -> Workload {
        .serving(
            id: "serve-8b",
            title: "8B",
            model: "llama-3.1-8b",
            precision: .bf16,
            inputTokens: 2048,
            outputTokens: 256,
            limits: limits
        )
    }

    @Test func memoryBoundDecodeScalesWithBandwidth() throws {
        // Same memory, half the bandwidth: every step takes twice as long at the same batch, so twice the chips.
        let fast = chip("fast", bandwidth: 4, memory: 96)
        let slow = chip("slow", bandwidth: 2, memory: 96)
        let plan = try Fleet.plan(
            FleetQuery(current: fast, count: 1000, replacement: slow, workload: workload(), efficiency: Self.ideal),
            models: ModelCatalogue.load()
        )
        #expect(plan.replacement.chips == 2000)
        #expect(abs(plan.current.throughputPerChip.value / plan.replacement.throughputPerChip.value - 2) < 1e-6)
        #expect(plan.ratio == 2)
        #expect(plan.interval.contains(2000))
        // Power: 2000 × 500 W × 1.3 = 1,300 kW, 33 racks of 40 kW; servers: 2000 / 8.
        #expect(plan.replacement.powerKilowatts == 1300)
        #expect(plan.replacement.racks == 33)
        #expect(plan.replacement.servers == 250)
        #expect(plan.replacement.costUSD == 20_000_000)
    }

    @Test func aModelThatNeedsTwoChipsIsCountedInWholeReplicas() throws {
        // 8B in bf16 is 16 GB of weights: a 12 GB chip needs TP 2, so the fleet is a whole number of pairs.
        let big = chip("big", bandwidth: 4, memory: 96)
        let small = chip("small", bandwidth: 4, memory: 12)
        let plan = try Fleet.plan(
            FleetQuery(current: big, count: 999, replacement: small, workload: workload(), efficiency: Self.ideal),
            models: ModelCatalogue.load()
        )
        #expect(plan.replacement.chipsPerReplica >= 2)
        #expect(plan.replacement.chips % plan.replacement.chipsPerReplica == 0)
        #expect(plan.replacement.replicas * plan.replacement.chipsPerReplica == plan.replacement.chips)
        // Less room for KV cache per chip means smaller batches: more chips than the current fleet.
        #expect(plan.replacement.chips > 999)
    }

    @Test func aModelThatNoLongerFitsIsReported() throws {
        let big = chip("big", bandwidth: 4, memory: 96)
        let tiny = chip("tiny", bandwidth: 4, memory: 0.1, domain: 1)
        #expect {
            try Fleet.plan(
                FleetQuery(current: big, count: 100, replacement: tiny, workload: workload(), efficiency: Self.ideal),
                models: ModelCatalogue.load()
            )
        } throws: { error in
            guard case FleetError.cannotServe(let id, let reason) = error else { return false }
            return id == "tiny" && reason.contains("does not fit")
        }
    }

    @Test func estimatesWidenTheInterval() throws {
        let chips = try ChipCatalogue.load()
        let models = try ModelCatalogue.load()
        let limits = ServiceLimits(ttftSeconds: 2, tpotSeconds: 0.05)
        let sourced = try Fleet.plan(
            FleetQuery(
                current: try chips.chip("h20"),
                count: 1000,
                replacement: try chips.chip("h100-sxm"),
                workload: workload(limits: limits)
            ),
            models: models
        )
        let estimated = try Fleet.plan(
            FleetQuery(
                current: try chips.chip("h20"),
                count: 1000,
                replacement: try chips.chip("ascend-910b"),
                workload: workload(limits: limits)
            ),
            models: models
        )
        func relativeWidth(_ plan: FleetPlan) -> Double {
            Double(plan.interval.upperBound - plan.interval.lowerBound) / Double(plan.replacement.chips)
        }
        #expect(sourced.interval.contains(sourced.replacement.chips))
        #expect(relativeWidth(estimated) > relativeWidth(sourced))
    }
}
