import Foundation

/// How a node's worker pool behaves. Every property has a default suited to production.
public struct WorkerPoolOptions: Sendable {
    /// Concurrent jobs on this node. Defaults to 5.
    public var slots: Int = 5
    /// Identifies this node on the jobs it leases.
    public var nodeID: String
    /// Lease length of a claim. Defaults to 30s.
    public var leaseDuration: Duration = .seconds(30)
    /// How often an idle dispatcher looks for work nobody announced. Defaults to 1s.
    public var pollInterval: Duration = .seconds(1)
    /// How long running jobs may finish after shutdown begins. Defaults to 30s.
    public var shutdownTimeout: Duration = .seconds(30)
    /// How often leases of running jobs are extended and expired leases recovered.
    /// Defaults to a third of the lease.
    public var leaseCheckInterval: Duration?
    /// Largest batch one claim asks for. Defaults to 1,000.
    public var maxClaimBatch: Int = 1_000
    /// Most jobs the node leases ahead of its free slots (`PREFETCH`), so short jobs stream without
    /// a database round trip per slot. The buffer holds enough for ``prefetchHorizon`` or two
    /// claims at the handlers' recent run time (see `PrefetchSizer`), never more than this; long
    /// jobs get none. 0 claims only for free slots. Defaults to 1,000. Not used with
    /// ``queueConcurrency`` limits.
    public var prefetchLimit: Int = 1_000
    /// How much work the prefetch buffer covers at least. Defaults to 10 ms.
    public var prefetchHorizon: Duration = .milliseconds(10)
    /// Prefetched jobs still waiting this long while every slot is busy are handed back to
    /// `pending` for other nodes. Defaults to 1s.
    public var prefetchHold: Duration = .seconds(1)
    /// How long a claim or a read of the best claimable rank lets slots start prefetched jobs
    /// without asking the store again, while nothing arrives on this node. Bounds how late a job
    /// that falls due, or that another process commits unannounced, is seen. Defaults to 5 ms.
    public var orderRecheckInterval: Duration = .milliseconds(5)
    /// Backoff for retryable failures.
    public var retryPolicy: RetryPolicy = RetryPolicy()
    /// Claim only from these queues (`QUEUES`). Defaults to `nil`: every queue.
    public var queues: [String]? = nil
    /// At most this many jobs of a queue run at once on this node (`QUEUE_CONCURRENCY`).
    /// Queues not listed share the node's slots freely. Defaults to no limits.
    public var queueConcurrency: [String: Int] = [:]
    /// This node's region (`REGION`): it claims jobs routed to this region and jobs routed nowhere.
    /// Defaults to `default`.
    public var region: String = NodeInfo.defaultRegion
    /// When a region has had no live node for this long (`REGION_FAILOVER_AFTER`), this node also
    /// claims that region's jobs that are not strict. Defaults to `nil`: never.
    public var regionFailoverAfter: Duration? = nil

    /// Largest result a handler may return, in bytes of JSON (`MAX_RESULT_BYTES`); a larger one
    /// fails the attempt. Defaults to 64 KiB.
    public var maxResultBytes: Int = WorkerPoolOptions.defaultMaxResultBytes

    /// 64 KiB.
    public static let defaultMaxResultBytes = 64 << 10

    public init(nodeID: String) {
        self.nodeID = nodeID
    }

    var effectiveLeaseCheckInterval: Duration { leaseCheckInterval ?? leaseDuration / 3 }

    /// A claim request for this node's region at `now` (the routing part of every claim it makes).
    func routedClaim(
        limit: Int, types: [String]?, leaseUntil: Date, now: Date, queues: [String]?, excludedQueues: [String] = []
    ) -> ClaimRequest {
        ClaimRequest(
            limit: limit, types: types, workerID: nodeID, leaseUntil: leaseUntil, now: now, queues: queues, excludedQueues: excludedQueues,
            region: region, regionFailoverBefore: regionFailoverAfter.map { now.addingTimeInterval(-$0.secondsDouble) })
    }
}
