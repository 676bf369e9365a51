import Foundation

/// Runs one attempt: the job's handler, in a task of its own under the job's timeout (enforced by
/// the ``TimeoutWatchdog``), and decides with the ``RetryPolicy`` what the store records.
struct AttemptRunner: Sendable {
    /// What happened to the handler.
    enum HandlerResult {
        case success
        case failure(any Error)
        case timedOut
    }

    /// One attempt, ended.
    struct Ran: Sendable {
        var attempt: FinishedAttempt
        /// Handler run time, on the monotonic clock.
        var duration: Duration
        /// When it ended, on the monotonic clock.
        var ended: ContinuousClock.Instant
    }

    let registry: HandlerRegistry
    let retryPolicy: RetryPolicy
    let nodeID: String
    let clock: WallClock
    let watchdog: TimeoutWatchdog

    /// Runs `job`'s handler. A cancelled attempt (shutdown timeout) is released, not counted.
    func run(_ job: Job) async -> Ran {
        let started = clock.now()
        let began = ContinuousClock.now
        let result: HandlerResult
        if let handler = registry.handler(for: job.type) {
            result = await runHandler(handler, job: job, timeout: .secondsDouble(job.timeoutSeconds))
        } else {
            result = .failure(JobError.retryable("no handler for type \(job.type) on node \(nodeID)"))
        }
        let finished = clock.now()
        let ended = ContinuousClock.now
        let outcome = Task.isCancelled ? Completion.Outcome.release : Self.decide(result, job: job, now: finished, retryPolicy: retryPolicy)
        let attempt = FinishedAttempt(job: job, outcome: outcome.attemptOutcome, completion: outcome, started: started, finished: finished)
        return Ran(attempt: attempt, duration: ended - began, ended: ended)
    }

    /// Runs the handler in a task of its own, which the watchdog can cancel alone.
    private func runHandler(_ handler: @escaping JobHandler, job: Job, timeout: Duration) async -> HandlerResult {
        let task = Task { try await handler(job) }
        watchdog.watch(job.leaseToken, until: .now + timeout, cancel: { task.cancel() })
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        if watchdog.unwatch(job.leaseToken) { return .timedOut }
        switch result {
        case .success: return .success
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
