import Foundation

/// A store capability: the operator's actions beyond retry and cancel — deleting a job, making a
/// scheduled job due now, and retrying or deleting every job a filter matches, a batch at a time.
public protocol JobAdministration: Sendable {
    /// Deletes a job that is not `processing` and returns it as it was. Its idempotency key is free
    /// again afterwards.
    ///
    /// - Throws: ``VesperError`` `notFound`, or `invalidState` for a running job.
    func delete(id: UUID) async throws -> Job

    /// Sets `run_at` of a scheduled job (`pending` and not yet due at `now`) to `now`, so the next
    /// claim can take it. `retries` and `attempt` stay as they are: a job waiting for its retry's
    /// backoff runs its next attempt now.
    ///
    /// - Throws: ``VesperError`` `notFound`, or `invalidState` for a job in any other state.
    func runNow(id: UUID, now: Date) async throws -> Job

    /// One batch of a bulk action, in one statement or transaction: takes the rows that
    /// `filter` lists (newest first, at most `filter.limit`, through the same index walk as
    /// ``JobStore/listJobs(_:)``; the payload budget does not apply) and applies `action` at `now`
    /// to those in a state in ``BulkAction/appliesTo``. Rows that change state concurrently are
    /// judged by their state when the statement reaches them.
    func apply(_ action: BulkAction, toBatchOf filter: JobFilter, now: Date) async throws -> BulkBatch
}
