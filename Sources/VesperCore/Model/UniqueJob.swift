import Foundation

/// What makes a job unique, as a producer asks for it (`"unique"` on `POST /jobs`,
/// ``EnqueueOptions/unique`` in Swift): while a job with the same key is in one of `states` and
/// younger than `period`, enqueueing another returns that job instead of creating one.
///
/// Unlike an idempotency key, which names one request forever (until the job is pruned), a unique
/// key names a piece of work for a while: once the holder has finished (or is older than
/// `period`), the same key creates a new job. The semantics follow Oban's `unique` option.
public struct UniqueOptions: Sendable, Equatable {
    /// The key; `nil` derives it from the job's type and payload (``UniqueConstraint/defaultKey(type:payloadJSON:)``).
    public var key: String?
    /// How long a holder blocks new jobs, counted from its creation; `nil` means as long as it is
    /// in one of ``states``.
    public var period: Duration?
    /// The states in which a holder blocks new jobs. Defaults to ``UniqueConstraint/defaultStates``.
    public var states: Set<JobStatus>

    public init(key: String? = nil, period: Duration? = nil, states: Set<JobStatus> = UniqueConstraint.defaultStates) {
        self.key = key
        self.period = period
        self.states = states
    }

    /// The constraint for a job of `type` with `payloadJSON`: the key filled in when not given.
    public func constraint(type: String, payloadJSON: String) -> UniqueConstraint {
        UniqueConstraint(
            key: key ?? UniqueConstraint.defaultKey(type: type, payloadJSON: payloadJSON), period: period, states: states)
    }
}

/// The uniqueness a ``NewJob`` carries to the store: a resolved key, a period and the blocking states.
public struct UniqueConstraint: Sendable, Equatable {
    public var key: String
    /// `nil`: no time limit.
    public var period: Duration?
    public var states: Set<JobStatus>

    /// `pending`, `scheduled` and `processing`: a job not yet finished blocks its duplicates.
    public static let defaultStates: Set<JobStatus> = [.pending, .scheduled, .processing]

    /// Longest key, in bytes.
    public static let maxKeyBytes = 255

    public init(key: String, period: Duration? = nil, states: Set<JobStatus> = UniqueConstraint.defaultStates) {
        self.key = key
        self.period = period
        self.states = states
    }

    /// `type:` followed by a 128-bit digest (32 hex digits) of the payload's canonical JSON
    /// (``CanonicalJSON``), so `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` share a key. Stable
    /// across processes and versions: nodes of one fleet derive the same key.
    public static func defaultKey(type: String, payloadJSON: String) -> String {
        let canonical = CanonicalJSON.text(payloadJSON) ?? payloadJSON
        return type + ":" + CanonicalJSON.digest(canonical)
    }

    /// Whether a stored job with this status, run time and creation time holds the key at `now`,
    /// blocking a new job: it is in one of ``states`` (`scheduled` being a `pending` job not yet
    /// due) and younger than ``period``. Both stores decide by this one rule.
    public func isHeld(by status: JobStatus, runAt: Date, createdAt: Date, now: Date) -> Bool {
        let seen: JobStatus = status == .pending && runAt > now ? .scheduled : status
        guard states.contains(seen) else { return false }
        guard let period else { return true }
        return createdAt.addingTimeInterval(period.secondsDouble) > now
    }

    /// ``states`` sorted, as error messages and documents list them.
    public var sortedStates: [JobStatus] { JobStatus.allCases.filter(states.contains) }
}

extension NewJob {
    /// Checks the ``unique`` constraint, naming the field (`unique.key`, `unique.for`, `unique.states`).
    func validateUnique() throws(ValidationError) {
        guard let unique else { return }
        let bytes = unique.key.utf8.count
        guard bytes > 0 else { throw ValidationError(field: "unique.key", message: "unique.key must not be empty") }
        guard bytes <= UniqueConstraint.maxKeyBytes else {
            throw ValidationError(
                field: "unique.key", message: "unique.key must be at most \(UniqueConstraint.maxKeyBytes) bytes, got \(bytes)")
        }
        // PostgreSQL's text cannot hold U+0000 and SQLite's C API would cut the key there.
        guard !unique.key.utf8.contains(0) else {
            throw ValidationError(field: "unique.key", message: "unique.key must not contain the NUL character (U+0000)")
        }
        if let period = unique.period {
            guard period > .zero, period <= DurationParser.maximum else {
                throw ValidationError(
                    field: "unique.for", message: "unique.for must be a duration above 0, at most \(DurationParser.maximumText)")
            }
        }
        guard !unique.states.isEmpty else {
            throw ValidationError(field: "unique.states", message: "unique.states must name at least one state")
        }
    }
}
