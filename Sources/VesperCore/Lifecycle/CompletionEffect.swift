import Foundation

extension Completion.Outcome {
    /// The outcome without its values: what decides which columns change.
    public enum Kind: String, Sendable, CaseIterable {
        case done
        case retry
        case deadLetter = "dlq"
        case failed
        case release
        case snooze
    }

    public var kind: Kind {
        switch self {
        case .done: .done
        case .retry: .retry
        case .deadLetter: .deadLetter
        case .failed: .failed
        case .release: .release
        case .snooze: .snooze
        }
    }

    /// The error text the outcome records, if it records one.
    public var error: String? {
        switch self {
        case .retry(let error, _), .deadLetter(let error), .failed(let error): error
        case .done, .release, .snooze: nil
        }
    }

    /// The time the outcome asks the job to run again, if it names one (a release runs again now).
    public var runAt: Date? {
        switch self {
        case .retry(_, let runAt), .snooze(let runAt): runAt
        case .done, .deadLetter, .failed, .release: nil
        }
    }
}

/// What ending an attempt with one kind of outcome changes in the job's row.
///
/// This is the one statement of the rule; each store renders it into its finish SQL. Every
/// completion is fenced by the attempt token (`id`, `attempt`, still `processing`), clears the lease
/// and sets `updated_at` to the time of the finish. Columns not named here keep their value.
public struct CompletionEffect: Sendable, Equatable {
    /// Where `run_at` comes from.
    public enum RunAt: Sendable, Equatable {
        /// Unchanged.
        case keep
        /// The time of the finish: claimable at once.
        case now
        /// The time the outcome names (``Completion/Outcome/runAt``).
        case given
    }

    /// The stored state afterwards.
    public var status: JobStatus
    /// Whether the attempt counts as a failure: `retries` goes up by one.
    public var countsFailure: Bool
    /// Whether `error` becomes the outcome's error text.
    public var recordsError: Bool
    /// Whether `error` is emptied: a job that ends `done` carries no error from an earlier
    /// attempt. With neither this nor ``recordsError`` the last error is kept.
    public var clearsError: Bool { status == .done }
    public var runAt: RunAt
    /// Whether `finished_at` becomes the time of the finish.
    public var finishes: Bool
    /// Whether `worker_id` is cleared, for a job that goes back to waiting.
    public var clearsWorker: Bool
    /// Always true: a finished attempt holds no lease.
    public var clearsLease: Bool { true }
    /// Whether `result` becomes the completion's result (``Completion/result``): only a job that
    /// ends `done` has one.
    public var storesResult: Bool { status == .done }
    /// The outcome of the attempt in the job's `attempts` history, or `nil` when the attempt is not
    /// recorded (a release: the job was handed back, mostly without having run).
    public var recordedOutcome: String?
    /// Whether the finish appends the attempt's record to the stored history: only when the job
    /// goes on (a retry, a snooze). A finish that ends the job leaves its last attempt implicit in
    /// the row (``ImplicitLastAttempt``), so the hot path writes no history.
    public var appendsAttempt: Bool { recordedOutcome != nil && !finishes }
    /// Always true: `started_at` becomes the handler's start when the completion carries one
    /// (``Completion/startedAt``). A claim leaves `started_at` empty: a leased job may wait in a
    /// node's prefetch buffer, and it has not started until its handler does.
    public var recordsStart: Bool { true }

    /// The effect of each kind of outcome.
    public static func of(_ kind: Completion.Outcome.Kind) -> CompletionEffect {
        switch kind {
        case .done:
            CompletionEffect(
                status: .done, countsFailure: false, recordsError: false, runAt: .keep, finishes: true, clearsWorker: false,
                recordedOutcome: AttemptOutcome.done.name)
        case .retry:
            CompletionEffect(
                status: .pending, countsFailure: true, recordsError: true, runAt: .given, finishes: false, clearsWorker: true,
                recordedOutcome: AttemptOutcome.retried.name)
        case .deadLetter:
            CompletionEffect(
                status: .dlq, countsFailure: true, recordsError: true, runAt: .keep, finishes: true, clearsWorker: false,
                recordedOutcome: AttemptOutcome.deadLettered.name)
        case .failed:
            CompletionEffect(
                status: .failed, countsFailure: true, recordsError: true, runAt: .keep, finishes: true, clearsWorker: false,
                recordedOutcome: AttemptOutcome.failed.name)
        case .release:
            // Not the job's fault (shutdown, a stale prefetch): back to waiting, not counted.
            CompletionEffect(
                status: .pending, countsFailure: false, recordsError: false, runAt: .now, finishes: false, clearsWorker: true,
                recordedOutcome: nil)
        case .snooze:
            // The handler asked to run later: back to waiting until the time it named, not counted,
            // the last error kept (a snooze is not a failure and does not erase one).
            CompletionEffect(
                status: .pending, countsFailure: false, recordsError: false, runAt: .given, finishes: false, clearsWorker: true,
                recordedOutcome: AttemptOutcome.snoozed.name)
        }
    }

    /// The kinds whose effect has `property` set, in ``Completion/Outcome/Kind/allCases`` order.
    public static func kinds(where property: (CompletionEffect) -> Bool) -> [Completion.Outcome.Kind] {
        Completion.Outcome.Kind.allCases.filter { property(of($0)) }
    }

    /// `job` as this effect leaves it after a finish at `now`, as ``JobStore/job(id:)`` reads it: its
    /// history ends with the attempt, stored or implicit (for tests and for reasoning; stores apply
    /// the effect in SQL).
    public func applied(to job: Job, outcome: Completion.Outcome, result: String? = nil, now: Date) -> Job {
        var job = job
        job.storedStatus = status
        if countsFailure { job.retries += 1 }
        if recordsError, let error = outcome.error { job.error = error }
        if clearsError { job.error = "" }
        switch runAt {
        case .keep: break
        case .now: job.runAt = now
        case .given: if let runAt = outcome.runAt { job.runAt = runAt }
        }
        if finishes { job.finishedAt = now }
        if storesResult { job.result = result }
        if let recordedOutcome {
            let record = AttemptRecord(
                attempt: job.attempt, node: job.workerID, startedAt: job.startedAt, finishedAt: now, outcome: recordedOutcome,
                error: outcome.error ?? "")
            job.attempts = (job.attempts ?? []) + [record]
        }
        if clearsWorker { job.workerID = nil }
        job.leaseUntil = nil
        job.updatedAt = now
        return job
    }
}

extension Completion.Outcome {
    /// What this outcome changes in the job's row.
    public var effect: CompletionEffect { .of(kind) }
}
