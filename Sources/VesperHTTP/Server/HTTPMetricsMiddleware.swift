import Hummingbird
import VesperCore

/// Counts requests by method, route and status, and times them (`vesper_http_*`).
/// Routes are their templates (`/jobs/{id}`), never raw paths, so label sets stay small.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: HTTPMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.map(Self.template) ?? "unmatched"
        metrics.request(method: request.method.rawValue, route: route, status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }

    /// `/jobs/:id` as `/jobs/{id}`. Most routes have no parameter and are returned as they are,
    /// without Foundation's `replacingOccurrences` (which cost a bridge and allocations per request).
    static func template(_ path: String) -> String {
        guard path.utf8.contains(UInt8(ascii: ":")) else { return path }
        return path.replacingOccurrences(of: ":id", with: "{id}")
    }
}
