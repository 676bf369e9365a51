import Foundation

extension JobQueue {
    /// Deletes a job that is not running and returns it as it was. Its idempotency key can be
    /// used again afterwards.
    ///
    /// - Throws: ``VesperError`` `notFound`, or `invalidState` for a `processing` job.
    public func delete(id: UUID) async throws -> Job {
        try await administration().delete(id: id)
    }

    /// Makes a `scheduled` job due now (Sidekiq's "run now" / "retry now"): a job waiting for a
    /// retry's backoff is `scheduled` too and runs its next attempt now, its `retries` unchanged.
    /// It then takes its place among the pending jobs in claim order (priority, then age).
    ///
    /// - Throws: ``VesperError`` `notFound`, or `invalidState` for a job in any other state
    ///   (a due `pending` job is already as early as it can be).
    public func runNow(id: UUID) async throws -> Job {
        let job = try await administration().runNow(id: id, now: now())
        onEnqueue()
        return job
    }
}
