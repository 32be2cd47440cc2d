/// Why a request failed; each failure is recorded with one cause and never stops the run.
public enum FailureCause: String, Sendable, Hashable, Codable, CaseIterable {
    case connectionRefused = "connection-refused"
    case connectionDropped = "connection-dropped"
    case httpStatus = "http-status"
    case malformedSSE = "malformed-sse"
    case streamError = "stream-error"
    case timeout
    case noTokens = "no-tokens"
    case other
}

/// Where a token count came from.
public enum TokenCountSource: String, Sendable, Hashable, Codable {
    /// The server's `usage` in the stream.
    case serverUsage = "server-usage"
    /// No usage: output tokens counted as streamed chunks, prompt tokens as the dataset intended.
    case client
}

/// One request as the client saw it. Times are seconds; `start` is from the start of the run.
public struct RequestRecord: Sendable, Hashable, Codable {
    public var index: Int
    /// When the request was due to go, from the start of the run: its scheduled arrival, or (closed loop) the
    /// moment a concurrency slot freed for it, whichever is later.
    public var start: Double
    /// From `start` to writing the request to the socket (the client's own wait: connecting, a busy loop).
    public var queueTime: Double = 0
    public var ttft: Double?
    /// Every gap between token-bearing chunks after the first.
    public var itl: [Double]
    /// Request written to the last token chunk (not to `[DONE]`).
    public var latency: Double?
    public var promptTokens: Int
    public var outputTokens: Int
    public var chunks: Int
    public var tokenCountSource: TokenCountSource
    public var success: Bool
    public var failure: FailureCause?
    public var error: String?

    static func empty(index: Int, prompt: Int) -> RequestRecord {
        RequestRecord(
            index: index,
            start: 0,
            ttft: nil,
            itl: [],
            latency: nil,
            promptTokens: prompt,
            outputTokens: 0,
            chunks: 0,
            tokenCountSource: .client,
            success: false,
            failure: nil,
            error: nil
        )
    }

    /// (latency − TTFT) ÷ (output tokens − 1), as vLLM and SGLang define TPOT; nil for one token.
    public var tpot: Double? {
        guard let latency, let ttft, outputTokens > 1 else { return nil }
        return (latency - ttft) / Double(outputTokens - 1)
    }
}
