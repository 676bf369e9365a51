import Foundation

/// What a remote worker asks for in one long-poll (`POST /claims`).
public struct RemoteClaim: Sendable, Equatable {
    /// The worker's name, 1-128 of `[A-Za-z0-9_.:-]`; its fleet entry is `remote:<name>`.
    public var worker: String
    /// Only these job types, or any type when `nil`.
    public var types: [String]?
    /// Only these named queues, or any queue when `nil`.
    public var queues: [String]?
    /// At most this many jobs; also the slots the worker shows in the fleet view.
    public var max: Int
    /// How long to wait for work when none is claimable at once.
    public var wait: Duration

    public init(worker: String, types: [String]? = nil, queues: [String]? = nil, max: Int = 1, wait: Duration = .zero) {
        self.worker = worker
        self.types = types
        self.queues = queues
        self.max = max
        self.wait = wait
    }

    /// Most jobs one claim may ask for.
    public static let maxJobs = 1_000
    /// Longest wait one claim may ask for.
    public static let maxWait: Duration = .seconds(60)

    /// Checks every field, naming the one at fault.
    public func validate() throws(ValidationError) {
        try NewJob.validateName(worker, field: "worker")
        if let types {
            guard !types.isEmpty else {
                throw ValidationError(field: "types", message: "types must name at least one type, or be left out for any type")
            }
            for type in types { try NewJob.validateName(type, field: "types") }
        }
        if let queues {
            guard !queues.isEmpty else {
                throw ValidationError(field: "queues", message: "queues must name at least one queue, or be left out for any queue")
            }
            for queue in queues { try NewJob.validateName(queue, field: "queues") }
        }
        guard (1...Self.maxJobs).contains(max) else {
            throw ValidationError(field: "max", message: "max must be an integer from 1 to \(Self.maxJobs), got \(max)")
        }
        guard wait >= .zero, wait <= Self.maxWait else {
            throw ValidationError(field: "wait", message: "wait must be a duration from 0s to 60s")
        }
    }

    /// The fleet id of a remote worker named `name`.
    public static func nodeID(worker name: String) -> String { "remote:" + name }
}

/// One job handed to a remote worker: the job, and until when its lease and its attempt run.
public struct RemoteLease: Sendable, Equatable {
    /// The job as claimed; its `attempt` is the fencing token every later call presents.
    public var job: Job
    /// The lease runs out then unless a heartbeat extends it.
    public var leaseExpiresAt: Date
    /// The attempt's deadline (claim time plus `timeout_seconds`): a heartbeat after it fails the
    /// attempt with error `timeout`, as a node's watchdog would.
    public var deadline: Date

    public init(job: Job, leaseExpiresAt: Date, deadline: Date) {
        self.job = job
        self.leaseExpiresAt = leaseExpiresAt
        self.deadline = deadline
    }
}

/// What became of a remote worker's heartbeat, completion or failure.
public enum RemoteAttemptVerdict: Sendable, Equatable {
    /// Recorded; the job as it now is (for a heartbeat, with its new lease).
    case applied(Job)
    /// The attempt is no longer the job's current one, or the job is not `processing`: nothing changed.
    case stale(Job)
    /// A heartbeat after the attempt's deadline: the attempt was recorded as failed with error
    /// `timeout` (retried or dead-lettered by the usual rules); the job as it now is.
    case deadlinePassed(Job)
    /// An operator asked to cancel the job: the heartbeat ended it `cancelled`; the job as it now is.
    case cancelled(Job)
    /// No such job.
    case notFound
}
