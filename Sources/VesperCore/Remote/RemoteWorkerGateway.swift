import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Serves workers that run outside the node, over HTTP: long-poll claims, heartbeats, completions
/// and failures, with the same leases, fencing and retry rules as the node's own slots.
///
/// A remote worker's claims lease jobs to the fleet id `remote:<name>`, and the worker appears in
/// the fleet table under that id (its `workers` are the `max` of its last claim) for as long as it
/// talks to a node: every claim, and every heartbeat, completion or failure of its jobs, counts as
/// the worker's heartbeat. A worker that goes silent is reaped after `NODE_TIMEOUT` like a node,
/// which releases its jobs (a lost attempt); a lease that simply runs out is recovered by any
/// node's lease keeper. Both paths are the existing ones: nothing here recovers anything itself.
///
/// A claim that finds nothing waits on ``ClaimWaiters``, signalled by ``wake()`` wherever the
/// node's own dispatcher is woken (an enqueue on this node, a PostgreSQL notification from
/// another), and looks again at least every poll interval for due retries and scheduled jobs.
public final class RemoteWorkerGateway: Service, Sendable {
    public struct Options: Sendable {
        /// Lease length of a claim and of each heartbeat's extension (`LEASE_DURATION`). Defaults to 30s.
        public var leaseDuration: Duration = .seconds(30)
        /// How often a remote worker's fleet entry is refreshed at most (`HEARTBEAT_INTERVAL`);
        /// also the heartbeat interval workers are told to keep. Defaults to 5s.
        public var heartbeatInterval: Duration = .seconds(5)
        /// How often a waiting claim looks for work nobody announced (`POLL_INTERVAL`). Defaults to 1s.
        public var pollInterval: Duration = .seconds(1)
        /// Backoff for failures a worker reports as retryable.
        public var retryPolicy = RetryPolicy()
        /// The longest a claim waits, whatever it asks for: a node sets it a second under
        /// `HTTP_WRITE_TIMEOUT`, so a long poll answers before the server gives up on it.
        /// Defaults to 60s.
        public var maxWait: Duration = RemoteClaim.maxWait
        /// Results larger than this fail the attempt (`MAX_RESULT_BYTES`). Defaults to 64 KiB.
        public var maxResultBytes = 65_536

        public init() {}
    }

    /// What this node knows of one remote worker, for its fleet entry.
    private struct Worker {
        var info: NodeInfo
        var lastBeat: ContinuousClock.Instant?
        var held: Set<LeaseToken> = []
    }

    private let store: any VesperStore
    public let options: Options
    private let clock: WallClock
    private let logger: Logger
    private let waiters = ClaimWaiters()
    private let workers = Mutex<[String: Worker]>([:])
    private let stopping = Mutex(false)
    private let stopped = Wakeup()

    public init(store: any VesperStore, options: Options = Options(), clock: WallClock = .system, logger: Logger) {
        self.store = store
        self.options = options
        self.clock = clock
        self.logger = logger
    }

    /// New work may be claimable: wakes every waiting claim.
    public func wake() {
        waiters.signal()
    }

    /// Claims waiting now (for tests and diagnostics).
    public var waitingClaims: Int { waiters.waiting }

