import Foundation

/// The rule for an attempt lost with its node (an expired lease, a node reaped for silence): it
/// counts as a failed attempt, so the job is retried at once while it has retries left and goes to
/// the dead-letter queue otherwise.
///
/// Stores apply it in one statement to every lost job; each renders it from this value. Unlike a
/// completion, a lost attempt always clears `worker_id`, and a retried job gets `finished_at`
/// cleared (it was never set while the job was `processing`).
public struct LostAttempt: Sendable, Equatable {
    /// The error recorded on the job.
    public var error: String

    public init(error: String) {
        self.error = error
    }

    /// A lease ran out: the node holding the job stopped extending it.
    public static let leaseExpired = LostAttempt(error: "lease expired")

    /// A node was reaped after it stopped heartbeating; its running jobs are lost.
    public static func nodeStopped(_ nodeID: String) -> LostAttempt {
        LostAttempt(error: "node \(nodeID) stopped heartbeating")
    }

    /// The state a job with `retries` failed attempts so far goes to when no retries are left.
    public let exhaustedStatus: JobStatus = .dlq
    /// The state it goes to otherwise.
    public let retryStatus: JobStatus = .pending
    /// A lost job whose cancel was requested is not run again: it ends ``CancelRequest/status``
    /// with ``CancelRequest/error``, whatever its retries.
    public let cancelRequestedStatus: JobStatus = CancelRequest.status
    /// The outcome appended to the job's attempt history (``AttemptRecord/lostOutcome``).
    public let recordedOutcome = AttemptRecord.lostOutcome

    /// Whether a job with `retries` failed attempts so far (before this one) may run again.
    public static func hasRetriesLeft(retries: Int, maxRetries: Int) -> Bool {
        retries < maxRetries
    }

    /// What losing the attempt amounts to for a job with these counts: a retry now, or dead-lettering.
    public func outcome(retries: Int, maxRetries: Int, now: Date) -> Completion.Outcome {
        Self.hasRetriesLeft(retries: retries, maxRetries: maxRetries) ? .retry(error: error, runAt: now) : .deadLetter(error: error)
    }
}

extension Job {
    /// Whether a failure of the current attempt may be retried (`retries < max_retries`).
    public var hasRetriesLeft: Bool { LostAttempt.hasRetriesLeft(retries: retries, maxRetries: maxRetries) }
}
