import Catalogue
import Foundation
import Measure
import ParityTesting
import Store
import Testing

@testable import Assessment

/// Long checks run when `PARITY_TIMED_CHECKS=1` (as in ServerTests).
enum TimedChecks {
    static let enabled = ProcessInfo.processInfo.environment["PARITY_TIMED_CHECKS"] == "1"
}

/// An assessment over a store reads one summary row per chip × benchmark × precision instead of every row (issue
/// 20); its verdicts must equal those computed from every row.
@Suite struct SummaryEvidenceTests {
    static let candidate = Fixture.chip("cand", bf16: 400, bandwidth: 3)
    static let reference = Fixture.chip("ref", bf16: 150, bandwidth: 4, market: .chinaSpecific)

    /// `count` generated rows over three chips and four benchmark × precision groups, with noisy repetitions, some
    /// failed checks whose median is the highest of their group (they must never be picked), and two rows tied on
    /// the highest median with different repetitions (the smallest ID must win on both paths).
    static func rows(_ count: Int) -> [BenchmarkResult] {
        var generator = SeededGenerator(seed: 20)
        let chips = ["cand", "ref", "other"]
        let groups: [(BenchmarkResult.Benchmark, Precision?, String, Double)] = [
            (.gemm, .bf16, "FLOP/s", 3e14), (.gemm, .fp8, "FLOP/s", 6e14), (.streamTriad, nil, "B/s", 3e12),
            (.streamCopy, nil, "B/s", 3.2e12),
        ]
        var rows: [BenchmarkResult] = []
        rows.reserveCapacity(count + 2)
        for index in 0..<count {
            let chip = chips[index % chips.count]
            let (benchmark, precision, unit, base) = groups[(index / chips.count) % groups.count]
            let scale = (chip == "ref" ? 0.5 : 1) * (0.7 + 0.25 * generator.unit())
            let failed = index % 997 == 0
            let samples = (0..<5).map { _ in base * scale * (failed ? 3 : 1) * (1 + 0.02 * generator.normal()) }
            rows.append(
                BenchmarkResult(
                    id: String(format: "m-%07d", index),
                    chip: chip,
                    benchmark: benchmark,
                    precision: precision,
                    unit: unit,
                    samples: samples.map { max($0, 1) },
                    warmups: 1,
                    sizes: ["n": 8192],
                    backend: "test",
                    host: "host-\(index % 5_000)",
                    time: Date(timeIntervalSince1970: 1_790_000_000 + Double(index)),
                    check: failed ? .failed : .passed
                )
            )
        }
        // Two rows of the candidate's bf16 GEMM tied on a median above every passing row, with different spreads;
        // the later-measured one has the smaller ID.
        let top = 3e14 * 1.2
        for (id, samples, offset) in [("m-tie-b", [top * 0.9, top, top * 1.1], 0.0), ("m-tie-a", [top, top, top], 1)] {
            rows.append(
                BenchmarkResult(
                    id: id,
                    chip: "cand",
                    benchmark: .gemm,
                    precision: .bf16,
                    unit: "FLOP/s",
                    samples: samples,
                    warmups: 1,
                    sizes: ["n": 8192],
                    backend: "test",
                    time: Date(timeIntervalSince1970: 1_700_000_000 + offset),
                    check: .passed
                )
            )
        }
        return rows
    }

    static func options(measurements: [BenchmarkResult], groups: [MeasurementGroup] = []) -> AssessmentOptions {
        AssessmentOptions(
            candidates: [candidate],
            references: [reference],
            suite: Fixture.specSuite,
            resamples: 500,
            measurements: measurements,
            measurementGroups: groups,
            published: []
        )
    }

