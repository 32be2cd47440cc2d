import Catalogue
import Foundation

/// The OpenAI-compatible API a benchmark targets.
public enum Endpoint: String, Sendable, Hashable, Codable, CaseIterable {
    case completions = "/v1/completions"
    case chat = "/v1/chat/completions"
}

/// How the prompt is sent.
public enum PromptFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Token-ID arrays (exact input length), falling back to text when the server refuses them.
    case auto
    case tokens
    case text
}

/// Where and how to send requests.
public struct Target: Sendable {
    public var baseURL: String
    public var endpoint: Endpoint
    public var model: String
    /// Ask the server to ignore end-of-sequence so that outputs have exactly `max_tokens` tokens.
    public var ignoreEOS: Bool
    public var timeout: Duration
    /// Extra JSON fields merged into every request body (e.g. `temperature`).
    public var extraBody: [String: any Sendable]

    public init(
        baseURL: String,
        endpoint: Endpoint = .completions,
        model: String,
        ignoreEOS: Bool = true,
        timeout: Duration = .seconds(600),
        extraBody: [String: any Sendable] = [:]
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.endpoint = endpoint
        self.model = model
        self.ignoreEOS = ignoreEOS
        self.timeout = timeout
        self.extraBody = extraBody
    }
}
