import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One node's dispatcher and worker slots.
///
/// The dispatcher claims jobs in batches sized to the free slots, runs each in its own child task
/// with the job's timeout, and hands the outcome to a ``CompletionWriter``. A lease keeper extends
/// the leases of running jobs and recovers expired ones anywhere in the fleet.
///
/// On graceful shutdown it stops claiming at once, lets running jobs finish for up to
/// ``WorkerPoolOptions/shutdownTimeout``, then cancels the rest and releases them to `pending`
/// (not counted as a failed attempt), flushes completions and returns.
public final class WorkerPool: Service, Sendable {
    private struct State {
        var running: [UUID: LeaseToken] = [:]
        /// Running jobs per queue, for per-queue concurrency limits.
        var runningByQueue: [String: Int] = [:]
        var stopping = false
        var counters = WorkerPoolCounters()
        /// Running handlers by job: when each must stop, and how to cancel it.
        var deadlines: [UUID: AttemptDeadline] = [:]
        /// Jobs whose handler was cancelled for running past its timeout.
        var timedOut: Set<UUID> = []
        /// When the timeout watchdog will next look, so an earlier deadline can wake it.
        var watchdogWakesAt: ContinuousClock.Instant?
        var finished = false
    }

    private struct AttemptDeadline {
        var at: ContinuousClock.Instant
        var cancel: @Sendable () -> Void
    }

    private let store: any JobStore
    private let registry: HandlerRegistry
    private let options: WorkerPoolOptions
    private let clock: WallClock
    private let logger: Logger
    private let state = Mutex(State())
    private let dispatcherWakeup = Wakeup()
    private let leaseKeeperWakeup = Wakeup()
    private let watchdogWakeup = Wakeup()
    private let completions: CompletionWriter
    private let metrics: VesperMetrics

    public init(
        store: any JobStore, registry: HandlerRegistry, options: WorkerPoolOptions, clock: WallClock = .system, logger: Logger,
        metrics: VesperMetrics = .shared
    ) {
        self.metrics = metrics
        self.store = store
        self.registry = registry
        self.options = options
        self.clock = clock
        self.logger = logger
        self.completions = CompletionWriter(store: store, clock: clock, logger: logger)
    }

    /// Tells the dispatcher that new work may be claimable (an enqueue, a notification).
    public func wake() {
        dispatcherWakeup.signal()
    }

    /// Live counters for heartbeats and the fleet view.
    public var counters: WorkerPoolCounters {
        state.withLock { $0.counters }
    }

    /// The attempts running now.
    public var runningTokens: [LeaseToken] {
        state.withLock { Array($0.running.values) }
    }