    static func check(count: Int, kind: StoreKind) async throws {
        let rows = Self.rows(count)
        try await StoreFixture.withStore(kind) { store in
            for start in stride(from: 0, to: rows.count, by: 5_000) {
                _ = try await store.importResults(Array(rows[start..<min(rows.count, start + 5_000)]))
            }
            let all = try await store.results(ResultFilter(evidenceOnly: true)).map(\.result)
            #expect(all.count == rows.count)
            let fromRows = try Assessor.run(options(measurements: all), models: Fixture.models())

            var offered = OfferedEvidence()
            try await offered.add(from: store)
            let fromSummaries = try Assessor.run(
                options(measurements: offered.measurements, groups: offered.groups),
                models: Fixture.models()
            )

            #expect(fromSummaries.comparisons == fromRows.comparisons)
            #expect(fromSummaries.evidence == fromRows.evidence)
            #expect(fromSummaries.comparisons.first?.verdict != nil)
            // Three chips × four groups, one offered row each; every row counted once.
            #expect(offered.groups.count == 12)
            #expect(offered.measurements.count == 12)
            #expect(offered.groups.reduce(0) { $0 + $1.rows } == rows.count)
            #expect(offered.groups.reduce(0) { $0 + $1.passing } == rows.filter { $0.check != .failed }.count)
            #expect(offered.groups.first { $0.chip == "cand" && $0.precision == .bf16 }?.offered == "m-tie-a")
            let bf16 = fromSummaries.evidence(chip: "cand", workload: "bf16-matmul")
            #expect(bf16?.provenance == .measured(resultID: "m-tie-a"))
            #expect(fromSummaries.measurementGroups == offered.groups)
            #expect(fromSummaries.measurements.count == 12)
            // The report cites groups, not rows: its size does not grow with the store.
            let encoder = JSONEncoder()
            encoder.dateEncodingStrategy = .iso8601
            let size = try encoder.encode(fromSummaries).count
            #expect(size < 150_000, "report.json of \(size) bytes for \(rows.count) rows")
        }
    }

    @Test(arguments: StoreKind.available)
    func verdictsFromSummariesEqualVerdictsFromEveryRow(kind: StoreKind) async throws {
        try await Self.check(count: 3_000, kind: kind)
    }

    @Test(.enabled(if: TimedChecks.enabled), arguments: StoreKind.available)
    func verdictsFromSummariesEqualVerdictsFromEveryRowOfAHundredThousand(kind: StoreKind) async throws {
        try await Self.check(count: 100_000, kind: kind)
    }

    @Test func theBootstrapKeepsAtMostAThousandEvenlyStridedRepetitions() {
        let short = (1...1_000).map(Double.init)
        #expect(Evidence.bounded(short) == short)
        let long = (0..<2_500).map(Double.init)
        let kept = Evidence.bounded(long)
        // Repetition ⌊i·2500/1000⌋ = ⌊2.5·i⌋: 0, 2, 5, 7, 10, …, and the last (i = 999) is ⌊2497.5⌋ = 2497.
        #expect(kept.count == 1_000)
        #expect(Array(kept.prefix(5)) == [0, 2, 5, 7, 10])
        #expect(kept.last == 2_497)
        #expect(Evidence.bounded([3, 1, 2], limit: 2) == [3, 1])
    }

    @Test func measuredEvidenceCarriesTheBoundedSample() throws {
        let samples = (1...4_000).map { 1e14 + Double($0) * 1e9 }
        let result = BenchmarkResult(
            id: "long-run",
            chip: "cand",
            benchmark: .gemm,
            precision: .bf16,
            unit: "FLOP/s",
            samples: samples,
            warmups: 0,
            sizes: [:],
            backend: "test",
            time: Date(timeIntervalSince1970: 1_790_000_000),
            check: .passed
        )
        var reference = result
        reference.id = "reference-run"
        reference.chip = "ref"
        reference.samples = [5e13, 5.1e13, 4.9e13]
        // Measured evidence is used when both sides of a pair have it.
        let assessment = try Assessor.run(
            Self.options(measurements: [result, reference]),
            models: Fixture.models()
        )
        let evidence = try #require(assessment.evidence(chip: "cand", workload: "bf16-matmul"))
        #expect(evidence.samples?.count == 1_000)
        #expect(evidence.samples?[1] == samples[4])
        #expect(evidence.value == result.median, "the figure is the full run's median; only the bootstrap is bounded")
        #expect(assessment.evidence(chip: "ref", workload: "bf16-matmul")?.samples == reference.samples)
    }
}
