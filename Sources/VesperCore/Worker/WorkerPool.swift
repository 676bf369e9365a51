import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// One node's dispatcher and worker slots.
///
/// A thin async shell around ``DispatchStateMachine``, which makes every decision: the shell feeds
/// it events (a round, a claim's result, a finished attempt, a watchdog tick, lost leases,
/// shutdown) with the current instant and performs the actions it returns. The parts: the
/// ``ClaimPlanner`` (how much to claim, from which queues), the ``AttemptRunner`` (a handler under
/// its timeout, and the retry decision), the ``TimeoutWatchdog``, the ``LeaseKeeper``, the
/// ``CompletionWriter`` (whose waiting completions also ride along in the next claim), the
/// ``RankProbe`` (whether a prefetched job may start), and the ``AttemptObserver`` that metrics
/// and per-job logs go through.
///
/// On graceful shutdown it stops claiming at once, hands prefetched jobs back, lets running jobs
/// finish for up to ``WorkerPoolOptions/shutdownTimeout``, then cancels the rest and releases them
/// to `pending` (not counted as a failed attempt), flushes completions and returns.
public final class WorkerPool: Service, Sendable {
    private let store: any JobStore
    private let options: WorkerPoolOptions
    private let claimTypes: [String]?
    private let clock: WallClock
    private let logger: Logger
    private let observer: any AttemptObserver
    private let machine: Mutex<DispatchStateMachine>
    private let runner: AttemptRunner
    private let watchdog = TimeoutWatchdog()
    private let progress = ProgressBoard()
    private let leaseKeeper: LeaseKeeper
    private let completions: CompletionWriter
    private let dispatcherWakeup = Wakeup()
    private let rankProbe = RankProbe()

    /// Creates a pool; `observer` receives its metrics and per-job reports (defaults to a
    /// ``StandardAttemptObserver`` with `logger` and `metrics`).
    public init(
        store: any JobStore, registry: HandlerRegistry, options: WorkerPoolOptions, clock: WallClock = .system, logger: Logger,
        metrics: VesperMetrics = .shared, observer: (any AttemptObserver)? = nil
    ) {
        self.store = store
        self.options = options
        self.claimTypes = registry.claimableTypes
        self.clock = clock
        self.logger = logger
        self.observer = observer ?? StandardAttemptObserver(logger: logger, metrics: metrics)
        self.machine = Mutex(DispatchStateMachine(DispatchStateMachine.Configuration(options), now: .now))
        self.runner = AttemptRunner(
            registry: registry, retryPolicy: options.retryPolicy, nodeID: options.nodeID, clock: clock, watchdog: watchdog, progress: progress,
            maxResultBytes: options.maxResultBytes, logger: logger)
        self.leaseKeeper = LeaseKeeper(store: store, clock: clock, options: options, progress: progress, logger: logger)
        self.completions = CompletionWriter(store: store, clock: clock, logger: logger)
    }

    /// Tells the dispatcher that new work may be claimable (an enqueue, a notification): held jobs
    /// start only after the store confirms nothing claimable outranks them.
    public func wake() {
        machine.withLock { $0.arrived() }
        dispatcherWakeup.signal()
    }

    /// Live counters for heartbeats and the fleet view.
    public var counters: WorkerPoolCounters {
        machine.withLock { $0.counters }
    }

