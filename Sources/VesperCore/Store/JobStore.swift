import Foundation

/// The one boundary between the core and a database.
///
/// Every state transition is a single atomic statement or transaction inside the store; the core
/// decides *what* should happen (retry or dead-letter, when to run again) and passes the current
/// time in, so stores hold no policy and tests control the clock.
public protocol JobStore: Sendable {
    /// A short, secret-free description for logs, such as `sqlite vesper.db`.
    var displayName: String { get }

    /// Creates or upgrades the schema.
    func migrate() async throws

    /// The names of migrations this build knows but the database has not applied (empty when the
    /// schema is current). Lets a node started with `AUTO_MIGRATE=0` refuse to run on an old schema.
    func pendingMigrations() async throws -> [String]

    /// Succeeds when the database answers a trivial query.
    func ping() async throws

    /// Inserts jobs in one transaction: all of them or none.
    ///
    /// A job whose idempotency key is already stored is not inserted: its outcome is `.existing`
    /// when the stored job has the same fingerprint and `.conflict` otherwise. A job with a
    /// ``NewJob/unique`` constraint whose key is held (``UniqueConstraint/isHeld(by:runAt:createdAt:now:)``)
    /// is not inserted either: `.duplicate` with the holder. Holding a key is enforced by the
    /// database (one row per key in `unique_locks`), so concurrent enqueues on different nodes
    /// cannot both create a job.
    func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome]

    /// Reads one job.
    func job(id: UUID) async throws -> Job?

    /// Atomically leases up to `request.limit` claimable jobs, highest priority first, then FIFO.
    func claim(_ request: ClaimRequest) async throws -> [Job]

    /// The place in ``ClaimOrder`` of the best job `request` could claim now (its `limit` aside),
    /// or `nil` when none is claimable. Reads only, leases nothing: a slot that would start a
    /// prefetched job asks first, and starts it only if nothing claimable ranks above it.
    func bestClaimableRank(_ request: ClaimRequest) async throws -> JobRank?

    /// Applies finished attempts in one transaction. Each is fenced by its attempt number: a
    /// completion whose token is stale (the attempt moved on, or the job is no longer
    /// `processing`) is skipped. Returns the tokens of the completions that were applied, so the
    /// caller reports only results the store kept.
    @discardableResult
    func finish(_ completions: [Completion], now: Date) async throws -> Set<LeaseToken>

    /// Applies `completions` (as ``finish(_:now:)`` at `request.now`), then claims (as
    /// ``claim(_:)``). A store that can do both in one transaction should: that is one commit, one
    /// fsync, instead of two, which is what a busy node's throughput is made of.
    func finishAndClaim(_ completions: [Completion], _ request: ClaimRequest) async throws -> (finished: Set<LeaseToken>, claimed: [Job])

    /// The lease keeper's beat, one statement per store: pushes the lease of held jobs out to
    /// `renewal.until` (fenced by attempt), stores the progress reported since the last beat, and
    /// ends `cancelled` (by the ``CancelRequest`` rule) every held job an operator asked to
    /// cancel, instead of extending it. Returns the ids extended and the ids cancelled.
    func renewLeases(_ renewal: LeaseRenewal) async throws -> LeaseRenewalResult

    /// Returns every job whose lease ran out to `pending`, counting the lost attempt; a job with no
    /// retries left goes to `dlq` with error "lease expired". Returns how many were recovered.
    func recoverExpiredLeases(now: Date) async throws -> Int

    /// Lists jobs, newest first: up to `query.limit`, stopping before the payloads add up to more
    /// than `query.payloadBudget` bytes (but at least one job).
    func listJobs(_ query: JobQuery) async throws -> [Job]

    /// Puts a `dlq` or `failed` job back to `pending` with its retries reset.
    func retry(id: UUID, now: Date) async throws -> Job

    /// Cancels a `pending` or `scheduled` job at once. For a `processing` job it records the
    /// request (`cancel_requested`) and returns the job still `processing`: the node holding it
    /// ends it at its next lease renewal. Any other state is ``VesperError/Code/invalidState``.
    func cancel(id: UUID, now: Date) async throws -> Job

    /// Releases resources; the store is not used afterwards.
    func close() async throws
}

