import Foundation
import Hummingbird
import VesperCore

/// `DELETE /jobs/{id}` and `POST /jobs/{id}/run`: the operator's actions on one job besides retry
/// and cancel (admin only, like every write but submitting).
struct JobAdministrationRoutes<Context: RequestContext> {
    /// The queue client (not a named queue).
    let client: JobQueue

    func register(on router: some RouterMethods<Context>) {
        router.delete("jobs/:id", use: delete)
        router.post("jobs/:id/run", use: runNow)
    }

    /// Deletes a job that is not running: `200` with the job as it was (so a caller can log what
    /// it removed), `404` for an unknown id, `409` for a `processing` job.
    @Sendable func delete(_ request: Request, context: Context) async throws -> Response {
        let job = try await client.delete(id: try context.jobID())
        return Response.json(JobJSON.render(job, now: client.now()))
    }

    /// Makes a `scheduled` job due now: `200` with the job, `409` for any other state.
    @Sendable func runNow(_ request: Request, context: Context) async throws -> Response {
        let job = try await client.runNow(id: try context.jobID())
        return Response.json(JobJSON.render(job, now: client.now()))
    }

}
