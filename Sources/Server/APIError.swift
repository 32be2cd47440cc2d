import HTTPTypes
public import Hummingbird
import NIOCore

/// Headers on every response: no MIME sniffing, no framing, no referrer, and for HTML pages a content security
/// policy that allows only the page's own inline styles and data: images (the pages load nothing else).
enum SecurityHeaders {
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; "
        + "form-action 'none'"

    static func apply(to fields: inout HTTPFields) {
        fields[.xContentTypeOptions] = "nosniff"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if fields[.contentType]?.hasPrefix("text/html") == true {
            fields[.contentSecurityPolicy] = contentSecurityPolicy
        }
    }
}

/// An API failure as the client sees it: an HTTP status and `{"error": "…", "status": N}`. Database failures
/// never reach this text (see `StoreError.publicMessage`).
public struct APIError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        SecurityHeaders.apply(to: &fields)
        var body = JSON.encode(Body(error: message, status: status.code))
        body.append(0x0A)
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    struct Body: Encodable {
        var error: String
        var status: Int
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"parity\""])
    }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, message) }
    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
}
