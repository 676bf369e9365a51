import Foundation

/// The producer's and operator's view of the queue: enqueue, read, list, retry, cancel.
///
/// Single enqueues are group-committed; ``enqueueBatch(_:)`` writes all of its jobs in one
/// transaction or none. Every enqueue tells the local dispatcher (through `onEnqueue`) that work
/// is waiting, so a job posted to an idle node starts without waiting for a poll.
///
/// This is the *queue client*; a *named queue* is the `queue` field of a job.
public final class JobQueue: Sendable {
    /// Defaults for jobs that do not say otherwise, and the limits every job must respect.
    public struct Defaults: Sendable {
        public var maxRetries: Int = 3
        public var timeout: Duration = .seconds(300)
        public var limits: JobLimits = JobLimits()

        public init() {}
    }

    public let store: any JobStore
    public let defaults: Defaults
    /// The clock behind `created_at`, `run_at` and the `scheduled` status.
    public let clock: WallClock
    private let batcher: EnqueueBatcher
    private let atomicBatch: (any AtomicBatchEnqueue)?
    private let metrics: VesperMetrics
    /// Middleware whose ``JobMiddleware/enqueue(_:)`` runs before every job is stored.
    public let middleware: JobMiddlewareStack
    /// Wakes this node's dispatcher (internal so `retryAll` can wake it once per page, not per job).
    let onEnqueue: @Sendable () -> Void

    /// - Parameters:
    ///   - metrics: where enqueued jobs are counted; a node passes the one it owns.
    ///   - middleware: run on every job before it is stored (a node passes the stack it owns).
    ///   - onEnqueue: called after jobs were stored, to wake this node's dispatcher.
    public init(
        store: any JobStore, defaults: Defaults = Defaults(), clock: WallClock = .system, metrics: VesperMetrics = VesperMetrics(),
        middleware: JobMiddlewareStack = JobMiddlewareStack(), onEnqueue: @escaping @Sendable () -> Void = {}
    ) {
        self.middleware = middleware
        self.store = store
        self.defaults = defaults
        self.clock = clock
        self.metrics = metrics
        self.onEnqueue = onEnqueue
        self.atomicBatch = StoreCapabilities(of: store).atomicBatch
        self.batcher = EnqueueBatcher { jobs in try await store.enqueue(jobs, now: clock.now()) }
    }

    /// Builds a ``NewJob`` with this queue's defaults.
    public func newJob(
        type: String, queue: String = NewJob.defaultQueue, priority: Int = 0, payloadJSON: String = "{}",
        maxRetries: Int? = nil, runAt: Date? = nil, timeoutSeconds: Double? = nil, idempotencyKey: String? = nil,
        region: String? = nil, regionStrict: Bool = false
    ) -> NewJob {
        NewJob(
            type: type, queue: queue, priority: priority, payloadJSON: payloadJSON,
            maxRetries: maxRetries ?? defaults.maxRetries, runAt: runAt,
            timeoutSeconds: timeoutSeconds ?? defaults.timeout.secondsDouble, idempotencyKey: idempotencyKey,
            region: region, regionStrict: regionStrict
        )
    }

    /// Stores one job durably. Returns `.created`, or `.existing`/`.conflict` for a known idempotency key.
    ///
    /// - Throws: ``ValidationError`` for a bad field, or the store's error when the database fails.
    public func enqueue(_ job: NewJob) async throws -> EnqueueOutcome {
        var job = job
        try await middleware.prepare(&job)
        try job.validate(limits: defaults.limits)
        let outcome = try await batcher.enqueue(job)
        if case .created = outcome {
            metrics.jobEnqueued(type: job.type, priority: job.priority)
            onEnqueue()
        }
        return outcome
    }

    /// Stores every job in one transaction, or none of them. A job whose idempotency key was used
    /// for the same request comes back `.existing`; one used for a different request aborts the
    /// whole batch with ``VesperError`` (`idempotencyConflict`).
    ///
    /// - Throws: ``ValidationError`` whose field is prefixed with the job's index (`jobs[3].priority`).
    public func enqueueBatch(_ jobs: [NewJob]) async throws -> [EnqueueOutcome] {
        var jobs = jobs
        for index in jobs.indices { try await middleware.prepare(&jobs[index]) }
        for (index, job) in jobs.enumerated() {
            do {
                try job.validate(limits: defaults.limits)
            } catch {
                throw ValidationError(field: "jobs[\(index)].\(error.field)", message: "jobs[\(index)]: \(error.message)")
            }
        }
        guard !jobs.isEmpty else { return [] }
        guard let atomic = atomicBatch else {
            throw VesperError(.invalidState, "\(store.displayName) cannot store atomic batches")
        }
        let outcomes = try await atomic.enqueueAll(jobs, now: clock.now())
        metrics.jobsEnqueued(outcomes)
        onEnqueue()
        return outcomes
    }

    /// The job with this id, or `nil`.
    public func job(id: UUID) async throws -> Job? {
        try await store.job(id: id)
    }

    /// Jobs matching `query`, newest first; see ``JobQuery/payloadBudget`` for where a page ends.
    ///
    /// - Throws: ``ValidationError`` for a filter out of range.
    public func list(_ query: JobQuery) async throws -> [Job] {
        try query.validate()
        return try await store.listJobs(query)
    }

    /// Puts a `dlq` or `failed` job back to `pending` with its retries reset.
    public func retry(id: UUID) async throws -> Job {
        let job = try await store.retry(id: id, now: clock.now())
        onEnqueue()
        return job
    }

    /// Cancels a `pending` or `scheduled` job.
    public func cancel(id: UUID) async throws -> Job {
        try await store.cancel(id: id, now: clock.now())
    }

    /// The current time on this queue's clock.
    public func now() -> Date { clock.now() }
}
