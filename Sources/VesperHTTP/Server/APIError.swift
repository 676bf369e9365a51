import Hummingbird
import NIOCore
import NIOHTTP1
import VesperCore

/// An error as the API reports it: `{"error": {"code": "...", "message": "...", "field": "..."}}`.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// The request field at fault, for 400s.
    public var field: String?
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.beginObject("error")
        writer.field("code", code)
        writer.field("message", message)
        if let field { writer.field("field", field) }
        writer.endObject()
        writer.endObject()
        var response = Response.json(writer.output, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }

    /// Maps any error raised while handling a request to what the client sees.
    /// Unknown errors become a 500 without internal details.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationError:
            return APIError(.badRequest, code: "invalid_field", message: error.message, field: error.field)
        case let error as VesperError:
            switch error.code {
            case .notFound: return APIError(.notFound, code: error.code.description, message: error.message)
            case .invalidState, .idempotencyConflict: return APIError(.conflict, code: error.code.description, message: error.message)
            case .unavailable, .shuttingDown: return APIError(.serviceUnavailable, code: error.code.description, message: error.message)
            default: return APIError(.internalServerError, code: "internal", message: "internal error")
            }
        case let error as HTTPParserError:
            // Framing the HTTP decoder refused (a bad chunk size, an unknown Transfer-Encoding).
            return APIError(.badRequest, code: "malformed_request", message: "malformed HTTP request: \(error)")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "body_too_large", message: "request body is larger than the limit")
        case let error as HTTPError:
            let code = error.status == .notFound ? "not_found" : "http_\(error.status.code)"
            let message = error.body ?? (error.status == .notFound ? "no such route" : error.status.reasonPhrase)
            var apiError = APIError(error.status, code: code, message: message)
            apiError.headers = error.headers
            return apiError
        default:
            return nil
        }
    }
}

extension Response {
    /// A JSON response from already-encoded text.
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