extension JobStore {
    /// Extends leases only (``renewLeases(_:)`` without progress); returns the ids extended.
    public func extendLeases(_ leases: [LeaseToken], until: Date, now: Date) async throws -> Set<UUID> {
        try await renewLeases(LeaseRenewal(leases: leases, until: until, now: now)).extended
    }

    /// Two transactions, for stores that cannot do better.
    public func finishAndClaim(_ completions: [Completion], _ request: ClaimRequest) async throws -> (finished: Set<LeaseToken>, claimed: [Job]) {
        let finished = completions.isEmpty ? [] : try await finish(completions, now: request.now)
        return (finished, try await claim(request))
    }
}

/// The result of inserting one ``NewJob``.
public enum EnqueueOutcome: Sendable, Equatable {
    /// A new job was stored.
    case created(Job)
    /// The idempotency key was known with the same request: the stored job.
    case existing(Job)
    /// The idempotency key was known with a different request.
    case conflict(key: String, existing: Job)
    /// The job's unique key is held by a stored job in one of the constraint's states and younger
    /// than its period (``UniqueConstraint``): nothing was stored; the holder.
    case duplicate(Job)

    /// The stored job the outcome is about: the new one, or the one that answered for it.
    public var job: Job {
        switch self {
        case .created(let job), .existing(let job), .conflict(_, let job), .duplicate(let job): job
        }
    }
}

/// What a dispatcher asks a store for.
public struct ClaimRequest: Sendable {
    /// How many jobs at most.
    public var limit: Int
    /// Only these types, or any type when `nil`.
    public var types: [String]?
    /// The claiming node, recorded on each job.
    public var workerID: String
    /// Lease end for the claimed jobs.
    public var leaseUntil: Date
    /// The current time: only jobs with `run_at <= now` are claimable.
    public var now: Date
    /// Only jobs of these queues, or any queue when `nil` (the node's `QUEUES` selection).
    public var queues: [String]?
    /// Never jobs of these queues (used with per-queue concurrency limits, whose queues are claimed
    /// separately). Paused queues are always excluded, by the claim statement itself.
    public var excludedQueues: [String]
    /// Whether the claimed jobs start now (`started_at` is set to `now`): true for a remote
    /// worker, which claims only what it runs. A node's own claims leave `started_at` empty,
    /// because a leased job may wait in its prefetch buffer; the completion writes the start.
    public var startsNow: Bool
    /// The claimer's region: a job that names a region is claimable only by nodes of that region
    /// (a job without one by any node). Defaults to `default`.
    public var region: String
    /// With `REGION_FAILOVER_AFTER` set: `now` minus that delay. A job of another region is then
    /// claimable too when it is not strict and its region's nodes were last seen before this time
    /// (a region never seen does not fail over). `nil` (the default) never takes other regions' jobs.
    public var regionFailoverBefore: Date?

    public init(
        limit: Int, types: [String]?, workerID: String, leaseUntil: Date, now: Date, queues: [String]? = nil,
        excludedQueues: [String] = [], startsNow: Bool = false, region: String = NodeInfo.defaultRegion,
        regionFailoverBefore: Date? = nil
    ) {
        self.startsNow = startsNow
        self.region = region
        self.regionFailoverBefore = regionFailoverBefore
        self.limit = limit
        self.types = types
        self.workerID = workerID
        self.leaseUntil = leaseUntil
        self.now = now
        self.queues = queues
        self.excludedQueues = excludedQueues
    }
}

/// Identifies one attempt of one job: the fencing token.
public struct LeaseToken: Sendable, Hashable {
    public var id: UUID
    public var attempt: Int

    public init(id: UUID, attempt: Int) {
        self.id = id
        self.attempt = attempt
    }
}

