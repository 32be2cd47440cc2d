import Foundation
import NIOCore
import Testing

@testable import LoadGen

@Suite struct EventScannerTests {
    func feed(_ scanner: inout EventScanner, _ text: String) -> [StreamEvent] {
        Array(text.utf8).withUnsafeBytes { scanner.append($0) }
        var events: [StreamEvent] = []
        while let event = scanner.next() { events.append(event) }
        return events
    }

    @Test func splitsEventsAcrossBuffers() {
        var scanner = EventScanner()
        var events = feed(&scanner, "data: {\"choices\":[{\"text\":\"a\"}]}\n\nda")
        #expect(events == [.chunk(ChunkFacts(choices: 1, textChoices: 1))])
        events = feed(&scanner, "ta: {\"choices\":[]}\r\n\r\ndata: [DONE]\n\n")
        #expect(events == [.chunk(ChunkFacts()), .done])
        #expect(!scanner.hasUnterminatedData)
    }

    @Test func recognisesErrorEventsAndUnterminatedData() {
        var scanner = EventScanner()
        let events = feed(&scanner, "event: error\ndata: overloaded\n\ndata: {\"x\"")
        #expect(events == [.error("overloaded")])
        #expect(scanner.hasUnterminatedData)
    }

    /// A vLLM completions chunk, its final chunk with an empty text and a finish reason, and its usage chunk
    /// (vLLM 0.6–0.11 `/v1/completions` with `stream_options.include_usage`).
    @Test func readsTheFactsOfVLLMChunks() {
        var scanner = EventScanner()
        let events = feed(
            &scanner,
            """
            data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,\
            "text":" the","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}

            data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,\
            "text":"","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":null}

            data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[],\
            "usage":{"prompt_tokens":128,"total_tokens":192,"completion_tokens":64}}

            data: [DONE]


            """
        )
        #expect(
            events == [
                .chunk(ChunkFacts(choices: 1, textChoices: 1)),
                .chunk(ChunkFacts(choices: 1, textChoices: 0)),
                .chunk(ChunkFacts(choices: 0, textChoices: 0, promptTokens: 128, completionTokens: 64)),
                .done,
            ]
        )
    }

    @Test func chatDeltasEscapesAndNestedValuesAreScanned() {
        var scanner = EventScanner()
        // A text that looks like keys must not be read as keys; nested objects and arrays are skipped.
        let events = feed(
            &scanner,
            #"data: {"choices":[{"delta":{"role":"assistant","content":"\"usage\":{\"completion_tokens\":9}"},"#
                + #""logprobs":{"content":[{"token":"a","top":[1,2,{"x":"]}"}]}]}}],"usage":null}"# + "\n\n"
                + #"data: {"choices":[{"delta":{"content":""}}, {"delta":{"content":"b"}}]}"# + "\n\n"
        )
        #expect(
            events == [
                .chunk(ChunkFacts(choices: 1, textChoices: 1)),
                .chunk(ChunkFacts(choices: 2, textChoices: 1)),
            ]
        )
    }

    @Test(arguments: [
        #"data: {"choices": ["# + "\n\n",
        #"data: {"choices":[]} trailing"# + "\n\n",
        "data: not json\n\n",
    ])
    func malformedPayloadsAreReported(_ text: String) {
        var scanner = EventScanner()
        let events = feed(&scanner, text)
        guard case .malformed = events.first else {
            Issue.record("expected malformed, got \(events)")
            return
        }
    }

    @Test func errorObjectsInTheStreamAreErrors() {
        var scanner = EventScanner()
        let events = feed(
            &scanner,
            #"data: {"error":{"message":"out of memory","code":500}}"# + "\n\n"
                + #"data: {"object":"error","message":"bad request","type":"BadRequestError","code":400}"# + "\n\n"
        )
        #expect(events == [.error(#"{"message":"out of memory","code":500}"#), .error("bad request")])
    }

    @Test func manyEventsInOneReadAreEachFoundOnce() {
        var scanner = EventScanner()
        let event = "data: {\"choices\":[{\"text\":\"x\"}]}\n\n"
        let events = feed(&scanner, String(repeating: event, count: 1000))
        #expect(events.count == 1000)
        #expect(!scanner.hasUnterminatedData)
    }
}

