import Foundation

extension JobQueue {
    /// Enqueues `job` as a job of type `J.type` whose payload is `job` encoded as JSON, with `J`'s
    /// defaults unless `options` says otherwise, and returns the stored job.
    ///
    /// With an idempotency key already used for the same request, returns the existing job; for a
    /// different request, throws ``VesperError`` with code `idempotencyConflict`.
    ///
    /// - Throws: ``ValidationError`` for a bad field, `EncodingError` when `job` does not encode.
    @discardableResult
    public func enqueue<J: VesperJob>(_ job: J, options: EnqueueOptions = EnqueueOptions()) async throws -> Job {
        try await enqueueReturningJob(newJob(job, options: options))
    }

    /// The ``NewJob`` that ``enqueue(_:options:)`` stores, for a batch or a transaction of your own.
    public func newJob<J: VesperJob>(_ job: J, options: EnqueueOptions = EnqueueOptions()) throws -> NewJob {
        let data = try JSONEncoder().encode(job)
        let typeDefaults = J.defaults
        let runAt = options.runAt ?? options.delay.map { now().addingTimeInterval($0.secondsDouble) }
        var newJob = newJob(
            type: J.type, queue: options.queue ?? typeDefaults.queue ?? NewJob.defaultQueue,
            priority: options.priority ?? typeDefaults.priority ?? 0, payloadJSON: String(decoding: data, as: UTF8.self),
            maxRetries: options.maxRetries ?? typeDefaults.maxRetries, runAt: runAt,
            timeoutSeconds: (options.timeout ?? typeDefaults.timeout)?.secondsDouble, idempotencyKey: options.idempotencyKey,
            region: options.region, regionStrict: options.regionStrict)
        newJob.partition = options.partition
        newJob.concurrency = options.concurrency
        newJob.unique = options.unique?.constraint(type: newJob.type, payloadJSON: newJob.payloadJSON)
        return newJob
    }

    /// Enqueues `job` and returns the stored job, turning an idempotency conflict into an error.
    /// For a unique job whose key is held, the stored job is the holder (compare ids to tell).
    public func enqueueReturningJob(_ job: NewJob) async throws -> Job {
        switch try await enqueue(job) {
        case .created(let job), .existing(let job), .duplicate(let job):
            return job
        case .conflict(let key, _):
            throw VesperError(.idempotencyConflict, "idempotency key \"\(key)\" was already used for a different request")
        }
    }
}
