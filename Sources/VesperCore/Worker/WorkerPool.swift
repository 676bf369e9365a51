import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One node's dispatcher and worker slots.
///
/// The dispatcher claims jobs in batches sized to the free slots plus a prefetch (see
/// ``PrefetchSizer``), runs each in its own child task with the job's timeout, and hands the
/// outcome to a ``CompletionWriter``, whose waiting completions also ride along in the next claim. A lease keeper extends
/// the leases of running jobs and recovers expired ones anywhere in the fleet.
///
/// On graceful shutdown it stops claiming at once, lets running jobs finish for up to
/// ``WorkerPoolOptions/shutdownTimeout``, then cancels the rest and releases them to `pending`
/// (not counted as a failed attempt), flushes completions and returns.
public final class WorkerPool: Service, Sendable {
    private struct State {
        var running: [UUID: LeaseToken] = [:]
        /// Jobs leased ahead of free slots and not started yet; their leases are kept like running
        /// ones. A slot that finishes a job takes the next one from here itself.
        var buffer = PrefetchBuffer()
        /// Set by the watchdog about once a second: the dispatcher should hand back long-held prefetched jobs.
        var prefetchCheckDue = false
        var prefetchSizer = PrefetchSizer()
        /// After a hand-back, no prefetch until some job finishes: the slots are held by long jobs,
        /// and re-claiming what was just handed back would only bump its attempt.
        var prefetchPaused = false
        /// When an attempt last finished on this node.
        var lastFinishedAt = ContinuousClock.now
        /// Held jobs (running or prefetched) per queue, for per-queue concurrency limits.
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
    private let observer: any AttemptObserver

