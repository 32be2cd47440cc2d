import Catalogue
import Testing

@testable import Assessment

@Suite struct VerdictTests {
    func interval(_ lower: Double, _ upper: Double) -> Interval { Interval(lower: lower, upper: upper, level: 0.95) }

    @Test(arguments: [
        (0.95, 1.05, Verdict.comparable),
        (0.90, 1.10, .comparable),  // the band edges belong to the band
        (1.11, 1.40, .exceeds),
        (0.50, 0.89, .below),
        (0.85, 1.05, .inconclusive),  // crosses the lower edge
        (0.95, 1.20, .inconclusive),  // crosses the upper edge
        (0.50, 2.00, .inconclusive),  // crosses both
        (1.05, 1.50, .inconclusive),  // starts inside, ends above: not clearly one side
    ])
    func decidesOnTheWholeInterval(lower: Double, upper: Double, expected: Verdict) {
        #expect(Verdict.decide(interval: interval(lower, upper), tolerance: 0.10) == expected)
    }

    @Test func toleranceWidensTheBand() {
        let wide = interval(0.8, 1.2)
        #expect(Verdict.decide(interval: wide, tolerance: 0.10) == .inconclusive)
        #expect(Verdict.decide(interval: wide, tolerance: 0.25) == .comparable)
    }

    @Test func quantileInterpolatesLikeNumPy() {
        let sorted = [1.0, 2, 3, 4, 5]
        #expect(Interval.quantile(sorted, 0.5) == 3)
        #expect(Interval.quantile(sorted, 0.25) == 2)
        #expect(abs(Interval.quantile(sorted, 0.1) - 1.4) < 1e-12)
        var replicates = Array((1...1000).map(Double.init).reversed())
        let ci = Interval.percentile(&replicates, level: 0.95)
        #expect(abs(ci.lower - 25.975) < 1e-9)
        #expect(abs(ci.upper - 975.025) < 1e-9)
    }

    @Test func geometricMean() {
        #expect(abs(Assessor.geometricMean([2, 8]) - 4) < 1e-12)
        #expect(abs(Assessor.geometricMean([0.5, 2]) - 1) < 1e-12)
    }

    @Test func generatorIsReproducibleAndUniform() {
        var a = SeededGenerator(seed: 7)
        var b = SeededGenerator(seed: 7)
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        var c = SeededGenerator(seed: 8)
        #expect(first != (0..<5).map { _ in c.next() })
        var normal = SeededGenerator(seed: 1)
        let draws = (0..<20000).map { _ in normal.normal() }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(draws.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}
