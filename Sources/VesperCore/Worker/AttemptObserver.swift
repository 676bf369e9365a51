import Foundation

/// What a worker pool reports about the jobs it runs: the one seam through which metrics and
/// per-job logs reach the pool (``StandardAttemptObserver`` is the default). Calls come from the
/// pool's tasks, outside its locks, and should return quickly.
public protocol AttemptObserver: Sendable {
    /// An attempt ended and the store has ruled on its result: either applied (the outcome says
    /// what happened) or rejected as stale (``AttemptOutcome/lostLease``).
    func attemptFinished(_ attempt: FinishedAttempt)

    /// The number of busy slots may have changed.
    func slotsChanged(total: Int, busy: Int)

    /// This node returned `count` jobs whose lease expired (on any node) to the queue.
    func leasesRecovered(_ count: Int)
}

/// One finished attempt, as reported to an ``AttemptObserver``.
public struct FinishedAttempt: Sendable {
    /// The job as claimed for this attempt.
    public var job: Job
    /// What the report says happened.
    public var outcome: AttemptOutcome
    /// What the pool asked the store to record.
    public var completion: Completion.Outcome
    /// When the handler started and returned (wall clock).
    public var started: Date
    public var finished: Date

    public init(job: Job, outcome: AttemptOutcome, completion: Completion.Outcome, started: Date, finished: Date) {
        self.job = job
        self.outcome = outcome
        self.completion = completion
        self.started = started
        self.finished = finished
    }

    /// Queue wait: from when the job became due (created, or its `run_at`) until its handler
    /// started. Time spent leased in a prefetch buffer counts as waiting.
    public var wait: TimeInterval {
        started.timeIntervalSince(max(job.runAt, job.createdAt))
    }

    /// Handler run time.
    public var run: TimeInterval { finished.timeIntervalSince(started) }
}
