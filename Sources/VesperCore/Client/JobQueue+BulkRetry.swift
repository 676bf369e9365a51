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

extension JobQueue {
    /// Retries every job matching `query`'s filters (its `limit` and `before` are ignored), the way
    /// ``retry(id:)`` retries one: pages through the filter newest first, `batchSize` jobs a page
    /// through the same indexes as ``list(_:)``, and retries each `dlq` or `failed` job as
    /// ``retry(id:)`` does, waking the dispatcher once per page.
    ///
    /// Retrying keeps a job's `seq`, so the cursor walk sees every match that existed when it
    /// started exactly once, even though retried jobs leave a `status=dlq` filter as it goes.
    ///
    /// - Throws: ``ValidationError`` for a filter out of range; the store's error when the database
    ///   fails (jobs retried before that stay retried).
    public func retryAll(matching query: JobQuery, batchSize: Int = 500) async throws -> BulkRetryResult {
        var page = query
        page.limit = max(1, min(batchSize, 1000))
        page.before = nil
        try page.validate()
        var result = BulkRetryResult()
        while true {
            page.now = now()
            let jobs = try await store.listJobs(page)
            let retriedBefore = result.retried
            for job in jobs {
                switch job.status(at: page.now) {
                case .dlq, .failed:
                    do {
                        _ = try await store.retry(id: job.id, now: now())
                        result.retried += 1
                    } catch let error as VesperError where error.code == .invalidState || error.code == .notFound {
                        result.skipped += 1  // retried, deleted or otherwise moved on since it was listed
                    }
                default:
                    result.skipped += 1
                }
            }
            // One wake-up per page, not per job: each wake-up costs the dispatcher a claim.
            if result.retried > retriedBefore { onEnqueue() }
            guard page.hasMore(after: jobs), let last = jobs.last else { break }
            page.before = last.sequence
        }
        return result
    }
}
