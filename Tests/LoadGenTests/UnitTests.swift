import Foundation
import NIOCore
import Testing

@testable import LoadGen

@Suite struct SSEParserTests {
    @Test func splitsEventsAcrossBuffers() {
        var parser = SSEParser()
        var events = parser.feed(ByteBuffer(string: "data: {\"a\":1}\n\nda"))
        #expect(events.count == 1)
        events = parser.feed(ByteBuffer(string: "ta: {\"b\":2}\r\n\r\ndata: [DONE]\n\n"))
        #expect(events.count == 2)
        if case .data(let payload) = events[0] { #expect(String(decoding: payload, as: UTF8.self) == "{\"b\":2}") }
        if case .done = events[1] {} else { Issue.record("expected [DONE]") }
        #expect(!parser.hasUnterminatedData)
    }

    @Test func recognisesErrorEventsAndUnterminatedData() {
        var parser = SSEParser()
        let events = parser.feed(ByteBuffer(string: "event: error\ndata: overloaded\n\ndata: {\"x\""))
        guard case .error(let message) = events.first else {
            Issue.record("expected an error event")
            return
        }
        #expect(message == "overloaded")
        #expect(parser.hasUnterminatedData)
    }
}

@Suite struct MetricsTests {
    func record(_ index: Int, ttft: Double, itl: [Double], tokens: Int) -> RequestRecord {
        RequestRecord(
            index: index,
            start: Double(index),
            ttft: ttft,
            itl: itl,
            latency: ttft + itl.reduce(0, +),
            promptTokens: 10,
            outputTokens: tokens,
            chunks: itl.count + 1,
            tokenCountSource: .serverUsage,
            success: true,
            failure: nil,
            error: nil
        )
    }

    @Test func definitionsFollowVLLM() {
        // TTFT 100 ms, then 4 gaps of 10, 20, 30, 40 ms: latency 200 ms, 5 tokens → TPOT (200 − 100) / 4 = 25 ms.
        let r = record(0, ttft: 0.1, itl: [0.01, 0.02, 0.03, 0.04], tokens: 5)
        #expect(abs((r.tpot ?? 0) - 0.025) < 1e-12)
        let m = ServingMetrics(records: [r], duration: 1, percentiles: [50, 99], goodput: nil)
        #expect(abs(m.ttft.median - 100) < 1e-9)
        #expect(abs(m.itl.mean - 25) < 1e-9)
        #expect(abs(m.itl.median - 25) < 1e-9)
        #expect(abs(m.e2el.median - 200) < 1e-9)
        #expect(m.totalOutputTokens == 5 && m.totalInputTokens == 10)
        #expect(abs(m.outputThroughput - 5) < 1e-12)
    }

    @Test func percentilesInterpolateLikeNumPy() {
        let summary = Summary([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], percentiles: [90, 99, 99.9])
        #expect(abs(summary.percentiles[90]! - 9.1) < 1e-12)
        #expect(abs(summary.percentiles[99]! - 9.91) < 1e-12)
        #expect(abs(summary.std - 2.8722813232690143) < 1e-12)
        #expect(summary.median == 5.5)
    }

    @Test func goodputCountsRequestsMeetingEveryLimit() throws {
        let fast = record(0, ttft: 0.1, itl: [0.02], tokens: 2)
        let slowStart = record(1, ttft: 0.6, itl: [0.02], tokens: 2)
        let slowTokens = record(2, ttft: 0.1, itl: [0.08], tokens: 2)
        let slo = try #require(Goodput(["ttft:500", "tpot:50"]))
        let m = ServingMetrics(records: [fast, slowStart, slowTokens], duration: 2, percentiles: [], goodput: slo)
        #expect(m.requestGoodput == 0.5)
        #expect(Goodput(["ttft=500"]) == nil)
        #expect(Goodput(["speed:5"]) == nil)
    }

