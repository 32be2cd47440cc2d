import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import LoadGen

/// Against a real peer: llama-cpp-python's OpenAI-compatible server, which scripts/test installs from PyPI and
/// starts on 127.0.0.1 with a tiny model it generates (PARITY_PEER_URL). That server refuses token-ID prompts and
/// streams no usage, so the run must fall back to text prompts and count output tokens as chunks — and the
/// counts must agree with the usage the server reports for the same request without streaming.
@Suite struct PeerServerTests {
    static let url = ProcessInfo.processInfo.environment["PARITY_PEER_URL"]
    static let required = ProcessInfo.processInfo.environment["PARITY_REQUIRE_PEER"] == "1"

    @Test func benchmarkAgainstLlamaCppServer() async throws {
        guard let url = Self.url else {
            #expect(!Self.required, "PARITY_REQUIRE_PEER=1 but PARITY_PEER_URL is not set")
            return
        }
        let client = BenchmarkRunner.makeClient(connections: 2)
        let model = try await BenchmarkRunner.servedModel(baseURL: url, client: client)
        let target = Target(
            baseURL: url,
            model: model,
            ignoreEOS: true,
            timeout: .seconds(60),
            extraBody: ["temperature": 0, "seed": 1]
        )
        let runner = BenchmarkRunner(target: target, shape: LoadShape(maxConcurrency: 2), warmup: 1, seed: 5)
        let specs = try Dataset.fixed(input: 12, output: 16).requests(count: 7, seed: 5)
        let outcome = await runner.run(specs, client: client)
        let metrics = ServingMetrics(
            records: outcome.records,
            duration: outcome.duration,
            percentiles: [50],
            goodput: nil
        )
        #expect(metrics.completed == 6, "\(outcome.records.compactMap(\.error))")
        #expect(outcome.promptFormat == .text)
        #expect(!outcome.notes.isEmpty)
        #expect(metrics.tokenCountSource == .client)
        #expect(metrics.ttft.median > 0 && metrics.itl.median > 0)
        // The server's own count for the same prompts, asked without streaming (by another HTTP client).
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        for record in outcome.records where record.success {
            let spec = specs[record.index + 1]
            var request = HTTPClientRequest(url: url + "/v1/completions")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            let body: [String: Any] = [
                "model": model, "prompt": spec.text, "max_tokens": 16, "temperature": 0, "seed": 1, "stream": false,
            ]
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
            let response = try await http.execute(request, timeout: .seconds(60))
            let data = try await response.body.collect(upTo: 1 << 20)
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(data.readableBytesView)) as? [String: Any]
            )
            let usage = try #require(object["usage"] as? [String: Any])
            #expect(usage["completion_tokens"] as? Int == record.outputTokens, "request \(record.index)")
        }
        try await http.shutdown()
        try await client.shutdown()
    }
}
