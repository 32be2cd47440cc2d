import Catalogue
import Foundation
import NIOCore

/// Where requests go: scheme, host, port and the path before `/v1/…`, parsed once from the base URL.
struct Origin: Hashable, Sendable, CustomStringConvertible {
    var tls: Bool
    var host: String
    var port: Int
    /// The base URL's own path (without a trailing slash), put before every endpoint path.
    var pathPrefix: String

    init(baseURL: String) throws(LoadClientError) {
        let scheme: Bool
        var rest: Substring
        if baseURL.hasPrefix("http://") {
            scheme = false
            rest = baseURL.dropFirst(7)
        } else if baseURL.hasPrefix("https://") {
            scheme = true
            rest = baseURL.dropFirst(8)
        } else {
            throw LoadClientError("\(baseURL): the base URL must start with http:// or https://")
        }
        let authority = rest.prefix { $0 != "/" }
        rest = rest.dropFirst(authority.count)
        var host = Substring(authority)
        var port = scheme ? 443 : 80
        if host.hasPrefix("[") {
            // [IPv6]:port
            guard let close = host.firstIndex(of: "]") else { throw LoadClientError("\(baseURL): bad IPv6 address") }
            let after = host[host.index(after: close)...]
            host = host[host.index(after: host.startIndex)..<close]
            if after.hasPrefix(":") {
                guard let value = Int(after.dropFirst()) else { throw LoadClientError("\(baseURL): bad port") }
                port = value
            }
        } else if let colon = host.lastIndex(of: ":") {
            guard let value = Int(host[host.index(after: colon)...]), value > 0, value < 65536 else {
                throw LoadClientError("\(baseURL): bad port")
            }
            port = value
            host = host[..<colon]
        }
        guard !host.isEmpty else { throw LoadClientError("\(baseURL): no host") }
        tls = scheme
        self.host = String(host)
        self.port = port
        var prefix = String(rest)
        while prefix.hasSuffix("/") { prefix.removeLast() }
        pathPrefix = prefix
    }

    /// The `Host` header's value.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return (tls && port == 443) || (!tls && port == 80) ? name : "\(name):\(port)"
    }

    var description: String { "\(tls ? "https" : "http")://\(hostHeader)" }
}

/// Renders complete HTTP requests (head and body) for the benchmark's endpoint. Everything that is the same for
/// every request — the head, the model, the streaming options, extra fields — is rendered once; per request only
/// `max_tokens` and the prompt are written, each prompt once before the run.
struct RequestTemplate: Sendable {
    let origin: Origin
    let endpoint: Endpoint
    private let headPrefix: [UInt8]
    private let bodyPrefix: [UInt8]
    private let bodySuffix: [UInt8]

    init(target: Target) throws(LoadClientError) {
        origin = try Origin(baseURL: target.baseURL)
        endpoint = target.endpoint
        headPrefix = Array(
            ("POST \(origin.pathPrefix)\(target.endpoint.rawValue) HTTP/1.1\r\nHost: \(origin.hostHeader)\r\n"
                + "User-Agent: parity\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
                + "Content-Length: ").utf8
        )
        var prefix = "{\"model\":\(JSONText.quoted(target.model)),\"stream\":true,"
        prefix += "\"stream_options\":{\"include_usage\":true},"
        if target.ignoreEOS { prefix += "\"ignore_eos\":true," }
        bodyPrefix = Array(prefix.utf8)
        // Extra fields come last, so that they override the defaults as a later key does in most JSON readers.
        var suffix = ""
        if !target.extraBody.isEmpty,
            let data = try? JSONSerialization.data(withJSONObject: target.extraBody, options: [.sortedKeys]),
            data.count > 2
        {
            suffix = "," + String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        bodySuffix = Array((suffix + "}").utf8)
    }

    /// The whole request for one prompt: token IDs (completions only) or text.
    func render(_ spec: RequestSpec, tokens: Bool) -> ByteBuffer {
        var body: [UInt8] = bodyPrefix
        body.reserveCapacity(
            bodyPrefix.count + bodySuffix.count + 32 + (spec.tokenIDs?.count ?? 0) * 7 + spec.text.utf8.count
        )
        body.append(contentsOf: "\"max_tokens\":\(spec.outputTokens),".utf8)
        switch endpoint {
        case .completions:
            if tokens, let ids = spec.tokenIDs {
                body.append(contentsOf: "\"prompt\":[".utf8)
                for (position, id) in ids.enumerated() {
                    if position > 0 { body.append(UInt8(ascii: ",")) }
                    JSONText.append(id, to: &body)
                }
                body.append(UInt8(ascii: "]"))
            } else {
                body.append(contentsOf: "\"prompt\":".utf8)
                JSONText.appendQuoted(spec.text, to: &body)
            }
        case .chat:
            body.append(contentsOf: "\"messages\":[{\"role\":\"user\",\"content\":".utf8)
            JSONText.appendQuoted(spec.text, to: &body)
            body.append(contentsOf: "}]".utf8)
        }
        return request(&body)
    }

    /// A turn of a conversation with its history (user and assistant messages, oldest first): chat messages, or
    /// for completions one text prompt with `User:` and `Assistant:` labels, ending with `Assistant:`.
    func render(history: [ConversationMessage], outputTokens: Int) -> ByteBuffer {
        var body: [UInt8] = bodyPrefix
        body.append(contentsOf: "\"max_tokens\":\(outputTokens),".utf8)
        switch endpoint {
        case .completions:
            body.append(contentsOf: "\"prompt\":".utf8)
            JSONText.appendQuoted(ConversationMessage.transcript(history), to: &body)
        case .chat:
            body.append(contentsOf: "\"messages\":[".utf8)
            for (position, message) in history.enumerated() {
                if position > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: "{\"role\":".utf8)
                JSONText.appendQuoted(message.role.rawValue, to: &body)
                body.append(contentsOf: ",\"content\":".utf8)
                JSONText.appendQuoted(message.text, to: &body)
                body.append(UInt8(ascii: "}"))
            }
            body.append(UInt8(ascii: "]"))
        }
        return request(&body)
    }

    /// The head and a body that still lacks the suffix.
    private func request(_ body: inout [UInt8]) -> ByteBuffer {
        body.append(contentsOf: bodySuffix)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(headPrefix.count + 12 + body.count)
        buffer.writeBytes(headPrefix)
        buffer.writeString("\(body.count)\r\n\r\n")
        buffer.writeBytes(body)
        return buffer
    }

    /// A plain GET (for `/v1/models`).
    static func get(_ path: String, origin: Origin) -> ByteBuffer {
        ByteBuffer(
            string: "GET \(origin.pathPrefix)\(path) HTTP/1.1\r\nHost: \(origin.hostHeader)\r\nUser-Agent: parity\r\n"
                + "Accept: application/json\r\n\r\n"
        )
    }
}