    /// Runs until graceful shutdown, then ends every waiting claim (they answer with no jobs), so
    /// the HTTP server can drain without waiting out long polls. Register it after the HTTP
    /// server, so that it is shut down first.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await stopped.wait()
        } onGracefulShutdown: {
            self.stop()
        }
    }

    /// Ends waiting claims and makes later ones answer at once with no jobs.
    public func stop() {
        stopping.withLock { $0 = true }
        waiters.signal()
        stopped.signal()
    }

    /// Leases up to `request.max` claimable jobs to the worker, waiting up to `request.wait` for
    /// some to become claimable.
    public func claim(_ request: RemoteClaim) async throws -> [RemoteLease] {
        try request.validate()
        let end = ContinuousClock.now + min(request.wait, options.maxWait)
        let nodeID = RemoteClaim.nodeID(worker: request.worker)
        var queriedAt: UInt64?
        var nextPoll = ContinuousClock.now
        while true {
            try Task.checkCancellation()  // a cancelled wait returns at once: do not spin
            let seen = waiters.generation
            if stopping.withLock({ $0 }) { return [] }
            // While it waits, the worker stays in the fleet: its row is refreshed every heartbeat
            // interval, though the store is asked for jobs only when woken or at the poll interval.
            await touch(nodeID, claim: request)
            if queriedAt != seen || ContinuousClock.now >= nextPoll {
                queriedAt = seen
                nextPoll = ContinuousClock.now + options.pollInterval
                let now = clock.now()
                let leaseUntil = now.addingTimeInterval(options.leaseDuration.secondsDouble)
                let jobs = try await store.claim(
                    ClaimRequest(
                        limit: request.max, types: request.types, workerID: nodeID, leaseUntil: leaseUntil, now: now, queues: request.queues,
                        startsNow: true))
                if !jobs.isEmpty {
                    workers.withLock { $0[nodeID]?.held.formUnion(jobs.map(\.leaseToken)) }
                    await touch(nodeID, claim: request, force: true)  // its busy count changed
                    return jobs.map { RemoteLease(job: $0, leaseExpiresAt: leaseUntil, deadline: Self.deadline(of: $0, claimedAt: now)) }
                }
            }
            let remaining = end - ContinuousClock.now
            guard remaining > .zero else { return [] }
            await waiters.wait(since: seen, timeout: min(remaining, nextPoll - ContinuousClock.now, options.heartbeatInterval))
        }
    }

    /// Extends the lease of attempt `attempt` of job `id` by the lease duration, storing `progress`
    /// with it when given. After the attempt's deadline it records the attempt as failed with error
    /// `timeout` instead; when an operator asked to cancel the job, the same statement ends it
    /// `cancelled` and the verdict says so, so the worker stops.
    public func heartbeat(id: UUID, attempt: Int, progress: (percent: Int, message: String)? = nil) async throws -> RemoteAttemptVerdict {
        guard let job = try await store.job(id: id) else { return .notFound }
        let token = LeaseToken(id: id, attempt: attempt)
        guard job.storedStatus == .processing, job.attempt == attempt else { return .stale(job) }
        let now = clock.now()
        if now > Self.deadline(of: job, claimedAt: now) {
            let outcome = AttemptRunner.decide(.timedOut, job: job, now: now, retryPolicy: options.retryPolicy)
            return try await finish(token, outcome, of: job, now: now, deadlinePassed: true)
        }
        var reports: [LeaseToken: JobProgress] = [:]
        if let progress { reports[token] = JobProgress(percent: progress.percent, message: progress.message, updatedAt: now, attempt: attempt) }
        let renewal = try await store.renewLeases(
            LeaseRenewal(leases: [token], progress: reports, until: now.addingTimeInterval(options.leaseDuration.secondsDouble), now: now))
        if renewal.cancelled.contains(id) {
            if let worker = job.workerID { release(token, of: worker, succeeded: false) }
            guard let current = try await store.job(id: id) else { return .notFound }
            return .cancelled(current)
        }
        guard renewal.extended.contains(id), let current = try await store.job(id: id) else { return try await staleOrGone(id) }
        if let worker = job.workerID { await touch(worker, claim: nil) }
        return .applied(current)
    }

    /// Records attempt `attempt` of job `id` as done, storing `result` with it. A result larger
    /// than ``Options/maxResultBytes`` fails the attempt instead, like an in-process handler's.
    public func complete(id: UUID, attempt: Int, result: JobResult? = nil) async throws -> RemoteAttemptVerdict {
        guard let job = try await store.job(id: id) else { return .notFound }
        guard job.storedStatus == .processing, job.attempt == attempt else { return .stale(job) }
        let now = clock.now()
        if let result, result.json.utf8.count > options.maxResultBytes {
            let error = JobError.retryable("result is \(result.json.utf8.count) bytes, more than MAX_RESULT_BYTES (\(options.maxResultBytes))")
            let outcome = AttemptRunner.decide(.failure(error), job: job, now: now, retryPolicy: options.retryPolicy)
            return try await finish(LeaseToken(id: id, attempt: attempt), outcome, of: job, now: now, deadlinePassed: false)
        }
        return try await finish(
            LeaseToken(id: id, attempt: attempt), .done, result: result?.json, of: job, now: now, deadlinePassed: false)
    }

    /// Records attempt `attempt` of job `id` as failed: retried with backoff while retries are
    /// left (then `dlq`) when `retryable`, else `failed` at once. Error texts are kept up to 4 KiB.
    public func fail(id: UUID, attempt: Int, error message: String, retryable: Bool) async throws -> RemoteAttemptVerdict {
        guard let job = try await store.job(id: id) else { return .notFound }
        guard job.storedStatus == .processing, job.attempt == attempt else { return .stale(job) }
        let now = clock.now()
        let error = retryable ? JobError.retryable(message) : JobError.permanent(message)
        let outcome = AttemptRunner.decide(.failure(error), job: job, now: now, retryPolicy: options.retryPolicy)
        return try await finish(LeaseToken(id: id, attempt: attempt), outcome, of: job, now: now, deadlinePassed: false)
    }

    /// The attempt's deadline: when it was claimed (its `started_at`) plus the job's timeout.
    public static func deadline(of job: Job, claimedAt now: Date) -> Date {
        (job.startedAt ?? now).addingTimeInterval(job.timeoutSeconds)
    }

    private func finish(
        _ token: LeaseToken, _ outcome: Completion.Outcome, result: String? = nil, of job: Job, now: Date, deadlinePassed: Bool
    ) async throws -> RemoteAttemptVerdict {
        let worker = job.workerID
        let completion = Completion(token: token, outcome: outcome, result: result, startedAt: job.startedAt)
        let applied = try await store.finish([completion], now: now)
        guard applied.contains(token) else { return try await staleOrGone(token.id) }
        if let worker {
            release(token, of: worker, succeeded: outcome == .done)
            await touch(worker, claim: nil)
        }
        guard let current = try await store.job(id: token.id) else { return .notFound }
        return deadlinePassed ? .deadlinePassed(current) : .applied(current)
    }

    /// Counts an ended attempt in its worker's fleet entry.
    private func release(_ token: LeaseToken, of worker: String, succeeded: Bool) {
        workers.withLock { workers in
            guard workers[worker] != nil else { return }
            workers[worker]!.held.remove(token)
            if succeeded { workers[worker]!.info.jobsDone += 1 } else { workers[worker]!.info.jobsFailed += 1 }
        }
    }

    private func staleOrGone(_ id: UUID) async throws -> RemoteAttemptVerdict {
        guard let job = try await store.job(id: id) else { return .notFound }
        return .stale(job)
    }

    /// Refreshes a remote worker's fleet entry (registering it when new or reaped), at most once
    /// per heartbeat interval unless a claim changed what it shows. Failures are logged, never
    /// thrown: the fleet view must not fail a claim.
    private func touch(_ nodeID: String, claim: RemoteClaim?, force: Bool = false) async {
        guard nodeID.hasPrefix("remote:") else { return }
        let now = clock.now()
        let instant = ContinuousClock.now
        let interval = options.heartbeatInterval
        let due = workers.withLock { workers -> (NodeInfo, register: Bool)? in
            var worker =
                workers[nodeID]
                ?? Worker(
                    info: NodeInfo(
                        id: nodeID, hostname: String(nodeID.dropFirst("remote:".count)), pid: 0, apiAddress: "remote", workers: claim?.max ?? 0,
                        version: "remote", types: claim?.types ?? ["*"], startedAt: now, lastHeartbeat: now))
            let isNew = workers[nodeID] == nil
            var changed = false
            if let claim, claim.max != worker.info.workers || (claim.types ?? ["*"]) != worker.info.types {
                worker.info.workers = claim.max
                worker.info.types = claim.types ?? ["*"]
                changed = true
            }
            worker.info.busy = worker.held.count
            worker.info.lastHeartbeat = now
            let beatDue = worker.lastBeat.map { instant - $0 >= interval } ?? true
            if isNew || changed || beatDue || force { worker.lastBeat = instant }
            workers[nodeID] = worker
            guard isNew || changed || beatDue || force else { return nil }
            // A worker first heard of here through a job it claimed from another node keeps the
            // row that node registered (its slots and types): only a heartbeat, or a registration
            // if the row is gone.
            return (worker.info, register: (isNew && claim != nil) || changed)
        }
        guard let due else { return }
        let (info, register) = due
        do {
            let beat = NodeHeartbeat(apiAddress: info.apiAddress, busy: info.busy, jobsDone: info.jobsDone, jobsFailed: info.jobsFailed)
            if register {
                try await store.registerNode(info)
            } else if try await !store.heartbeat(nodeID: nodeID, beat, at: now) {
                try await store.registerNode(info)
            }
        } catch {
            logger.warning("could not record a remote worker in the fleet table", metadata: [LogKey.nodeID: "\(nodeID)", LogKey.error: "\(error)"])
        }
    }
}
