import Foundation

/// The rule that keeps a finished job's last attempt out of its stored `attempts` history.
///
/// A job that a finish ends `done`, `failed` or `dlq` keeps on its row everything its last
/// attempt's record would hold: the node (`worker_id`), the start (`started_at`), the finish
/// (`finished_at`), the outcome (the state) and the error (`error`, empty for `done`). So the
/// finish statement appends nothing (the append cost a drain about a fifth of its throughput and
/// grew every row by ~150 bytes); stores append a record only when an attempt ends and the job
/// goes on (a retry, a snooze, a lost lease) or ends another way (a cancel), and the record of the
/// last attempt is made up on read (``history(_:of:)``). Anything that takes a finished job back
/// to the queue (a manual or bulk retry) first writes that record (``outcome(of:)`` names its
/// outcome), since the row's columns are about to change.
///
/// Whether the record is missing is decided by the attempt number: a finished job whose stored
/// history does not end with its current attempt has its last attempt implicit. Histories written
/// before this rule (which end with the current attempt) and attempts lost with their node (whose
/// record is written, as `lost`) read unchanged.
public enum ImplicitLastAttempt {
    /// The stored states whose last attempt is implicit, with the outcome it is reported under:
    /// the states a completion that finishes the job leaves (``CompletionEffect/finishes``).
    public static let outcomes: [JobStatus: String] = {
        var outcomes: [JobStatus: String] = [:]
        for kind in Completion.Outcome.Kind.allCases {
            let effect = CompletionEffect.of(kind)
            if effect.finishes, let outcome = effect.recordedOutcome { outcomes[effect.status] = outcome }
        }
        return outcomes
    }()

    /// The outcome of a job's implicit last attempt when its row holds one: a finished state, an
    /// attempt number, a finish time, and a stored history that does not end with this attempt.
    public static func outcome(of job: Job, recorded: [AttemptRecord]) -> String? {
        guard let outcome = outcomes[job.storedStatus], job.attempt > 0, job.finishedAt != nil,
            recorded.last?.attempt != job.attempt
        else { return nil }
        return outcome
    }

    /// The history as a reader sees it: the stored records, then the last attempt's record made
    /// from the row when it is implicit. Times are rounded to the stored microsecond, as a stored
    /// record's are.
    public static func history(_ recorded: [AttemptRecord], of job: Job) -> [AttemptRecord] {
        guard let outcome = outcome(of: job, recorded: recorded), let finishedAt = job.finishedAt else { return recorded }
        let last = AttemptRecord(
            attempt: job.attempt, node: job.workerID, startedAt: job.startedAt.map(storedMicrosecond),
            finishedAt: storedMicrosecond(finishedAt), outcome: outcome, error: job.error)
        return recorded + [last]
    }

    /// `date` as a stored record reads back: whole microseconds since 1970.
    private static func storedMicrosecond(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    }
}

extension Job {
    /// The job with its attempt history as readers see it (see ``ImplicitLastAttempt``); a job read
    /// without its history (`attempts == nil`) is returned as it is.
    public func withImplicitLastAttempt() -> Job {
        guard let recorded = attempts else { return self }
        var job = self
        job.attempts = ImplicitLastAttempt.history(recorded, of: self)
        return job
    }
}
