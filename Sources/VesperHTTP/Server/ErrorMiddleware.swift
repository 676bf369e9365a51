import Hummingbird
import Logging
import VesperCore

/// Renders every error in the API's JSON error shape. Errors that are not the client's fault are
/// logged and answered with a 500 that reveals nothing internal.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
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
            context.logger.error("unexpected error", metadata: [LogKey.error: "\(String(reflecting: error))"])
            return try APIError(.internalServerError, code: "internal", message: "internal error").response(from: request, context: context)
        }
    }
}
