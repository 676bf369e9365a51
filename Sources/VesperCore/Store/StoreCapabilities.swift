/// The optional capabilities of one store, found once when it is opened rather than by a cast at
/// every place that needs one.
public struct StoreCapabilities: Sendable {
    /// All-or-nothing batches (`POST /jobs/batch`).
    public var atomicBatch: (any AtomicBatchEnqueue)?
    /// Fleet-wide pause and resume of named queues, and their counts.
    public var queueControl: (any QueueControl)?
    /// Queue and fleet statistics, for `/stats` and the sampled gauges.
    public var statistics: (any QueueStatisticsSource)?
    /// Deleting finished jobs (retention).
    public var pruning: (any JobPruning)?
    /// Waking other nodes when jobs are enqueued.
    public var notifications: (any JobNotifications)?
    /// Finished jobs per minute (the dashboard's chart).
    public var throughput: (any ThroughputHistorySource)?
    /// Jobs by idempotency key (the dashboard's cron page).
    public var keyLookup: (any IdempotencyKeyLookup)?
    /// Deleting jobs, running scheduled ones now, bulk retry and delete by filter.
    public var administration: (any JobAdministration)?
    /// Reading the best claimable rank in the transaction that writes completions.
    public var rankReadingFinish: (any RankReadingFinish)?

    /// The capabilities `store` offers.
    public init(of store: any JobStore) {
        atomicBatch = store as? any AtomicBatchEnqueue
        queueControl = store as? any QueueControl
        statistics = store as? any QueueStatisticsSource
        pruning = store as? any JobPruning
        notifications = store as? any JobNotifications
        throughput = store as? any ThroughputHistorySource
        keyLookup = store as? any IdempotencyKeyLookup
        administration = store as? any JobAdministration
        rankReadingFinish = store as? any RankReadingFinish
    }
}
