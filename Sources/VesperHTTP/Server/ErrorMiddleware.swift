import Hummingbird
import Logging
import NIOCore
import VesperCore

/// Renders every error in the API's JSON error shape. Errors that are not the client's fault are
/// logged and answered with a 500 that reveals nothing internal.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Connections that closed mid-request (a read timeout, a client that went away): a client
    /// can cause these at will, so they are a rate-limited warning, not one error line each.
    private let closedConnections = RateLimitedLog()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let apiError = APIError.from(error) {
                if apiError.status == .serviceUnavailable {
                    context.logger.warning("database unavailable", metadata: [LogKey.error: "\(apiError.message)"])
                }
                return try apiError.response(from: request, context: context)
            }
            if Self.isConnectionClosed(error) {
                closedConnections.log(
                    context.logger, level: .warning, "connection closed before the request was read",
                    metadata: [LogKey.error: "\(error)"])
                // Most likely nobody reads this answer; if the client still does, it is told why.
                return try APIError(.badRequest, code: "incomplete_request", message: "the request was not received in full")
                    .response(from: request, context: context)
            }
            context.logger.error("unexpected error", metadata: [LogKey.error: "\(String(reflecting: error))"])
            return try APIError(.internalServerError, code: "internal", message: "internal error").response(from: request, context: context)
        }
    }

    private static func isConnectionClosed(_ error: any Error) -> Bool {
        switch error {
        case is ChannelError, is IOError, is CancellationError: true
        default: false
        }
    }
}
