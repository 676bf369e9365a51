import Hummingbird
import VesperCore

/// `POST /jobs/retry` and `POST /jobs/delete` with the filters of `GET /jobs` as query parameters
/// (admin only, like every write but submitting): act on every match in batches and answer how
/// many were acted on and how many matches were skipped because the action does not apply to
/// their state: `{"retried": N, "skipped": M}`, `{"deleted": N, "skipped": M}`.
struct BulkActionRoutes<Context: RequestContext> {
    let queue: JobQueue

    func register(on router: some RouterMethods<Context>) {
        router.post("jobs/retry", use: retryAll)
        router.post("jobs/delete", use: deleteAll)
    }

    @Sendable func retryAll(_ request: Request, context: Context) async throws -> Response {
        let query = try filter(request, endpoint: "POST /jobs/retry", exact: false)
        let result = try await queue.retryAll(matching: query)
        return Self.answer("retried", result.retried, skipped: result.skipped)
    }

    /// A request without any filter is a 400 (see ``JobQueue/deleteAll(matching:batchSize:)``).
    @Sendable func deleteAll(_ request: Request, context: Context) async throws -> Response {
        let query = try filter(request, endpoint: "POST /jobs/delete", exact: true)
        let result = try await queue.deleteAll(matching: query)
        return Self.answer("deleted", result.deleted, skipped: result.skipped)
    }

    /// The request's filters as a ``JobQuery``: unknown parameters, `cursor` and `limit` are 400s.
    private func filter(_ request: Request, endpoint: String, exact: Bool) throws -> JobQuery {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        try JobFilterParameters.rejectUnknown(
            parameters.filter { $0.key != "cursor" && $0.key != "limit" }, allowed: JobFilterParameters.filterNames, endpoint: endpoint)
        guard parameters["cursor"] == nil, parameters["limit"] == nil else {
            throw ValidationError(
                field: parameters["cursor"] != nil ? "cursor" : "limit", message: "\(endpoint) acts on every match; cursor and limit do not apply")
        }
        // Delete takes values exactly as sent (`status=` is a bad status, not "no filter"), as `GET /jobs` does.
        return try JobFilterParameters.query(parameters, now: queue.now(), blankIsAbsent: !exact)
    }

    private static func answer(_ name: String, _ count: Int, skipped: Int) -> Response {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field(name, count)
        writer.field("skipped", skipped)
        writer.endObject()
        return Response.json(writer.output)
    }
}
