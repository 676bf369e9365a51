import Foundation
import Logging

/// What a handler knows about the attempt it runs: which job, which try, how long it may take, a
/// logger that tags every line with the job, and cancellation.
///
/// Middleware receives the context before the handler and may pass on a changed one (more logger
/// metadata, for example). New capabilities are added here as members, so handler closures keep
/// their `(payload, context)` shape.
public struct JobContext: Sendable {
    /// The job as claimed for this attempt (payload text, counts, timestamps).
    public let job: Job
    /// When this attempt is cancelled for running past the job's timeout (wall clock).
    public let deadline: Date
    /// A logger whose metadata carries the job's id, type, queue and attempt, and the producer's
    /// W3C trace id when the job carries one. Built when read (unless middleware set one): most
    /// handlers never log, and building the metadata for every attempt cost more than a no-op job.
    public var logger: Logger {
        get { customLogger ?? Self.tagged(baseLogger, with: job) }
        set { customLogger = newValue }
    }
    private let baseLogger: Logger
    private var customLogger: Logger?
    /// The attempt's result, if the handler sets one.
    let resultSlot = JobResultSlot()

    public init(job: Job, deadline: Date, logger: Logger) {
        self.job = job
        self.deadline = deadline
        self.baseLogger = logger
    }

    private static func tagged(_ logger: Logger, with job: Job) -> Logger {
        var logger = logger
        logger[metadataKey: LogKey.jobID] = "\(job.id.lowercaseText)"
        logger[metadataKey: LogKey.jobType] = "\(job.type)"
        logger[metadataKey: LogKey.queue] = "\(job.queue)"
        logger[metadataKey: LogKey.attempt] = "\(job.attempt)"
        if let traceID = job.traceContext?.traceID { logger[metadataKey: LogKey.traceID] = "\(traceID)" }
        return logger
    }

    public var id: UUID { job.id }
    public var type: String { job.type }
    public var queue: String { job.queue }
    /// The tenant the job counts against for fair shares, if it has one.
    public var partition: String? { job.partition }
    /// 1 on the first claim; every claim (a retry, a snooze, a lost lease) adds one.
    public var attempt: Int { job.attempt }
    /// Failures still allowed after this attempt before the job is dead-lettered; 0 on the last try.
    public var retriesLeft: Int { max(0, job.maxRetries - job.retries) }

    /// True once the attempt is cancelled: its timeout passed, or the node shuts down and its
    /// grace period is over. A long handler should check it and stop.
    public var isCancelled: Bool { Task.isCancelled }

    /// Throws `CancellationError` once the attempt is cancelled (see ``isCancelled``).
    public func checkCancellation() throws {
        try Task.checkCancellation()
    }

    /// Stores `result` with the job when this attempt ends `done` (`nil`: none). Typed handlers
    /// registered with `returning:` set it from their return value.
    public func setResult(_ result: JobResult?) {
        resultSlot.set(result)
    }

    /// Reports progress (0-100, and a short message) for `GET /jobs/{id}`; the latest report is
    /// written with the next heartbeat. See ``JobProgressReporter``.
    public func reportProgress(percent: Int, message: String = "") {
        JobProgressReporter.report(percent: percent, message: message)
    }
}
