import Foundation

/// A request trace in Mooncake's JSONL format, replayed on its own clock: one object per line with `timestamp`
/// (milliseconds from the trace's start), `input_length`, `output_length` and `hash_ids` (one ID per 512-token
/// block of the prompt; equal IDs mean a shared prefix). Format as published with the Mooncake traces
/// (kvcache-ai/Mooncake, `FAST25-release/traces/*.jsonl`).
public struct TraceReplay: Sendable {
    /// Tokens per hash block, as the Mooncake traces define them.
    public static let blockTokens = 512

    public var requests: [RequestSpec]
    /// Seconds from the start of the replay at which each request is sent (the trace's times × the time scale).
    public var arrivals: [Double]

    /// Reads a trace. `timeScale` multiplies the gaps (0.5 replays twice as fast); `limit` keeps the first lines.
    /// Each hash ID always gives the same block of token IDs, so that requests sharing IDs share a prefix the
    /// server can cache; tokens past the blocks are the request's own.
    public static func load(path: String, timeScale: Double = 1, limit: Int? = nil) throws(DatasetError) -> TraceReplay
    {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        var requests: [RequestSpec] = []
        var times: [Double] = []
        var lineNumber = 0
        for line in text.split(whereSeparator: \.isNewline) {
            lineNumber += 1
            if let limit, requests.count >= limit { break }
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let timestamp = (object["timestamp"] as? NSNumber)?.doubleValue,
                let input = object["input_length"] as? Int, input > 0,
                let output = object["output_length"] as? Int, output > 0
            else {
                throw .invalid(
                    "\(path):\(lineNumber)",
                    "expected {\"timestamp\": ms, \"input_length\": n, \"output_length\": n, \"hash_ids\": [...]}"
                )
            }
            let hashes = object["hash_ids"] as? [Int] ?? []
            var ids: [Int] = []
            ids.reserveCapacity(input)
            for hash in hashes where ids.count < input {
                for offset in 0..<min(blockTokens, input - ids.count) { ids.append(token(block: hash, offset)) }
            }
            var own = UInt64(lineNumber) &* 0x9E37_79B9_7F4A_7C15
            while ids.count < input {
                own = own &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                ids.append(1000 + Int((own >> 33) % 20000))
            }
            let text = ids.map { Dataset.words[$0 % Dataset.words.count] }.joined(separator: " ")
            requests.append(RequestSpec(tokenIDs: ids, text: text, inputTokens: input, outputTokens: output))
            times.append(timestamp)
        }
        guard let first = times.min() else { throw .invalid(path, "the trace has no request") }
        return TraceReplay(requests: requests, arrivals: times.map { ($0 - first) / 1000 * timeScale })
    }

    static func token(block: Int, _ offset: Int) -> Int {
        let mixed = (UInt64(truncatingIfNeeded: block) &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(offset &* 2_654_435_761)
        return 1000 + Int(mixed % 20000)
    }
}
