import Foundation

/// A job as stored: what to run, with which payload, and where it is in its life.
public struct Job: Sendable, Equatable {
    /// Assigned on enqueue.
    public var id: UUID
    /// The handler name.
    public var type: String
    /// The named queue, `default` unless given.
    public var queue: String
    /// 0-10, higher runs first.
    public var priority: Int
    /// The payload exactly as submitted: a JSON text.
    public var payload: String
    /// The status as stored (`pending` jobs are reported `scheduled` while `runAt` is in the future).
    public var storedStatus: JobStatus
    /// Failed attempts so far.
    public var retries: Int
    /// Failed attempts allowed before the job goes to the dead-letter queue.
    public var maxRetries: Int
    /// The last error message, empty when none.
    public var error: String
    /// Not claimable before this time.
    public var runAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Unique among stored jobs when set.
    public var idempotencyKey: String?
    /// Claims so far; the current one is the fencing token a node must present to finish the job.
    public var attempt: Int
    /// How long one attempt may run before it is cancelled and counted as failed.
    public var timeoutSeconds: Double
    /// The node holding the lease while `processing`.
    public var workerID: String?
    /// When the current lease runs out.
    public var leaseUntil: Date?
    /// The store's insertion sequence: FIFO order among equal ranks, and the paging cursor.
    public var sequence: Int64
    /// The tenant this job's fair share counts against (`nil`: not partitioned). Within a queue,
    /// partitions take turns at each priority; see ``ClaimOrder``.
    public var partition: String?
    /// The job's place in its partition's turn (a start tag): 0 for a job without a partition.
    public var fairTag: Int64
    /// The producer's trace context, as stored on enqueue; `nil` when there is none.
    public var traceContext: JobTraceContext?
    /// An operator asked to cancel the job while it was `processing`; the node holding it cancels
    /// the handler at its next lease extension and the job ends `cancelled`.
    public var cancelRequested: Bool
    /// What the handler returned, as a JSON text (`nil` when it returned nothing). Read by
    /// ``JobStore/job(id:)`` only; listings leave it `nil`.
    public var result: String?
    /// The current attempt's last reported progress, if it reported any.
    public var progress: JobProgress?
    /// Every attempt so far, oldest first. Read by ``JobStore/job(id:)`` only; `nil` when not read.
    public var attempts: [AttemptRecord]?
    /// Only nodes of this region run the job (`nil`: any node); see ``NewJob/region``.
    public var region: String?
    /// The job waits for its region even when the region has failed over; see ``NewJob/regionStrict``.
    public var regionStrict: Bool
    /// The fleet-wide concurrency key and limit the job was enqueued with; read back by a single
    /// job's read (`nil` in listings and claims, like ``result``).
    public var concurrency: JobConcurrency?
    /// The unique key the job was enqueued with (``UniqueConstraint``), `nil` without one. Read by
    /// ``JobStore/job(id:)`` and returned by enqueue; listings and claims leave it `nil`.
    public var uniqueKey: String?

    public init(
        id: UUID, type: String, queue: String, priority: Int, payload: String, storedStatus: JobStatus,
        retries: Int, maxRetries: Int, error: String, runAt: Date, createdAt: Date, updatedAt: Date,
        startedAt: Date?, finishedAt: Date?, idempotencyKey: String?, attempt: Int, timeoutSeconds: Double,
        workerID: String?, leaseUntil: Date?, sequence: Int64, cancelRequested: Bool = false, result: String? = nil,
        progress: JobProgress? = nil, attempts: [AttemptRecord]? = nil, traceContext: JobTraceContext? = nil,
        region: String? = nil, regionStrict: Bool = false, partition: String? = nil, fairTag: Int64 = 0,
        concurrency: JobConcurrency? = nil, uniqueKey: String? = nil
    ) {
        self.concurrency = concurrency
        self.uniqueKey = uniqueKey
        self.id = id
        self.type = type
        self.queue = queue
        self.priority = priority
        self.payload = payload
        self.storedStatus = storedStatus
        self.retries = retries
        self.maxRetries = maxRetries
        self.error = error
        self.runAt = runAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.idempotencyKey = idempotencyKey
        self.attempt = attempt
        self.timeoutSeconds = timeoutSeconds
        self.workerID = workerID
        self.leaseUntil = leaseUntil
        self.sequence = sequence
        self.partition = partition
        self.fairTag = fairTag
        self.traceContext = traceContext
        self.cancelRequested = cancelRequested
        self.result = result
        self.progress = progress
        self.attempts = attempts
        self.region = region
        self.regionStrict = regionStrict
    }

    /// The status a user sees at `now`: `scheduled` for a pending job that is not yet due.
    public func status(at now: Date = Date()) -> JobStatus {
        if storedStatus == .pending && runAt > now { return .scheduled }
        return storedStatus
    }

    /// Decodes the payload into a type of the handler's choosing.
    public func decodePayload<T: Decodable>(as type: T.Type = T.self, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(T.self, from: Data(payload.utf8))
    }
}
