import AsyncHTTPClient
import Catalogue
import Foundation
import NIOCore
import NIOHTTP1

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

/// Streams one request and records its timing. Never throws: every failure becomes a record with a cause.
struct StreamingClient: Sendable {
    let http: HTTPClient
    let target: Target

    func body(for spec: RequestSpec, tokens: Bool) -> ByteBuffer {
        var fields: [String: Any] = [
            "model": target.model,
            "max_tokens": spec.outputTokens,
            "stream": true,
            "stream_options": ["include_usage": true],
        ]
        if target.ignoreEOS { fields["ignore_eos"] = true }
        switch target.endpoint {
        case .completions:
            if tokens, let ids = spec.tokenIDs { fields["prompt"] = ids } else { fields["prompt"] = spec.text }
        case .chat:
            fields["messages"] = [["role": "user", "content": spec.text]]
        }
        for (key, value) in target.extraBody { fields[key] = value }
        let data = (try? JSONSerialization.data(withJSONObject: fields)) ?? Data("{}".utf8)
        return ByteBuffer(bytes: data)
    }

    /// Sends one request, bounded by the target's timeout over the whole exchange (the HTTP client's deadline
    /// covers only the response head; a stream that stalls afterwards is cut here).
    func send(_ spec: RequestSpec, index: Int, tokens: Bool, runStart: ContinuousClock.Instant) async -> RequestRecord {
        let timeout = target.timeout
        return await withTaskGroup(of: RequestRecord?.self) { group in
            group.addTask { await self.perform(spec, index: index, tokens: tokens, runStart: runStart) }
            group.addTask {
                // A little after the client's own deadline, so that connection errors surface with their cause.
                try? await Task.sleep(for: timeout + .milliseconds(100))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if let first { return first }
            // The timer fired first (or the run was cancelled): the request's own task ends with what it had.
            var record = (await group.next() ?? nil) ?? RequestRecord.empty(index: index, prompt: spec.inputTokens)
            if !Task.isCancelled {
                record.success = false
                record.failure = .timeout
                record.error = "no complete response within \(timeout)"
                record.latency = nil
            }
            return record
        }
    }

    func perform(
        _ spec: RequestSpec,
        index: Int,
        tokens: Bool,
        runStart: ContinuousClock.Instant
    ) async -> RequestRecord {
        var record = RequestRecord.empty(index: index, prompt: spec.inputTokens)
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: target.baseURL + target.endpoint.rawValue,
                method: .POST,
                headers: ["Content-Type": "application/json", "Accept": "text/event-stream"],
                body: .byteBuffer(body(for: spec, tokens: tokens))
            )
        } catch {
            record.failure = .other
            record.error = "\(error)"
            return record
        }
        let delegate = StreamDelegate(record: record)
        let sent = ContinuousClock.now
        delegate.sent = sent
        let deadline = NIODeadline.now() + .nanoseconds(Int64(target.timeout.inSeconds * 1e9))
        let task = http.execute(request: request, delegate: delegate, deadline: deadline)
        do {
            record = try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch {
            record = delegate.record
            if record.failure == nil {
                record.failure = Self.cause(of: error)
                record.error = "\(error)"
            }
            record.success = false
        }
        record.start = (sent - runStart).inSeconds
        return record
    }

    static func cause(of error: any Error) -> FailureCause {
        if let error = error as? HTTPClientError {
            switch error {
            case .remoteConnectionClosed: return .connectionDropped
            case .deadlineExceeded, .readTimeout, .writeTimeout: return .timeout
            case .connectTimeout: return .connectionRefused
            default: break
            }
        }
        let text = "\(error)".lowercased()
        if text.contains("refused") { return .connectionRefused }
        if text.contains("reset") || text.contains("closed") || text.contains("eof")
            || text.contains("ended at an unexpected time")
        {
            return .connectionDropped
        }
        if text.contains("timeout") || text.contains("deadline") { return .timeout }
        return .other
    }
}