    /// Creates a pool; `observer` receives its metrics and per-job reports (defaults to a
    /// ``StandardAttemptObserver`` with `logger` and `metrics`).
    public init(
        store: any JobStore, registry: HandlerRegistry, options: WorkerPoolOptions, clock: WallClock = .system, logger: Logger,
        metrics: VesperMetrics = .shared, observer: (any AttemptObserver)? = nil
    ) {
        self.observer = observer ?? StandardAttemptObserver(logger: logger, metrics: metrics)
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
                var (free, buffered) = startBuffered(in: &jobs)
                handBackLongHeld()
                let wanted = claimSize(free: free, buffered: buffered)
                if wanted > 0 {
                    let claimed: [Job]
                    let began = ContinuousClock.now
                    do {
                        claimed = try await claimRound(limit: wanted, now: clock.now())
                        failures = 0
                        let took = ContinuousClock.now - began
                        state.withLock { $0.prefetchSizer.recordClaim(took.secondsDouble) }
                    } catch {
                        failures += 1
                        logger.warning("claim failed, backing off", metadata: [LogKey.error: "\(error)"])
                        await dispatcherWakeup.wait(timeout: .milliseconds(min(5_000, 100 * (1 << min(failures, 6)))))
                        continue
                    }
                    hold(claimed)
                    // A full claim: there may be more; otherwise start what came and wait for news.
                    if claimed.count == wanted { continue }
                    (free, _) = startBuffered(in: &jobs)
                }
                if free == 0 {
                    // Every slot is busy: a finishing job, the watchdog or shutdown wakes us.
                    await dispatcherWakeup.wait()
                } else {
                    await dispatcherWakeup.wait(timeout: options.pollInterval)
                }
            }
            handBack(state.withLock { $0.buffer.removeAll() }, reason: "shutdown")
            await drain(cancelling: jobs)
        }
    }

    /// Starts buffered jobs in free slots; returns the slots still free and the jobs still buffered.
    private func startBuffered(in jobs: inout DiscardingTaskGroup) -> (free: Int, buffered: Int) {
        var started = false
        while true {
            let (job, free, buffered) = state.withLock { state -> (Job?, Int, Int) in
                guard state.running.count < options.slots, let job = state.buffer.next() else {
                    return (nil, options.slots - state.running.count, state.buffer.count)
                }
                state.running[job.id] = LeaseToken(id: job.id, attempt: job.attempt)
                state.counters.busy = state.running.count
                return (job, 0, 0)
            }
            guard let job else {
                if started { observer.slotsChanged(total: options.slots, busy: options.slots - free) }
                return (free, buffered)
            }
            jobs.addTask { await self.runSlot(first: job) }
            started = true
        }
    }

    /// One busy slot: runs a job, then the next buffered one, until the buffer is empty.
    private func runSlot(first: Job) async {
        var next: Job? = first
        while let job = next {
            next = await execute(job, token: LeaseToken(id: job.id, attempt: job.attempt))
        }
    }

    /// How many jobs to claim now: the free slots plus the prefetch target, less what is buffered.
    /// A partly full buffer is topped up only once it is down to half its target, so claims stay large.
    private func claimSize(free: Int, buffered: Int) -> Int {
        let target = prefetchTarget()
        let wanted = free + target - buffered
        guard wanted > 0, free > 0 || buffered <= target / 2 else { return 0 }
        return min(options.maxClaimBatch, wanted)
    }

    /// See ``PrefetchSizer``; capped by ``WorkerPoolOptions/prefetchLimit``. None with per-queue
    /// limits, which count held jobs.
    private func prefetchTarget() -> Int {
        guard options.prefetchLimit > 0, options.queueConcurrency.isEmpty else { return 0 }
        return state.withLock {
            $0.prefetchPaused
                ? 0 : $0.prefetchSizer.target(slots: options.slots, limit: options.prefetchLimit, horizon: options.prefetchHorizon, now: .now)
        }
    }

    private func hold(_ claimed: [Job]) {
        guard !claimed.isEmpty else { return }
        state.withLock {
            for job in claimed { $0.runningByQueue[job.queue, default: 0] += 1 }
            $0.buffer.add(claimed, at: .now)
        }
    }

    /// When no attempt has finished for ``WorkerPoolOptions/prefetchHold`` (every slot is held by
    /// a long job), hands prefetched jobs that waited that long back to `pending`, so other nodes
    /// can run them. Checked when the watchdog asks, about once a second.
    private func handBackLongHeld() {
        let cutoff = ContinuousClock.now - options.prefetchHold
        let stale = state.withLock { state -> [Job] in
            defer { state.prefetchCheckDue = false }
            guard state.prefetchCheckDue, state.lastFinishedAt < cutoff else { return [] }
            let stale = state.buffer.removeClaimed(before: cutoff)
            if !stale.isEmpty { state.prefetchPaused = true }
            return stale
        }
        handBack(stale, reason: "held too long")
    }

    /// Releases leased, never-started jobs: back to `pending`, no attempt counted.
    private func handBack(_ jobs: [Job], reason: String) {
        guard !jobs.isEmpty else { return }
        state.withLock {
            for job in jobs { $0.runningByQueue[job.queue, default: 1] -= 1 }
        }
        for job in jobs {
            completions.submit(Completion(token: LeaseToken(id: job.id, attempt: job.attempt), outcome: .release))
        }
        logger.debug("handed back prefetched jobs", metadata: [LogKey.count: "\(jobs.count)", "reason": "\(reason)"])
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
            // Finished attempts waiting to be written ride along in the claim's transaction.
            let finishing = completions.takeBuffered()
            do {
                return try await store.finishAndClaim(finishing, request(limit, queues: options.queues)).claimed
            } catch {
                completions.putBack(finishing)
                throw error
            }
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

    /// Runs one attempt and records it; returns the next buffered job for this slot, if any.
    private func execute(_ job: Job, token: LeaseToken) async -> Job? {
        let started = clock.now()
        let began = ContinuousClock.now
        let result: AttemptResult
        if let handler = registry.handler(for: job.type) {
            result = await attempt(handler, job: job, timeout: .secondsDouble(job.timeoutSeconds))
        } else {
            result = .failure(JobError.retryable("no handler for type \(job.type) on node \(options.nodeID)"))
        }
        let finished = clock.now()
        let ended = ContinuousClock.now
        let ran = ended - began
        let outcome = Task.isCancelled ? Completion.Outcome.release : decide(result, job: job, now: finished)
        completions.submit(Completion(token: token, outcome: outcome))
        let cancelled = Task.isCancelled
        let next = state.withLock { state -> Job? in
            state.running[job.id] = nil
            state.runningByQueue[job.queue, default: 1] -= 1
            state.prefetchSizer.recordRun(ran.secondsDouble, at: ended)
            state.prefetchPaused = false
            state.lastFinishedAt = ended
            switch outcome {
            case .done: state.counters.done += 1
            case .release: break
            case .retry, .deadLetter, .failed: state.counters.failed += 1
            }
            // The slot stays busy with the next buffered job, if any, without waiting for the dispatcher.
            var next: Job?
            if !state.stopping, !cancelled, let buffered = state.buffer.next() {
                state.running[buffered.id] = LeaseToken(id: buffered.id, attempt: buffered.attempt)
                next = buffered
            }
            state.counters.busy = state.running.count
            return next
        }
        dispatcherWakeup.signal()
        report(job, outcome: outcome, started: started, finished: finished)
        return next
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
                if !state.buffer.isEmpty { state.prefetchCheckDue = true }
                return (expired, wakesAt, state.finished)
            }
            if finished || Task.isCancelled { return }
            if state.withLock({ $0.prefetchCheckDue }) { dispatcherWakeup.signal() }
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

    /// Records a finished attempt through the observer.
    private func report(_ job: Job, outcome: Completion.Outcome, started: Date, finished: Date) {
        observer.attemptFinished(FinishedAttempt(job: job, outcome: outcome.attemptOutcome, completion: outcome, started: started, finished: finished))
        observer.slotsChanged(total: options.slots, busy: state.withLock { $0.running.count })
    }

    // MARK: Leases

    private func keepLeases() async {
        let interval = options.effectiveLeaseCheckInterval
        while true {
            await leaseKeeperWakeup.wait(timeout: interval)
            if Task.isCancelled { return }
            let (tokens, stoppedAndIdle) = state.withLock {
                (Array($0.running.values) + $0.buffer.tokens, $0.stopping && $0.running.isEmpty && $0.buffer.isEmpty)
            }
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
                    observer.leasesRecovered(recovered)
                    logger.notice("recovered jobs whose lease expired", metadata: [LogKey.count: "\(recovered)"])
                    dispatcherWakeup.signal()
                }
            } catch {
                logger.warning("lease upkeep failed", metadata: [LogKey.error: "\(error)"])
            }
        }
    }
}
