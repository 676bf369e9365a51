import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import VesperCore

/// Building the dashboard's responses: HTML with its security headers, redirects, error texts.
enum DashboardResponse {
    /// No inline script or style, nothing from elsewhere, forms only to this origin, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func securityHeaders(_ headers: inout HTTPFields) {
        headers[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
    }

    static func html(_ html: HTML, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        securityHeaders(&headers)
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: html.markup)))
    }

    /// A 303 to a dashboard path (anything else is replaced by `/ui`, so no redirect leaves the dashboard).
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = isDashboardPath(location) ? location : "/ui"
        headers[.cacheControl] = "no-store"
        securityHeaders(&headers)
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    static func isDashboardPath(_ location: String) -> Bool {
        (location == "/ui" || location.hasPrefix("/ui/") || location.hasPrefix("/ui?")) && !location.contains("\\")
    }

    /// The form fields of a `application/x-www-form-urlencoded` body (at most 1 MiB).
    static func form(_ request: Request) async throws -> FormData {
        let contentType = request.headers[.contentType] ?? ""
        let body = try await request.body.collect(upTo: 1 << 20)
        guard contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") || body.readableBytes == 0 else {
            throw ValidationError(field: "Content-Type", message: "send the form as application/x-www-form-urlencoded")
        }
        return FormData(encoded: Substring(String(buffer: body)))
    }

    /// The status and text an error is shown with; unknown errors say nothing internal.
    static func describe(_ error: any Error) -> (HTTPResponse.Status, String) {
        switch error {
        case let error as ValidationError:
            return (.badRequest, error.message)
        case let error as VesperError:
            switch error.code {
            case .notFound: return (.notFound, error.message)
            case .invalidState, .idempotencyConflict: return (.conflict, error.message)
            case .unavailable, .shuttingDown: return (.serviceUnavailable, error.message)
            default: return (.internalServerError, "internal error")
            }
        default:
            return (.internalServerError, "internal error")
        }
    }
}