    @Test func failuresAreCountedByCause() {
        var failed = record(1, ttft: 0.1, itl: [], tokens: 1)
        failed.success = false
        failed.failure = .timeout
        let m = ServingMetrics(
            records: [record(0, ttft: 0.1, itl: [0.01], tokens: 2), failed],
            duration: 1,
            percentiles: [],
            goodput: nil
        )
        #expect(m.completed == 1 && m.failed == 1)
        #expect(m.failures == [.timeout: 1])
    }
}

@Suite struct LoadShapeTests {
    @Test func arrivalsAreSeededPoissonByDefault() {
        let shape = LoadShape(requestRate: 10)
        let a = shape.arrivals(count: 4000, seed: 1)
        #expect(a == shape.arrivals(count: 4000, seed: 1))
        #expect(a != shape.arrivals(count: 4000, seed: 2))
        let gaps = zip(a.dropFirst(), a).map { $0 - $1 }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let cv = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot() / mean
        #expect(abs(mean - 0.1) < 0.01)
        #expect(abs(cv - 1) < 0.1)  // exponential gaps: coefficient of variation 1
        // Burstiness 0.25: gamma shape 0.25 has CV 2; the mean rate is unchanged.
        let bursty = LoadShape(requestRate: 10, burstiness: 0.25).arrivals(count: 4000, seed: 1)
        let bgaps = zip(bursty.dropFirst(), bursty).map { $0 - $1 }
        let bmean = bgaps.reduce(0, +) / Double(bgaps.count)
        let bcv = (bgaps.map { ($0 - bmean) * ($0 - bmean) }.reduce(0, +) / Double(bgaps.count)).squareRoot() / bmean
        #expect(abs(bmean - 0.1) < 0.015)
        #expect(abs(bcv - 2) < 0.3)
        #expect(LoadShape().arrivals(count: 3, seed: 0) == [0, 0, 0])
    }
}

@Suite struct DatasetTests {
    @Test func randomLengthsStayInRange() throws {
        let requests = try Dataset.random(input: 100, output: 50, rangeRatio: 0.2).requests(count: 500, seed: 3)
        #expect(requests.allSatisfy { (80...120).contains($0.inputTokens) && (40...60).contains($0.outputTokens) })
        #expect(requests.allSatisfy { $0.tokenIDs?.count == $0.inputTokens })
        #expect(Set(requests.map(\.inputTokens)).count > 20)
        #expect(try Dataset.random(input: 100, output: 50, rangeRatio: 0.2).requests(count: 500, seed: 3) == requests)
        let fixed = try Dataset.fixed(input: 7, output: 3).requests(count: 2, seed: 0)
        #expect(fixed.allSatisfy { $0.inputTokens == 7 && $0.outputTokens == 3 })
        #expect(fixed[0].text.split(separator: " ").count == 7)
    }

    @Test func shareGPTFilesAreRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sharegpt-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: path) }
        let entries: [[String: Any]] = [
            [
                "id": "a",
                "conversations": [
                    ["from": "human", "value": "Why is the sky blue?"],
                    ["from": "gpt", "value": String(repeating: "x", count: 400)],
                ],
            ],
            ["id": "b", "conversations": [["from": "gpt", "value": "no human turn first"]]],
        ]
        try JSONSerialization.data(withJSONObject: entries).write(to: path)
        let requests = try Dataset.shareGPT(path: path.path, outputTokens: nil).requests(count: 3, seed: 0)
        #expect(requests.count == 3)
        #expect(
            requests.allSatisfy { $0.text == "Why is the sky blue?" && $0.outputTokens == 100 && $0.tokenIDs == nil }
        )
        #expect(try Dataset.shareGPT(path: path.path, outputTokens: 8).requests(count: 1, seed: 0)[0].outputTokens == 8)
        #expect(throws: DatasetError.self) {
            try Dataset.shareGPT(path: "/nonexistent.json", outputTokens: nil).requests(count: 1, seed: 0)
        }
    }
}
