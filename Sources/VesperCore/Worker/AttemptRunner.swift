import Foundation
import Logging

/// Runs one attempt: the job's handler, in a task of its own under the job's timeout (enforced by
/// the ``TimeoutWatchdog``), and decides with the ``RetryPolicy`` what the store records.
struct AttemptRunner: Sendable {
    /// What happened to the handler.
    enum HandlerResult {
        case success(JobResult?)
        case failure(any Error)
        case timedOut
        /// An operator cancelled the job; the store has already recorded it.
        case cancelledByRequest
    }

    /// One attempt, ended.
    struct Ran: Sendable {
        var attempt: FinishedAttempt
        /// The result to store with a `done` outcome.
        var result: String?
        /// The store already ended this attempt (`cancelled` at an operator's request): there is
        /// no completion to write, and the attempt is reported as it is.
        var cancelledByRequest: Bool
        /// Handler run time, on the monotonic clock.
        var duration: Duration
        /// When it ended, on the monotonic clock.
        var ended: ContinuousClock.Instant
    }

    /// Each type's handler, wrapped in the registry's middleware once.
    private let handlers: [String: HandlerRegistry.Entry]
    private let fallback: ContextHandler?
    let retryPolicy: RetryPolicy
    let nodeID: String
    let clock: WallClock
    let watchdog: TimeoutWatchdog
    let progress: ProgressBoard
    /// Results larger than this fail the attempt (`MAX_RESULT_BYTES`).
    let maxResultBytes: Int
    /// The logger handlers get in their ``JobContext``, with the job's metadata added.
    let logger: Logger

    init(
        registry: HandlerRegistry, retryPolicy: RetryPolicy, nodeID: String, clock: WallClock, watchdog: TimeoutWatchdog,
        progress: ProgressBoard, maxResultBytes: Int, logger: Logger
    ) {
        (self.handlers, self.fallback) = registry.wrapped()
        self.retryPolicy = retryPolicy
        self.nodeID = nodeID
        self.clock = clock
        self.watchdog = watchdog
        self.progress = progress
        self.maxResultBytes = maxResultBytes
        self.logger = logger
    }

    /// Runs `job`'s handler. A cancelled attempt (shutdown timeout) is released, not counted.
    func run(_ job: Job) async -> Ran {
        let started = clock.now()
        let began = ContinuousClock.now
        var result: HandlerResult
        let entry = handlers[job.type]
        if let handler = entry?.handler ?? fallback {
            let timeout = Duration.secondsDouble(job.timeoutSeconds)
            let context = JobContext(job: job, deadline: started.addingTimeInterval(job.timeoutSeconds), logger: logger)
            result = await runHandler(handler, context: context, timeout: timeout)
        } else {
            result = .failure(JobError.retryable("no handler for type \(job.type) on node \(nodeID)"))
        }
        progress.remove(job.leaseToken)
        if case .success(let value?) = result, value.json.utf8.count > maxResultBytes {
            result = .failure(
                JobError.retryable("result is \(value.json.utf8.count) bytes, more than MAX_RESULT_BYTES (\(maxResultBytes))"))
        }
        let finished = clock.now()
        let ended = ContinuousClock.now
        if case .cancelledByRequest = result {
            let attempt = FinishedAttempt(
                job: job, outcome: .cancelled, completion: .failed(error: CancelRequest.error), started: started, finished: finished)
            return Ran(attempt: attempt, result: nil, cancelledByRequest: true, duration: ended - began, ended: ended)
        }
        let outcome = Task.isCancelled ? Completion.Outcome.release : Self.decide(result, job: job, now: finished, retryPolicy: entry?.retryPolicy ?? retryPolicy)
        let attempt = FinishedAttempt(job: job, outcome: outcome.attemptOutcome, completion: outcome, started: started, finished: finished)
        var stored: String?
        if case .done = outcome, case .success(let value) = result { stored = value?.json }
        return Ran(attempt: attempt, result: stored, cancelledByRequest: false, duration: ended - began, ended: ended)
    }

    /// Runs the handler in a task of its own, which the watchdog can cancel alone, with the job's
    /// ``JobProgressReporter`` as a task-local.
    private func runHandler(_ handler: @escaping ContextHandler, context: JobContext, timeout: Duration) async -> HandlerResult {
        let job = context.job
        let reporter = JobProgressReporter(token: job.leaseToken, board: progress, clock: clock)
        let task = Task {
            try await JobProgressReporter.$current.withValue(reporter) { try await handler(context) }
            return context.resultSlot.take()
        }
        watchdog.watch(job.leaseToken, until: .now + timeout, cancel: { task.cancel() })
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        switch watchdog.unwatch(job.leaseToken) {
        case .timedOut: return .timedOut
        case .cancelledByRequest: return .cancelledByRequest
        case .returned: break
        }
        switch result {
        case .success(let value): return .success(value)
        case .failure(let error): return .failure(error)
        }
    }

    /// Turns a handler's result into what the store records: done, a retry after the policy's
    /// delay, the dead-letter queue when no retries are left, or failed for a permanent error.
    static func decide(_ result: HandlerResult, job: Job, now: Date, retryPolicy: RetryPolicy) -> Completion.Outcome {
        let message: String
        switch result {
        case .success:
            return .done
        case .timedOut:
            message = "timeout"
        case .failure(let snooze as JobSnooze):
            return .snooze(runAt: now.addingTimeInterval(max(0, snooze.delay.secondsDouble)))
        case .cancelledByRequest:
            // Recorded by the store; never written as a completion.
            return .failed(error: CancelRequest.error)
        case .failure(let error as JobError) where !error.isRetryable:
            return .failed(error: truncate(error.message))
        case .failure(let error as JobError):
            message = error.message
        case .failure(let error):
            message = String(describing: error)
        }
        guard job.retries < job.maxRetries else {
            return .deadLetter(error: truncate(message))
        }
        let delay = retryPolicy.delay(afterRetries: job.retries)
        return .retry(error: truncate(message), runAt: now.addingTimeInterval(delay.secondsDouble))
    }

    /// Error texts are stored up to 4 KiB.
    static func truncate(_ message: String) -> String {
        message.utf8.count <= 4096 ? message : String(message.prefix(4096))
    }
}
