import Foundation

/// The rule for cancelling a running job, which travels in two steps so that it reaches the node
/// holding the job wherever it runs, with no channel between nodes:
///
/// 1. `POST /jobs/{id}/cancel` on a `processing` job only sets `cancel_requested` (``JobStore/cancel(id:now:)``).
/// 2. The holding node's next lease renewal (``JobStore/renewLeases(_:)``, every heartbeat) ends
///    such a job instead of extending it, as written here, and answers which ones it ended; the
///    node then cancels their handlers. The job is `cancelled` from that statement on, so a handler
///    that ignores cancellation finishes later against a job that is no longer `processing`, and
///    the fenced finish refuses its result.
///
/// A job whose lease runs out (or whose node is reaped) with the request set also ends
/// `cancelled` rather than being retried (``LostAttempt``).
public enum CancelRequest {
    /// The error recorded on a job cancelled while it ran.
    public static let error = "cancelled by request"
    /// The state the job ends in.
    public static let status: JobStatus = .cancelled
    /// The outcome appended to its attempt history.
    public static let recordedOutcome = "cancelled"

    /// `job` as a renewal leaves it when it finds the request set at `now`: `cancelled`, finished
    /// now, the error above, no lease (the node id is kept, as for any finished job), and the
    /// attempt recorded.
    public static func applied(to job: Job, now: Date) -> Job {
        var job = job
        job.storedStatus = status
        job.error = error
        job.finishedAt = now
        job.updatedAt = now
        job.leaseUntil = nil
        let record = AttemptRecord(
            attempt: job.attempt, node: job.workerID, startedAt: job.startedAt, finishedAt: now, outcome: recordedOutcome, error: error)
        job.attempts = (job.attempts ?? []) + [record]
        return job
    }
}
