import Hummingbird
import VesperCore

/// Counts requests by method, route and status, and times them (`vesper_http_*`).
/// Routes are their templates (`/jobs/{id}`), never raw paths, so label sets stay small.
struct HTTPMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: VesperMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let route = context.endpointPath.map { $0.replacingOccurrences(of: ":id", with: "{id}") } ?? "unmatched"
        metrics.httpRequest(method: request.method.rawValue, route: route, status: response.status.code, duration: ContinuousClock.now - start)
        return response
    }
}
