/// How an attempt ended, in the words that logs (`vesper_outcome`) and metrics (the `outcome` label
/// of `vesper_jobs_finished_total`) use.
///
/// The stores speak of the transition they write (``Completion/Outcome``; in SQL `retry`,
/// `release`, `dlq`); a report speaks of what happened to the attempt. The mapping, kept here only:
///
/// | ``Completion/Outcome`` | name         |
/// |------------------------|--------------|
/// | `.done`                | `done`       |
/// | `.retry`               | `retried`    |
/// | `.deadLetter`          | `dlq`        |
/// | `.failed`              | `failed`     |
/// | `.release`             | `released`   |
/// | `.snooze`              | `snoozed`    |
/// | (none: the store ended the job at an operator's request) | `cancelled` |
/// | any, rejected by the store because the lease moved on | `lost_lease` |
///
/// `lost_lease` is never a metric label: the store threw the result away, so the attempt is reported
/// in the log (at `warning`) and counted nowhere.
public struct AttemptOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The name in logs and metric labels.
    public let name: String

    private init(_ name: String) { self.name = name }

    /// The handler succeeded and the job is `done`.
    public static let done = AttemptOutcome("done")
    /// The attempt failed and the job was scheduled to run again.
    public static let retried = AttemptOutcome("retried")
    /// The attempt failed with no retries left: the job is in the dead-letter queue.
    public static let deadLettered = AttemptOutcome("dlq")
    /// The handler failed permanently.
    public static let failed = AttemptOutcome("failed")
    /// Not run to the end through no fault of the job (shutdown): back to `pending`, not counted.
    public static let released = AttemptOutcome("released")
    /// The handler threw ``JobSnooze``: back to `pending` until later, not counted as a failure.
    public static let snoozed = AttemptOutcome("snoozed")
    /// An operator cancelled the running job: the store ended it `cancelled` at the node's lease
    /// renewal, and the handler's task was cancelled.
    public static let cancelled = AttemptOutcome("cancelled")
    /// The store rejected the result: the lease had moved on (another node reclaimed the job).
    public static let lostLease = AttemptOutcome("lost_lease")

    public var description: String { name }
}

extension Completion.Outcome {
    /// The outcome's name in logs and metrics (see ``AttemptOutcome``).
    public var attemptOutcome: AttemptOutcome {
        switch self {
        case .done: .done
        case .retry: .retried
        case .deadLetter: .deadLettered
        case .failed: .failed
        case .release: .released
        case .snooze: .snoozed
        }
    }

}
