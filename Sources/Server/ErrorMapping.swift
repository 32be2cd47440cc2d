import Foundation
import Hummingbird
import Logging
import Reporting
import Store

/// Maps every error a handler can throw to an `APIError`: domain errors to 4xx with their message, store
/// failures to 503 without driver text, and anything unforeseen to 500 (logged; the tests require none).
enum ErrorMapping {
    static func apiError(_ error: any Error, context: some RequestContext) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            switch error {
            case .conflict(let message): return APIError(.conflict, message)
            case .notFound(let message): return APIError(.notFound, message)
            case .invalid(let message): return APIError(.badRequest, message)
            case .unavailable, .migration:
                context.logger.error("store failure: \(error)")
                return APIError(.serviceUnavailable, error.publicMessage)
            }
        case let error as SigningError:
            return APIError(.badRequest, error.description)
        case let error as any HTTPResponseError:
            switch error.status {
            case .contentTooLarge: return APIError(.contentTooLarge, "request body is larger than the server's limit")
            case .notFound: return APIError(.notFound, "no such endpoint; see /v1 in docs/openapi.yaml")
            default: return APIError(error.status, (error as? HTTPError)?.body ?? error.status.reasonPhrase)
            }
        case is DecodingError:
            return APIError(.badRequest, "malformed JSON body")
        default:
            context.logger.error("unexpected error: \(String(reflecting: error))")
            return APIError(.internalServerError, "internal error")
        }
    }
}
