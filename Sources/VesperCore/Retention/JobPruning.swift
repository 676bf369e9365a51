import Foundation

/// A store capability: deleting old finished jobs in small batches.
public protocol JobPruning: Sendable {
    /// Deletes at most `limit` jobs whose status is one of `statuses` (final states only) and that
    /// finished before `finishedBefore`, oldest first, in one short statement, and returns how many
    /// went. Their idempotency keys are free again afterwards.
    ///
    /// Returns 0 without deleting when another node is pruning at this moment (PostgreSQL), so
    /// pruning runs on one node at a time without leader election.
    func pruneFinishedJobs(statuses: [JobStatus], finishedBefore: Date, limit: Int) async throws -> Int
}
