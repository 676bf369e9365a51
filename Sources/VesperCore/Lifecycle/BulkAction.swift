/// An operator's action on many jobs chosen by a filter (`POST /jobs/retry`, `POST /jobs/delete`),
/// and the stored states it applies to. Matching jobs in any other state are skipped and counted.
public enum BulkAction: String, Sendable, CaseIterable {
    /// Back to `pending` with retries reset, as a single retry does.
    case retry
    /// Gone from the database, idempotency key and all.
    case delete

    /// The stored states the action changes. A running (`processing`) job is never deleted: its node
    /// would finish an attempt whose row is gone.
    public var appliesTo: [JobStatus] {
        switch self {
        case .retry: [.dlq, .failed]
        case .delete: [.pending, .done, .failed, .dlq, .cancelled]
        }
    }
}

/// What one batch of a bulk action did: how many matching rows it looked at, how many it changed,
/// and where the next batch starts.
public struct BulkBatch: Sendable, Equatable {
    /// Matching rows in the batch (at most the filter's limit).
    public var matched: Int
    /// Of those, the rows the action changed; the rest were in a state it does not apply to.
    public var acted: Int
    /// The smallest `seq` of the batch, the cursor of the next one; `nil` when nothing matched.
    public var lastSequence: Int64?

    public init(matched: Int, acted: Int, lastSequence: Int64?) {
        self.matched = matched
        self.acted = acted
        self.lastSequence = lastSequence
    }
}