    /// Begins a graceful shutdown without a `ServiceGroup` (the group's signal does the same).
    public func shutdown() {
        beginShutdown()
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.completions.run() }
            group.addTask { await self.keepLeases() }
            group.addTask { await self.enforceTimeouts() }
            await withGracefulShutdownHandler {
                await self.dispatch()
            } onGracefulShutdown: {
                self.beginShutdown()
            }
            self.completions.stop()
            self.state.withLock { $0.finished = true }
            self.leaseKeeperWakeup.signal()
            self.watchdogWakeup.signal()
        }
        logger.debug("worker pool stopped")
    }

    private func beginShutdown() {
        state.withLock { $0.stopping = true }
        dispatcherWakeup.signal()
    }

    private var isStopping: Bool {
        state.withLock { $0.stopping } || Task.isCancelled
    }

    // MARK: Dispatching

    private func dispatch() async {
        await withDiscardingTaskGroup { jobs in
            var failures = 0
            while !isStopping {
                let free = options.slots - state.withLock { $0.running.count }
                guard free > 0 else {
                    await dispatcherWakeup.wait(timeout: options.pollInterval)
                    continue
                }
                let claimed: [Job]
                do {
                    claimed = try await claimRound(limit: min(free, options.maxClaimBatch), now: clock.now())
                    failures = 0
                } catch {
                    failures += 1
                    logger.warning("claim failed, backing off", metadata: [LogKey.error: "\(error)"])
                    await dispatcherWakeup.wait(timeout: .milliseconds(min(5_000, 100 * (1 << min(failures, 6)))))
                    continue
                }
                for job in claimed {
                    let token = LeaseToken(id: job.id, attempt: job.attempt)
                    state.withLock {
                        $0.running[job.id] = token
                        $0.runningByQueue[job.queue, default: 0] += 1
                        $0.counters.busy = $0.running.count
                    }
                    jobs.addTask { await self.execute(job, token: token) }
                }
                if !claimed.isEmpty { metrics.workerSlots(total: options.slots, busy: state.withLock { $0.running.count }) }
                if claimed.count < free {
                    await dispatcherWakeup.wait(timeout: options.pollInterval)
                }
            }
            await drain(cancelling: jobs)
        }
    }

    /// Claims up to `limit` jobs honouring the node's queue selection and per-queue limits.
    ///
    /// Without per-queue limits this is one claim statement. With them, each limited queue that has
    /// room is claimed separately (at most its free room), then the remaining queues in one claim
    /// that excludes the limited ones; so priority order holds within a queue and among the
    /// unlimited queues, not across a limited queue and the rest. A failure after some jobs were
    /// claimed returns those (they are leased and must run) and leaves the rest for the next round.
    private func claimRound(limit: Int, now: Date) async throws -> [Job] {
        let leaseUntil = now.addingTimeInterval(options.leaseDuration.secondsDouble)
        func request(_ limit: Int, queues: [String]?, excluded: [String] = []) -> ClaimRequest {
            ClaimRequest(
                limit: limit, types: registry.claimableTypes, workerID: options.nodeID, leaseUntil: leaseUntil, now: now,
                queues: queues, excludedQueues: excluded)
        }
        let limits = options.queueConcurrency
        if limits.isEmpty {
            return try await store.claim(request(limit, queues: options.queues))
        }
        var claimed: [Job] = []
        var remaining = limit
        let running = state.withLock { $0.runningByQueue }
        do {
            for queue in limits.keys.sorted() where remaining > 0 && (options.queues?.contains(queue) ?? true) {
                let room = limits[queue]! - running[queue, default: 0]
                guard room > 0 else { continue }
                let batch = try await store.claim(request(min(room, remaining), queues: [queue]))
                claimed += batch
                remaining -= batch.count
            }
            if remaining > 0 {
                if let selected = options.queues {
                    let open = selected.filter { limits[$0] == nil }
                    if !open.isEmpty { claimed += try await store.claim(request(remaining, queues: open)) }
                } else {
                    claimed += try await store.claim(request(remaining, queues: nil, excluded: limits.keys.sorted()))
                }
            }
        } catch {
            if claimed.isEmpty { throw error }
            logger.warning("claim failed part-way, running what was claimed", metadata: [LogKey.error: "\(error)"])
        }
        return claimed
    }

    /// Waits for running jobs up to the shutdown timeout, then cancels the rest.
    private func drain(cancelling jobs: DiscardingTaskGroup) async {
        let deadline = ContinuousClock.now + options.shutdownTimeout
        while state.withLock({ !$0.running.isEmpty }) {
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero || Task.isCancelled {
                logger.notice(
                    "shutdown timeout reached, releasing running jobs",
                    metadata: [LogKey.count: "\(state.withLock { $0.running.count })"])
                jobs.cancelAll()
                return
            }
            await dispatcherWakeup.wait(timeout: remaining)
        }
    }

    // MARK: Running one job

    private enum AttemptResult {
        case success
        case failure(any Error)
        case timedOut
    }

    private func execute(_ job: Job, token: LeaseToken) async {
        let started = clock.now()
        let result: AttemptResult
        if let handler = registry.handler(for: job.type) {
            result = await attempt(handler, job: job, timeout: .secondsDouble(job.timeoutSeconds))
        } else {
            result = .failure(JobError.retryable("no handler for type \(job.type) on node \(options.nodeID)"))
        }
        let finished = clock.now()
        let outcome = Task.isCancelled ? Completion.Outcome.release : decide(result, job: job, now: finished)
        completions.submit(Completion(token: token, outcome: outcome))
        state.withLock {
            $0.running[job.id] = nil
            $0.runningByQueue[job.queue, default: 1] -= 1
            $0.counters.busy = $0.running.count
            switch outcome {
            case .done: $0.counters.done += 1
            case .release: break
            case .retry, .deadLetter, .failed: $0.counters.failed += 1
            }
        }
        dispatcherWakeup.signal()
        report(job, outcome: outcome, started: started, finished: finished)
    }

    /// Runs the handler in a task of its own, which the timeout watchdog can cancel alone.
    ///
    /// A sleeping timer task per job would be simpler, but a cancelled `Task.sleep` stays in the
    /// executor's timer queue until its deadline: with the default 5-minute `JOB_TIMEOUT` that held
    /// hundreds of bytes per finished job for five minutes, and memory grew with throughput.
    private func attempt(_ handler: @escaping JobHandler, job: Job, timeout: Duration) async -> AttemptResult {
        let task = Task { try await handler(job) }
        let deadline = AttemptDeadline(at: .now + timeout, cancel: { task.cancel() })
        let wakeWatchdog = state.withLock { state -> Bool in
            state.deadlines[job.id] = deadline
            guard let wakesAt = state.watchdogWakesAt else { return true }
            return deadline.at < wakesAt
        }
        if wakeWatchdog { watchdogWakeup.signal() }
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        let timedOut = state.withLock { state -> Bool in
            state.deadlines[job.id] = nil
            return state.timedOut.remove(job.id) != nil
        }
        if timedOut { return .timedOut }
        switch result {
        case .success: return .success
        case .failure(let error): return .failure(error)
        }
    }

    /// Cancels handlers that run past their job's timeout. Sleeps until the earliest deadline
    /// (at most a second), and is woken when a job with an earlier one starts.
    private func enforceTimeouts() async {
        while true {
            let now = ContinuousClock.now
            let (expired, next, finished) = state.withLock { state -> ([@Sendable () -> Void], ContinuousClock.Instant?, Bool) in
                var expired: [@Sendable () -> Void] = []
                var next: ContinuousClock.Instant?
                for (id, deadline) in state.deadlines {
                    if deadline.at <= now {
                        if state.timedOut.insert(id).inserted { expired.append(deadline.cancel) }
                    } else {
                        next = min(next ?? deadline.at, deadline.at)
                    }
                }
                let wakesAt = min(next ?? now + .seconds(1), now + .seconds(1))
                state.watchdogWakesAt = wakesAt
                return (expired, wakesAt, state.finished)
            }
            if finished || Task.isCancelled { return }
            for cancel in expired { cancel() }
            await watchdogWakeup.wait(timeout: max(.milliseconds(1), (next ?? now) - ContinuousClock.now))
        }
    }

    /// Turns an attempt's result into what the store records.
    private func decide(_ result: AttemptResult, job: Job, now: Date) -> Completion.Outcome {
        let message: String
        switch result {
        case .success:
            return .done
        case .timedOut:
            message = "timeout"
        case .failure(let error as JobError) where !error.isRetryable:
            return .failed(error: Self.truncate(error.message))
        case .failure(let error as JobError):
            message = error.message
        case .failure(let error):
            message = String(describing: error)
        }
        guard job.retries < job.maxRetries else {
            return .deadLetter(error: Self.truncate(message))
        }
        let delay = options.retryPolicy.delay(afterRetries: job.retries)
        return .retry(error: Self.truncate(message), runAt: now.addingTimeInterval(delay.secondsDouble))
    }

    static func truncate(_ message: String) -> String {
        message.utf8.count <= 4096 ? message : String(message.prefix(4096))
    }

    /// Records a finished attempt: one log line and the job metrics.
    private func report(_ job: Job, outcome: Completion.Outcome, started: Date, finished: Date) {
        let name: String
        var level: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        switch outcome {
        case .done: name = "done"
        case .retry(let error, _): name = "retried"; metadata[LogKey.error] = "\(error)"; level = .warning
        case .deadLetter(let error): name = "dlq"; metadata[LogKey.error] = "\(error)"; level = .error
        case .failed(let error): name = "failed"; metadata[LogKey.error] = "\(error)"; level = .error
        case .release: name = "released"; level = .notice
        }
        let run = finished.timeIntervalSince(started)
        // Queue wait: from when the job became due (created, or its run_at) until a worker took it.
        let due = max(job.runAt, job.createdAt)
        let wait = (job.startedAt ?? started).timeIntervalSince(due)
        metrics.jobFinished(type: job.type, outcome: name, run: .secondsDouble(run), wait: job.attempt == 1 ? .secondsDouble(wait) : nil)
        metrics.workerSlots(total: options.slots, busy: state.withLock { $0.running.count })
        // Building the metadata costs more than a no-op job: only build it when the line is written.
        guard logger.logLevel <= level else { return }
        metadata[LogKey.jobID] = "\(job.id.uuidString.lowercased())"
        metadata[LogKey.jobType] = "\(job.type)"
        metadata[LogKey.priority] = "\(job.priority)"
        metadata[LogKey.attempt] = "\(job.attempt)"
        metadata[LogKey.waitMs] = "\(Int((wait * 1000).rounded()))"
        metadata[LogKey.runMs] = "\(Int((run * 1000).rounded()))"
        metadata[LogKey.outcome] = "\(name)"
        logger.log(level: level, "job \(name)", metadata: metadata)
    }

    // MARK: Leases

    private func keepLeases() async {
        let interval = options.effectiveLeaseCheckInterval
        while true {
            await leaseKeeperWakeup.wait(timeout: interval)
            if Task.isCancelled { return }
            let (tokens, stoppedAndIdle) = state.withLock { ($0.running.values.map { $0 }, $0.stopping && $0.running.isEmpty) }
            if stoppedAndIdle { return }
            let now = clock.now()
            do {
                if !tokens.isEmpty {
                    let until = now.addingTimeInterval(options.leaseDuration.secondsDouble)
                    let extended = try await store.extendLeases(tokens, until: until, now: now)
                    for token in tokens where !extended.contains(token.id) {
                        logger.warning("lost the lease of a running job; its result will not be recorded", metadata: [LogKey.jobID: "\(token.id.uuidString.lowercased())"])
                    }
                }
                let recovered = try await store.recoverExpiredLeases(now: now)
                if recovered > 0 {
                    metrics.leasesRecovered(recovered)
                    logger.notice("recovered jobs whose lease expired", metadata: [LogKey.count: "\(recovered)"])
                    dispatcherWakeup.signal()
                }
            } catch {
                logger.warning("lease upkeep failed", metadata: [LogKey.error: "\(error)"])
            }
        }
    }
}