/// Receives the response on the connection's event loop and stamps every body part the moment it arrives,
/// before any parsing and without a hop to another task: the clock reads what the socket delivered.
/// All state is touched only on that event loop.
final class StreamDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = RequestRecord

    var record: RequestRecord
    var sent = ContinuousClock.now
    private var parser = SSEParser()
    private var status: HTTPResponseStatus = .ok
    private var errorBody = ""
    private var lastToken: ContinuousClock.Instant?
    private var usageOutput: Int?
    private var usagePrompt: Int?
    private var textChunks = 0
    private var finished = false

    init(record: RequestRecord) {
        self.record = record
    }

    /// TTFT and latency count from the moment the request head is written to the socket; the time before that
    /// (waiting for a connection, client scheduling) is the client queue time, recorded apart as vLLM does.
    func didSendRequestHead(task: HTTPClient.Task<RequestRecord>, _ head: HTTPRequestHead) {
        let now = ContinuousClock.now
        record.queueTime = (now - sent).inSeconds
        sent = now
    }

    func didReceiveHead(task: HTTPClient.Task<RequestRecord>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = head.status
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<RequestRecord>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        let arrived = ContinuousClock.now
        guard !finished else { return task.eventLoop.makeSucceededVoidFuture() }
        guard status == .ok else {
            if errorBody.utf8.count < 4096 { errorBody += String(buffer: buffer) }
            return task.eventLoop.makeSucceededVoidFuture()
        }
        for event in parser.feed(buffer) {
            switch event {
            case .done:
                break
            case .error(let message):
                fail(.streamError, message)
            case .data(let payload):
                guard let chunk = try? SSEParser.decoder.decode(StreamChunk.self, from: payload) else {
                    fail(.malformedSSE, "malformed SSE data: \(String(decoding: payload.prefix(120), as: UTF8.self))")
                    break
                }
                if let usage = chunk.usage {
                    usageOutput = usage.completionTokens
                    usagePrompt = usage.promptTokens
                }
                guard let choices = chunk.choices, !choices.isEmpty else { continue }
                // Timing follows vLLM: every chunk with choices; the fallback token count only text-bearing ones.
                record.chunks += 1
                if choices.contains(where: \.hasText) { textChunks += 1 }
                if let previous = lastToken {
                    record.itl.append((arrived - previous).inSeconds)
                } else {
                    record.ttft = (arrived - sent).inSeconds
                }
                lastToken = arrived
            }
            if finished { break }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    private func fail(_ cause: FailureCause, _ message: String) {
        guard !finished else { return }
        finished = true
        record.failure = cause
        record.error = message
    }

    func didReceiveError(task: HTTPClient.Task<RequestRecord>, _ error: any Error) {
        if !finished {
            finished = true
            record.failure = StreamingClient.cause(of: error)
            record.error = "\(error)"
        }
    }

    func didFinishRequest(task: HTTPClient.Task<RequestRecord>) throws -> RequestRecord {
        if record.failure != nil { return record }
        guard status == .ok else {
            record.failure = .httpStatus
            record.error = "HTTP \(status.code)\(errorBody.isEmpty ? "" : ": \(errorBody.prefix(200))")"
            return record
        }
        if parser.hasUnterminatedData {
            record.failure = .connectionDropped
            record.error = "the stream ended inside an event"
            return record
        }
        guard let lastToken, record.ttft != nil else {
            record.failure = .noTokens
            record.error = "the stream carried no token"
            return record
        }
        record.latency = (lastToken - sent).inSeconds
        if let usageOutput {
            record.outputTokens = usageOutput
            record.tokenCountSource = .serverUsage
            if let usagePrompt { record.promptTokens = usagePrompt }
        } else {
            record.outputTokens = textChunks
        }
        record.success = true
        return record
    }
}

struct StreamChunk: Decodable {
    struct Choice: Decodable {
        struct Delta: Decodable {
            var content: String?
        }
        var text: String?
        var delta: Delta?

        /// Whether the chunk carries generated text (a final chunk often carries only `finish_reason`).
        var hasText: Bool { !(text ?? delta?.content ?? "").isEmpty }
    }
    struct Usage: Decodable {
        var promptTokens: Int?
        var completionTokens: Int?
        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens"
            case completionTokens = "completion_tokens"
        }
    }
    var choices: [Choice]?
    var usage: Usage?
}

/// Splits a server-sent-event byte stream into events (`data:` payloads, `[DONE]`, `event: error`).
struct SSEParser {
    enum Event {
        case data(Data)
        case done
        case error(String)
    }

    static let decoder = JSONDecoder()
    private var pending: [UInt8] = []

    var hasUnterminatedData: Bool {
        pending.contains { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }
    }

    mutating func feed(_ buffer: ByteBuffer) -> [Event] {
        pending.append(contentsOf: buffer.readableBytesView)
        var events: [Event] = []
        while let end = Self.eventEnd(in: pending) {
            let block = Array(pending[..<end.start])
            pending.removeSubrange(..<end.end)
            var data: [UInt8] = []
            var isError = false
            for line in block.split(separator: 0x0A, omittingEmptySubsequences: true) {
                var line = Array(line)
                if line.last == 0x0D { line.removeLast() }
                if line.starts(with: Array("data:".utf8)) {
                    var payload = line.dropFirst(5)
                    if payload.first == 0x20 { payload = payload.dropFirst() }
                    if !data.isEmpty { data.append(0x0A) }
                    data.append(contentsOf: payload)
                } else if line.starts(with: Array("event:".utf8)) {
                    isError =
                        String(decoding: line.dropFirst(6), as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        == "error"
                }
            }
            if isError {
                events.append(.error(String(decoding: data, as: UTF8.self)))
            } else if data == Array("[DONE]".utf8) {
                events.append(.done)
            } else if !data.isEmpty {
                events.append(.data(Data(data)))
            }
        }
        return events
    }

    /// The end of the first event: a blank line (`\n\n` or `\r\n\r\n`).
    static func eventEnd(in bytes: [UInt8]) -> (start: Int, end: Int)? {
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == 0x0A {
                if bytes[index + 1] == 0x0A { return (index, index + 2) }
                if bytes[index + 1] == 0x0D, index + 2 < bytes.count, bytes[index + 2] == 0x0A {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }
}
