import Foundation

/// What a bulk retry did.
public struct BulkRetryResult: Sendable, Equatable {
    /// Jobs put back to `pending`.
    public var retried: Int
    /// Matching jobs in a state retry does not apply to (anything but `dlq` and `failed`), or that
    /// left it while the batch ran.
    public var skipped: Int

    public init(retried: Int = 0, skipped: Int = 0) {
        self.retried = retried
        self.skipped = skipped
    }
}

/// What a bulk delete did.
public struct BulkDeleteResult: Sendable, Equatable {
    /// Jobs removed from the database.
    public var deleted: Int
    /// Matching jobs that were running (`processing`), which are never deleted.
    public var skipped: Int

    public init(deleted: Int = 0, skipped: Int = 0) {
        self.deleted = deleted
        self.skipped = skipped
    }
}

extension JobQueue {
    /// Jobs in a batch of a bulk action unless the caller says otherwise: one statement of 500 ids
    /// is a few milliseconds on either store, so a request for 100,000 jobs holds no lock for long.
    public static let bulkBatchSize = 500

    /// Retries every job matching `query`'s filters (its `limit` and `before` are ignored) that is
    /// `dlq` or `failed`, as ``retry(id:)`` does, `batchSize` jobs per statement; counts the other
    /// matches as skipped. Wakes the dispatcher once per batch that retried any.
    ///
    /// - Throws: ``ValidationError`` for a filter out of range; the store's error when the database
    ///   fails (batches already written stay written, so calling again picks up the rest).
    public func retryAll(matching query: JobQuery, batchSize: Int = JobQueue.bulkBatchSize) async throws -> BulkRetryResult {
        let (acted, skipped) = try await applyToAll(.retry, matching: query, batchSize: batchSize)
        return BulkRetryResult(retried: acted, skipped: skipped)
    }

    /// Deletes every job matching `query`'s filters that is not running, `batchSize` jobs per
    /// statement; counts running matches as skipped.
    ///
    /// A query without any filter is refused: deleting every job of every state is never what a
    /// script with an empty variable meant. To clear everything, delete each state in turn.
    ///
    /// - Throws: as ``retryAll(matching:batchSize:)``, and ``ValidationError`` for a query without a filter.
    public func deleteAll(matching query: JobQuery, batchSize: Int = JobQueue.bulkBatchSize) async throws -> BulkDeleteResult {
        var unpaged = query
        unpaged.before = nil
        guard !JobFilter(unpaged).conditions.isEmpty else {
            throw ValidationError(
                field: "status",
                message: "a bulk delete needs at least one filter (status, type, queue, priority, created_after or created_before); "
                    + "to delete every job, delete each state in turn")
        }
        let (acted, skipped) = try await applyToAll(.delete, matching: query, batchSize: batchSize)
        return BulkDeleteResult(deleted: acted, skipped: skipped)
    }

    /// Walks the filter newest first by `seq`, one store batch at a time, each batch starting below
    /// the smallest `seq` of the previous one. Neither action changes `seq`, so every job that
    /// matched when the walk started is seen once, even though retried or deleted jobs leave the
    /// filter as it goes. The filter's `now` (which tells `pending` from `scheduled`) is the time
    /// the walk started; each batch is written at the time it runs.
    private func applyToAll(_ action: BulkAction, matching query: JobQuery, batchSize: Int) async throws -> (acted: Int, skipped: Int) {
        var page = query
        page.limit = max(1, min(batchSize, JobQuery.limits.upperBound))
        page.before = nil
        try page.validate()
        let store = try administration()
        var acted = 0
        var matched = 0
        while true {
            let batch = try await store.apply(action, toBatchOf: JobFilter(page), now: now())
            acted += batch.acted
            matched += batch.matched
            // One wake-up per batch, not per job: each wake-up costs the dispatcher a claim.
            if action == .retry && batch.acted > 0 { onEnqueue() }
            guard batch.matched >= page.limit, let last = batch.lastSequence else { break }
            page.before = last
        }
        return (acted, matched - acted)
    }

    /// The store's ``JobAdministration``, or an error naming the store that lacks it.
    func administration() throws -> any JobAdministration {
        guard let administration = store as? any JobAdministration else {
            throw VesperError(.invalidState, "\(store.displayName) cannot delete jobs, run them now or act on them in bulk")
        }
        return administration
    }
}