/// The recorded end of one attempt.
public struct Completion: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The handler succeeded.
        case done
        /// Failed; run again at `runAt`. The store adds one to `retries`.
        case retry(error: String, runAt: Date)
        /// Failed with no retries left. The store adds one to `retries`.
        case deadLetter(error: String)
        /// Failed permanently. The store adds one to `retries`.
        case failed(error: String)
        /// Not run to the end through no fault of the job (shutdown): back to `pending`, not counted.
        case release
        /// The handler asked to run again at `runAt` (``JobSnooze``): back to `pending`, not
        /// counted as a failure, the last error kept.
        case snooze(runAt: Date)
    }

    public var token: LeaseToken
    public var outcome: Outcome
    /// What the handler returned, as a JSON text; stored with a `done` outcome only.
    public var result: String?
    /// When the attempt's handler started, written as the job's `started_at`; `nil` for a leased
    /// job that never started (a hand-back), which leaves `started_at` as it is.
    public var startedAt: Date?

    public init(token: LeaseToken, outcome: Outcome, result: String? = nil, startedAt: Date? = nil) {
        self.token = token
        self.outcome = outcome
        self.result = result
        self.startedAt = startedAt
    }
}

/// What the lease keeper sends on each beat: the leases a node holds, and the progress its running
/// handlers reported since the last beat (carried by the same statement, so progress costs no
/// round trip of its own).
public struct LeaseRenewal: Sendable {
    public var leases: [LeaseToken]
    /// Progress to store, by lease; a lease the store does not extend stores none.
    public var progress: [LeaseToken: JobProgress]
    /// The new lease end.
    public var until: Date
    public var now: Date

    public init(leases: [LeaseToken], progress: [LeaseToken: JobProgress] = [:], until: Date, now: Date) {
        self.leases = leases
        self.progress = progress
        self.until = until
        self.now = now
    }
}

/// The store's answer to a ``LeaseRenewal``.
public struct LeaseRenewalResult: Sendable, Equatable {
    /// Jobs whose lease was extended.
    public var extended: Set<UUID>
    /// Jobs an operator asked to cancel: the same statement ended them `cancelled` (the
    /// ``CancelRequest`` rule), and the node should cancel their handlers.
    public var cancelled: Set<UUID>

    public init(extended: Set<UUID>, cancelled: Set<UUID>) {
        self.extended = extended
        self.cancelled = cancelled
    }
}

/// A filter for listing jobs.
public struct JobQuery: Sendable {
    /// Only jobs in this state (as a user sees it: `scheduled` and `pending` are told apart by `now`).
    public var status: JobStatus?
    public var type: String?
    public var queue: String?
    /// Only jobs of this fair-share partition.
    public var partition: String?
    /// Only jobs of this priority.
    public var priority: Int?
    /// Only jobs created at or after this time (inclusive).
    public var createdAfter: Date?
    /// Only jobs created before this time (exclusive), so adjacent ranges never overlap.
    public var createdBefore: Date?
    /// At most this many.
    public var limit: Int
    /// Only jobs older than this cursor (the `seq` of the last job of the previous page).
    public var before: Int64?
    /// The time that separates `pending` from `scheduled`.
    public var now: Date
    /// A page ends before its payloads add up to more than this many bytes (it always holds at
    /// least one job), so one request cannot make a node hold `limit` of the largest payloads in
    /// memory. Defaults to ``defaultPayloadBudget``.
    public var payloadBudget: Int = JobQuery.defaultPayloadBudget

    /// 4 MiB: four of the largest payloads, or a thousand jobs of 4 KiB.
    public static let defaultPayloadBudget = 4 << 20

    public init(
        status: JobStatus? = nil, type: String? = nil, queue: String? = nil, priority: Int? = nil, createdAfter: Date? = nil,
        createdBefore: Date? = nil, limit: Int = 50, before: Int64? = nil, now: Date, partition: String? = nil
    ) {
        self.status = status
        self.type = type
        self.queue = queue
        self.partition = partition
        self.priority = priority
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.limit = limit
        self.before = before
        self.now = now
    }
}