    /// Begins a graceful shutdown without a `ServiceGroup` (the group's signal does the same).
    public func shutdown() {
        machine.withLock { $0.shutdownRequested(now: .now) }
        dispatcherWakeup.signal()
    }

    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.completions.run(written: self.completionsWritten, rankWanted: self.rankRideWanted, rankRead: self.rankRode)
            }
            group.addTask {
                await self.leaseKeeper.run(
                    held: { self.machine.withLock { ($0.heldLeases, $0.isStoppedAndIdle) } },
                    lost: { self.leasesLost($0) },
                    cancelled: { self.cancelledByRequest($0) },
                    recovered: {
                        self.observer.leasesRecovered($0)
                        self.wake()
                    })
            }
            group.addTask {
                await self.watchdog.run {
                    if self.machine.withLock({ $0.holdCheckTick() }) { self.dispatcherWakeup.signal() }
                }
            }
            await withGracefulShutdownHandler {
                await self.dispatch()
            } onGracefulShutdown: {
                self.shutdown()
            }
            self.completions.stop()
            self.leaseKeeper.stop()
            self.watchdog.stop()
        }
        logger.debug("worker pool stopped")
    }

    // MARK: Dispatching

    /// Performs the state machine's actions until it says stop.
    private func dispatch() async {
        await withDiscardingTaskGroup { slots in
            var action = machine.withLock { $0.dispatchRound(now: .now) }
            while true {
                for job in action.start { slots.addTask { await self.runSlot(first: job) } }
                if !action.start.isEmpty { observer.slotsChanged(total: options.slots, busy: machine.withLock { $0.busy }) }
                if let handBack = action.handBack { self.handBack(handBack) }
                switch action.next {
                case .claim(let plan):
                    action = await claim(plan)
                case .wait(let timeout):
                    if let timeout { await dispatcherWakeup.wait(timeout: timeout) } else { await dispatcherWakeup.wait() }
                    action = machine.withLock { machine in
                        if Task.isCancelled { machine.cancelled(now: .now) }
                        return machine.dispatchRound(now: .now)
                    }
                case .cancelRunning:
                    logger.notice("shutdown timeout reached, releasing running jobs", metadata: [LogKey.count: "\(machine.withLock { $0.busy })"])
                    slots.cancelAll()
                    return
                case .stop:
                    return
                }
            }
        }
    }

    /// Runs a claim plan; finished attempts waiting to be written ride along when it is one statement.
    private func claim(_ plan: ClaimPlan) async -> DispatchStateMachine.Action {
        let now = clock.now()
        let leaseUntil = now.addingTimeInterval(options.leaseDuration.secondsDouble)
        let began = ContinuousClock.now
        let finishing = plan.takesCompletions ? completions.takeBuffered() : []
        do {
            let (finished, claimed) = try await plan.run(on: store, finishing: finishing, logger: logger) { step, limit in
                options.routedClaim(
                    limit: limit, types: claimTypes, leaseUntil: leaseUntil, now: now, queues: step.queues, excludedQueues: step.excludedQueues)
            }
            completions.written(finishing, applied: finished)
            let ended = ContinuousClock.now
            return machine.withLock { machine in
                if Task.isCancelled { machine.cancelled(now: ended) }
                return machine.claimSucceeded(claimed, took: ended - began, now: ended)
            }
        } catch {
            completions.putBack(finishing)
            logger.warning("claim failed, backing off", metadata: [LogKey.error: "\(error)"])
            return machine.withLock { $0.claimFailed(now: .now) }
        }
    }

    /// Releases leased, never-started jobs: back to `pending`, no attempt counted.
    private func handBack(_ handBack: DispatchStateMachine.HandBack) {
        for job in handBack.jobs {
            completions.submit(Completion(token: job.leaseToken, outcome: .release))
        }
        logger.debug("handed back prefetched jobs", metadata: [LogKey.count: "\(handBack.jobs.count)", "reason": "\(handBack.reason.rawValue)"])
    }

    /// One busy slot: runs a job, then the next buffered one while nothing claimable outranks it.
    private func runSlot(first: Job) async {
        var next: Job? = first
        while let job = next {
            let ran = await runner.run(job)
            let cancelled = Task.isCancelled
            // The state machine holds the attempt for its report before the writer can rule on it.
            let (step, busy) = machine.withLock { machine in
                (
                    machine.attemptFinished(
                        ran.attempt, ran: ran.duration, cancelled: cancelled, recordedByStore: ran.cancelledByRequest, now: ran.ended),
                    machine.busy
                )
            }
            if ran.cancelledByRequest {
                // The store ended the job when it found the request: nothing to write.
                observer.attemptFinished(ran.attempt)
            } else {
                completions.submit(
                    Completion(token: job.leaseToken, outcome: ran.attempt.completion, result: ran.result, startedAt: ran.attempt.started))
            }
            dispatcherWakeup.signal()
            observer.slotsChanged(total: options.slots, busy: busy)
            switch step {
            case .free: next = nil
            case .run(let job): next = job
            case .check: next = await nextBuffered()
            }
        }
    }

    /// Reads the best claimable rank (after this slot freed; slots freeing together share a read)
    /// and takes the next buffered job if nothing claimable outranks it; otherwise the
    /// dispatcher's next claim fills the slot.
    private func nextBuffered() async -> Job? {
        let check = await rankProbe.check { await self.readBestRank() }
        let (next, busy) = machine.withLock { machine in (machine.rankChecked(check, now: .now), machine.busy) }
        if next == nil {
            dispatcherWakeup.signal()
        } else {
            observer.slotsChanged(total: options.slots, busy: busy)
        }
        return next
    }

    /// The best claimable rank for this node's selection, with the instant and arrival count it
    /// began at (so the state machine knows what the read can vouch for).
    private func readBestRank() async -> DispatchStateMachine.RankCheck {
        let (since, arrivals) = machine.withLock { (ContinuousClock.now, $0.arrivals) }
        let request = rankRequest()
        do {
            return .best(try await store.bestClaimableRank(request), since: since, arrivals: arrivals)
        } catch {
            logger.debug("could not read the best claimable rank; the next claim decides", metadata: [LogKey.error: "\(error)"])
            return .failed
        }
    }

    /// The request of a rank read: this node's selection, as its claims make it.
    private func rankRequest() -> ClaimRequest {
        let now = clock.now()
        return options.routedClaim(limit: 1, types: claimTypes, leaseUntil: now, now: now, queues: options.queues)
    }

    /// Whether the completion writer's next batch should read the best claimable rank too.
    private func rankRideWanted() -> CompletionWriter.RankRide? {
        let wanted = machine.withLock { machine in machine.rankReadWanted(now: .now).map { (ContinuousClock.now, $0) } }
        guard let (since, arrivals) = wanted else { return nil }
        return CompletionWriter.RankRide(request: rankRequest(), since: since, arrivals: arrivals)
    }

    /// A rank read rode along with a batch of completions: it may renew the start vouch.
    private func rankRode(_ check: DispatchStateMachine.RankCheck) {
        if machine.withLock({ $0.rankRead(check) }) { dispatcherWakeup.signal() }
    }

    /// The store ruled on finished attempts: report each now, as applied or as a lost lease.
    private func completionsWritten(_ batch: [Completion], applied: Set<LeaseToken>) {
        let reports = machine.withLock { $0.completionsWritten(batch, applied: applied) }
        for attempt in reports { observer.attemptFinished(attempt) }
    }

    // MARK: Leases

    /// The store ended these held jobs `cancelled` at an operator's request: drop buffered ones,
    /// cancel the handlers of running ones (a handler that ignores it keeps its slot until it returns).
    private func cancelledByRequest(_ tokens: Set<LeaseToken>) {
        let (dropped, running) = machine.withLock { ($0.leasesLost(tokens), $0.running(among: tokens)) }
        watchdog.requestCancel(running)
        for token in tokens {
            logger.notice("cancelling a job at an operator's request", metadata: [LogKey.jobID: "\(token.id.uuidString.lowercased())"])
        }
        if !dropped.isEmpty { dispatcherWakeup.signal() }
    }

    private func leasesLost(_ tokens: Set<LeaseToken>) {
        let dropped = machine.withLock { $0.leasesLost(tokens) }
        for token in tokens {
            logger.warning("lost the lease of a held job; its result will not be recorded", metadata: [LogKey.jobID: "\(token.id.uuidString.lowercased())"])
        }
        if !dropped.isEmpty { logger.debug("dropped prefetched jobs whose lease was lost", metadata: [LogKey.count: "\(dropped.count)"]) }
    }
}