@Suite struct ResponseParserTests {
    func parse(_ pieces: [String]) throws -> (ResponseParser, String) {
        var parser = ResponseParser()
        var body: [UInt8] = []
        for piece in pieces {
            try Array(piece.utf8).withUnsafeBytes { bytes in
                try parser.parse(bytes) { part, _ in body.append(contentsOf: part) }
            }
        }
        return (parser, String(decoding: body, as: UTF8.self))
    }

    @Test func chunkedBodiesAreJoinedAcrossReads() throws {
        let (parser, body) = try parse([
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            "lo\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
        ])
        #expect(parser.isComplete && parser.status == 200 && parser.keepAlive && parser.isEventStream)
        #expect(body == "hello world")
    }

    @Test func lengthAndCloseDelimitedBodies() throws {
        let (fixed, body) = try parse(["HTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nabcdef"])
        #expect(fixed.isComplete && fixed.status == 500 && body == "abc")
        let (untilClose, rest) = try parse(["HTTP/1.0 200 OK\r\n\r\npartial"])
        #expect(untilClose.endsAtClose && !untilClose.keepAlive && rest == "partial")
        let (interim, _) = try parse(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"])
        #expect(interim.isComplete && interim.status == 204)
    }

    @Test func garbageIsAnError() {
        #expect(throws: ResponseParseError.self) { try parse(["SSH-2.0-OpenSSH\r\n\r\n"]) }
    }
}

@Suite struct RequestTemplateTests {
    @Test func bodiesAreValidJSONWithTheFieldsVLLMReads() throws {
        let target = Target(
            baseURL: "http://127.0.0.1:8000/prefix/",
            model: "m\"odel",
            extraBody: ["temperature": 0.5]
        )
        let template = try RequestTemplate(target: target)
        let spec = RequestSpec(tokenIDs: [1, 20, 300], text: "a \"quoted\"\nline", inputTokens: 3, outputTokens: 16)
        for tokens in [true, false] {
            let request = String(buffer: template.render(spec, tokens: tokens))
            let parts = request.components(separatedBy: "\r\n\r\n")
            #expect(parts[0].hasPrefix("POST /prefix/v1/completions HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"))
            #expect(parts[0].contains("Content-Length: \(parts[1].utf8.count)"))
            let body = try #require(
                try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any]
            )
            #expect(body["model"] as? String == "m\"odel")
            #expect(body["max_tokens"] as? Int == 16)
            #expect(body["stream"] as? Bool == true && body["ignore_eos"] as? Bool == true)
            #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
            #expect(body["temperature"] as? Double == 0.5)
            if tokens {
                #expect(body["prompt"] as? [Int] == [1, 20, 300])
            } else {
                #expect(body["prompt"] as? String == "a \"quoted\"\nline")
            }
        }
    }

    @Test func chatBodiesCarryTheMessage() throws {
        let template = try RequestTemplate(target: Target(baseURL: "http://h", endpoint: .chat, model: "m"))
        let spec = RequestSpec(tokenIDs: [1], text: "hello", inputTokens: 1, outputTokens: 2)
        let body = String(buffer: template.render(spec, tokens: true)).components(separatedBy: "\r\n\r\n")[1]
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let messages = try #require(object["messages"] as? [[String: Any]])
        #expect(messages.first?["content"] as? String == "hello")
        #expect(template.origin.port == 80 && template.origin.hostHeader == "h")
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

@Suite struct RepeatedRunTests {
    /// 10, 12, 14: mean 12, sample std √((4 + 0 + 4) / 2) = 2, CV 1/6; t(0.975, 2) = 4.303 (NIST table), so the
    /// 95 % interval is 12 ± 4.303 · 2 / √3 = 12 ± 4.9687.
    @Test func studentTIntervalByHand() {
        let metric = RepeatedMetric([10, 12, 14])
        #expect(metric.mean == 12)
        #expect(abs(metric.std - 2) < 1e-12)
        #expect(abs(metric.coefficientOfVariation - 1.0 / 6) < 1e-12)
        #expect(abs(metric.low - (12 - 4.303 * 2 / 3.0.squareRoot())) < 1e-9)
        #expect(abs(metric.high - (12 + 4.303 * 2 / 3.0.squareRoot())) < 1e-9)
        let single = RepeatedMetric([5])
        #expect(single.low == 5 && single.high == 5 && single.std == 0)
    }

    /// Beyond the table the expansion stays within 0.002 of the published values: t(0.975, 40) = 2.021,
    /// t(0.975, 60) = 2.000, t(0.975, 120) = 1.980 (NIST table).
    @Test(arguments: [(40, 2.021), (60, 2.000), (120, 1.980)])
    func largeDegreesOfFreedomFollowTheTable(degrees: Int, published: Double) {
        #expect(abs(StudentT.quantile(0.95, degreesOfFreedom: degrees) - published) < 0.002)
    }
}

@Suite struct TimeWindowTests {
    func record(_ index: Int, start: Double, ttft: Double, itl: [Double]) -> RequestRecord {
        RequestRecord(
            index: index,
            start: start,
            ttft: ttft,
            itl: itl,
            latency: ttft + itl.reduce(0, +),
            promptTokens: 10,
            outputTokens: itl.count + 1,
            chunks: itl.count + 1,
            tokenCountSource: .serverUsage,
            success: true,
            failure: nil,
            error: nil
        )
    }

    /// A: sent at 0, tokens at 1 and 2 s. B: sent at 1.5, tokens at 2.5 and 3.5 s. One-second slices by hand:
    /// [0,1) nothing arrives, A's TTFT; [1,2) A's first token, B's TTFT; [2,3) A ends, A's second token and B's
    /// first; [3,4) B ends with its second token.
    @Test func slicesCountWhatHappenedInThemByHand() {
        let slices = TimeWindows.slices(
            [record(0, start: 0, ttft: 1, itl: [1]), record(1, start: 1.5, ttft: 1, itl: [1])],
            width: 1
        )
        #expect(slices.count == 4)
        #expect(slices.map(\.completed) == [0, 0, 1, 1])
        #expect(slices.map(\.outputTokens) == [0, 1, 2, 1])
        #expect(slices.map(\.medianTTFTMs) == [1000, 1000, nil, nil])
        #expect(slices.map(\.medianITLMs) == [nil, nil, 1000, 1000])
        // At 0 and 1 only A is on the wire; at 2 A has just ended (its last token at 2) and B runs; at 3 B.
        #expect(slices.map(\.inFlightAtStart) == [1, 1, 1, 1])
    }

    /// Ten requests a second apart, each 2.5 s long: in flight 1, 2, 3, 3, … (peak 3, 90 % of it rounds up to 3,
    /// first reached when the third is sent at 2 s); the last is sent at 9 s. Inside [2, 9]: requests sent at 2…6
    /// finish by 8.5 (five); finished in the window: those sent at 0…6 (seven), 1 per second over 7 s.
    @Test func steadyStateFollowsItsRuleByHand() throws {
        let records = (0..<10).map { record($0, start: Double($0), ttft: 0.5, itl: [1, 1]) }
        let steady = try #require(TimeWindows.steadyState(records, percentiles: [50], goodput: nil))
        #expect(steady.start == 2 && steady.end == 9)
        #expect(steady.metrics.ttft.count == 5)
        #expect(steady.metrics.completed == 7)
        #expect(abs(steady.metrics.requestThroughput - 1) < 1e-12)
    }
}
