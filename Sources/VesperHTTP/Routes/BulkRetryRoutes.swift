import Hummingbird
import VesperCore

/// `POST /jobs/retry?status=dlq&queue=...`: retries every job matching the filters of `GET /jobs`
/// (admin only, like every write but submitting), answering `{"retried": N, "skipped": M}`.
struct BulkRetryRoutes<Context: RequestContext> {
    let queue: JobQueue

    func register(on router: some RouterMethods<Context>) {
        router.post("jobs/retry", use: retryAll)
    }

    @Sendable func retryAll(_ request: Request, context: Context) async throws -> Response {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        try JobFilterParameters.rejectUnknown(
            parameters.filter { $0.key != "cursor" && $0.key != "limit" }, allowed: JobFilterParameters.filterNames, endpoint: "POST /jobs/retry")
        guard parameters["cursor"] == nil, parameters["limit"] == nil else {
            throw ValidationError(field: parameters["cursor"] != nil ? "cursor" : "limit", message: "a bulk retry acts on every match; cursor and limit do not apply")
        }
        let query = try JobFilterParameters.query(parameters, now: queue.now())
        let result = try await queue.retryAll(matching: query)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("retried", result.retried)
        writer.field("skipped", result.skipped)
        writer.endObject()
        return Response.json(writer.output)
    }
}
