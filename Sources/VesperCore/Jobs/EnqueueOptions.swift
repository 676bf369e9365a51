import Foundation

/// How to enqueue one typed job; every property overrides the type's ``JobTypeDefaults`` and
/// defaults to `nil` (the type's default, then the node's).
public struct EnqueueOptions: Sendable {
    public var queue: String?
    public var priority: Int?
    public var maxRetries: Int?
    public var timeout: Duration?
    /// Not before this time. Wins over ``delay``.
    public var runAt: Date?
    /// Not before this long from now.
    public var delay: Duration?
    /// Enqueueing the same request again with this key returns the first job.
    public var idempotencyKey: String?
    /// Only nodes of this region (`REGION`) run the job; `nil` lets any node run it.
    public var region: String?
    /// With ``region``: never run elsewhere, even after `REGION_FAILOVER_AFTER` (data residency).
    public var regionStrict: Bool

    /// The tenant whose fair share the job counts against (e.g. `tenant-7`): within its queue,
    /// partitions are claimed in turn at each priority. `nil` leaves the job unpartitioned.
    public var partition: String?
    /// At most `limit` jobs with this key leased at once across the fleet (``JobConcurrency``).
    public var concurrency: JobConcurrency?
    /// Makes the job unique: while a job with the same key is in one of the given states and
    /// younger than the period, enqueueing returns that job instead of a new one. The key
    /// defaults to the type and payload.
    public var unique: UniqueOptions?

    public init(
        queue: String? = nil, priority: Int? = nil, maxRetries: Int? = nil, timeout: Duration? = nil, runAt: Date? = nil,
        delay: Duration? = nil, idempotencyKey: String? = nil, region: String? = nil, regionStrict: Bool = false,
        partition: String? = nil, concurrency: JobConcurrency? = nil, unique: UniqueOptions? = nil
    ) {
        self.region = region
        self.regionStrict = regionStrict
        self.concurrency = concurrency
        self.unique = unique
        self.queue = queue
        self.priority = priority
        self.maxRetries = maxRetries
        self.timeout = timeout
        self.runAt = runAt
        self.delay = delay
        self.idempotencyKey = idempotencyKey
        self.partition = partition
    }
}
