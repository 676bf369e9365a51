import Foundation

/// The decisions of one node's dispatcher, without I/O: which jobs the node holds, when to claim
/// and how much, which jobs start in which slot, what goes back to the queue, when to stop.
///
/// Events (a round, a claim's result, a finished attempt, a watchdog tick, lost leases, shutdown)
/// come in with the current instant and return the actions the ``WorkerPool`` performs, so every
/// interleaving can be tested with made-up instants and no store. The held jobs have one home:
/// `running` (in a slot) and `buffer` (leased ahead of the slots); busy slots and per-queue
/// counts are read from them, never kept alongside.
struct DispatchStateMachine {
    typealias Instant = ContinuousClock.Instant

    struct Configuration: Sendable {
        var slots: Int
        var pollInterval: Duration
        var shutdownTimeout: Duration
        var prefetchHold: Duration
        var planner: ClaimPlanner.Configuration

        init(_ options: WorkerPoolOptions) {
            slots = options.slots
            pollInterval = options.pollInterval
            shutdownTimeout = options.shutdownTimeout
            prefetchHold = options.prefetchHold
            planner = ClaimPlanner.Configuration(options)
        }
    }

    /// What the dispatcher does, in this order: start `start` in slots of their own, hand
    /// `handBack` back to the queue, then `next`.
    struct Action: Equatable {
        var start: [Job] = []
        var handBack: HandBack?
        var next: Next
    }

    /// Leased jobs that never started, released to `pending` (no attempt counted).
    struct HandBack: Equatable {
        enum Reason: String {
            case heldTooLong = "held too long"
            case shutdown
        }

        var jobs: [Job]
        var reason: Reason
    }

    enum Next: Equatable {
        /// Run these claims, then report with ``claimSucceeded(_:took:now:)`` or ``claimFailed(now:)``.
        case claim(ClaimPlan)
        /// Wait for a wake-up (a finished attempt, an enqueue, shutdown), at most this long
        /// (`nil`: no limit), then call ``dispatchRound(now:)``.
        case wait(Duration?)
        /// The shutdown timeout passed: cancel the running handlers and stop dispatching.
        case cancelRunning
        /// Nothing is held any more: stop dispatching.
        case stop
    }

    private enum Phase: Equatable {
        case dispatching
        /// No more claims: hand back what is buffered and let running jobs finish until `deadline`.
        case stopping(deadline: Instant)
        /// Dispatching is over; cancelled handlers may still be returning.
        case stopped
    }

    private let configuration: Configuration
    private var phase = Phase.dispatching
    private var planner: ClaimPlanner
    private var running: [LeaseToken: Job] = [:]
    private var buffer = PrefetchBuffer()
    /// The size of the claim in flight, to tell a full claim (there may be more) from a short one.
    private var claiming: Int?
    private var claimFailures = 0
    /// Set by the watchdog's tick: look for prefetched jobs held too long.
    private var holdCheckDue = false
    private var lastFinishedAt: Instant
    /// Finished attempts whose completion the store has not ruled on yet: they are reported (and
    /// counted) only once it has, so a result the store threw away is never told as done.
    private var awaitingVerdict: [LeaseToken: FinishedAttempt] = [:]
    private var done = 0
    private var failed = 0

    init(_ configuration: Configuration, now: Instant) {
        self.configuration = configuration
        self.planner = ClaimPlanner(configuration.planner, now: now)
        self.lastFinishedAt = now
    }

    // MARK: Reading

    /// Slots running a job.
    var busy: Int { running.count }

    /// Jobs leased ahead of the slots.
    var buffered: Int { buffer.count }

    var counters: WorkerPoolCounters {
        var counters = WorkerPoolCounters()
        counters.busy = running.count
        counters.done = done
        counters.failed = failed
        return counters
    }

    /// The leases to keep: running and buffered jobs.
    var heldLeases: [LeaseToken] { Array(running.keys) + buffer.tokens }

    /// Shutdown began and nothing is held any more: the lease keeper can stop.
    var isStoppedAndIdle: Bool { phase != .dispatching && running.isEmpty && buffer.isEmpty }

    /// Held jobs (running or buffered) per queue.
    private var heldByQueue: [String: Int] {
        var held: [String: Int] = [:]
        for job in running.values { held[job.queue, default: 0] += 1 }
        for queue in buffer.queues { held[queue, default: 0] += 1 }
        return held
    }

    // MARK: Events

    /// The dispatcher is free to act: at start, after a wait, after a full claim.
    mutating func dispatchRound(now: Instant) -> Action {
        switch phase {
        case .stopping(let deadline):
            return stoppingRound(deadline: deadline, now: now)
        case .stopped:
            return Action(next: .stop)
        case .dispatching:
            break
        }
        if claiming != nil { return Action(next: .wait(nil)) }
        var action = Action(start: startBuffered(), next: .wait(nil))
        action.handBack = handBackLongHeld(now: now)
        let free = configuration.slots - running.count
        let wanted = planner.claimSize(free: free, buffered: buffer.count, now: now)
        if wanted > 0, let plan = planner.plan(limit: wanted, held: heldByQueue) {
            claiming = plan.limit
            action.next = .claim(plan)
        } else {
            action.next = idleWait(free: free)
        }
        return action
    }

    /// A claim returned `jobs` after `took`.
    mutating func claimSucceeded(_ jobs: [Job], took: Duration, now: Instant) -> Action {
        let wanted = claiming ?? jobs.count
        claiming = nil
        claimFailures = 0
        planner.recordClaim(took)
        // Claimed during shutdown, they go back with the buffer in the stopping round.
        buffer.add(jobs, at: now)
        // A full claim: there may be more. Otherwise start what came and wait for news.
        if phase != .dispatching || jobs.count == wanted { return dispatchRound(now: now) }
        let start = startBuffered()
        return Action(start: start, next: idleWait(free: configuration.slots - running.count))
    }

    /// A claim failed: back off, 200 ms doubling to 5 s, unless a wake-up comes first.
    mutating func claimFailed(now: Instant) -> Action {
        claiming = nil
        claimFailures += 1
        if phase != .dispatching { return dispatchRound(now: now) }
        return Action(next: .wait(.milliseconds(min(5_000, 100 * (1 << min(claimFailures, 6))))))
    }

    /// A slot's attempt ended after running for `ran`; returns the job the slot runs next, if any
    /// (a slot takes the next buffered job itself, without waiting for the dispatcher). With
    /// `recordedByStore` (the store ended it at an operator's request) no completion follows, so
    /// there is no verdict to wait for.
    mutating func attemptFinished(_ attempt: FinishedAttempt, ran: Duration, cancelled: Bool, recordedByStore: Bool = false, now: Instant) -> Job? {
        running[attempt.job.leaseToken] = nil
        planner.recordRun(ran, at: now)
        lastFinishedAt = now
        if !recordedByStore { awaitingVerdict[attempt.job.leaseToken] = attempt }
        guard phase == .dispatching, !cancelled, let next = buffer.next() else { return nil }
        running[next.leaseToken] = next
        return next
    }

    /// The store wrote `batch`, applying the completions whose tokens are in `applied` and
    /// rejecting the rest as stale (the job's attempt moved on: another node reclaimed it).
    /// Returns the finished attempts to report: applied ones as they ended and counted as done or
    /// failed; rejected ones as ``AttemptOutcome/lostLease`` and counted as neither. Completions of
    /// jobs that never ran (hand-backs) have nothing to report.
    mutating func completionsWritten(_ batch: [Completion], applied: Set<LeaseToken>) -> [FinishedAttempt] {
        var reports: [FinishedAttempt] = []
        reports.reserveCapacity(batch.count)
        for completion in batch {
            guard var attempt = awaitingVerdict.removeValue(forKey: completion.token) else { continue }
            if applied.contains(completion.token) {
                switch completion.outcome {
                case .done: done += 1
                case .release, .snooze: break
                case .retry, .deadLetter, .failed: failed += 1
                }
            } else {
                attempt.outcome = .lostLease
            }
            reports.append(attempt)
        }
        return reports
    }

    /// The watchdog's regular tick; returns whether the dispatcher should look at the buffer.
    mutating func holdCheckTick() -> Bool {
        guard !buffer.isEmpty else { return false }
        holdCheckDue = true
        return true
    }

    /// The store did not extend these leases: the jobs are no longer this node's. Buffered ones
    /// are dropped (returned, for the log); a running one finishes, and its result is rejected.
    mutating func leasesLost(_ tokens: Set<LeaseToken>) -> [Job] {
        buffer.remove(tokens)
    }

    /// The tokens among `tokens` whose job is running in a slot.
    func running(among tokens: Set<LeaseToken>) -> [LeaseToken] {
        tokens.filter { running[$0] != nil }
    }

    /// Graceful shutdown: no more claims; running jobs get ``Configuration/shutdownTimeout``.
    mutating func shutdownRequested(now: Instant) {
        guard phase == .dispatching else { return }
        phase = .stopping(deadline: now + configuration.shutdownTimeout)
    }

    /// The dispatcher's task was cancelled: stop now, cancelling running handlers.
    mutating func cancelled(now: Instant) {
        if phase != .stopped { phase = .stopping(deadline: now) }
    }

    // MARK: Helpers

    /// Moves buffered jobs into free slots.
    private mutating func startBuffered() -> [Job] {
        var started: [Job] = []
        while running.count < configuration.slots, let job = buffer.next() {
            running[job.leaseToken] = job
            started.append(job)
        }
        return started
    }

    /// When no attempt has finished for the hold time (every slot is held by a long job), hands
    /// prefetched jobs that waited that long back, so other nodes can run them, and pauses
    /// prefetch until a slot frees. Looked at when the watchdog's tick asks, about once a second.
    private mutating func handBackLongHeld(now: Instant) -> HandBack? {
        guard holdCheckDue else { return nil }
        holdCheckDue = false
        let cutoff = now - configuration.prefetchHold
        guard lastFinishedAt < cutoff else { return nil }
        let stale = buffer.removeClaimed(before: cutoff)
        guard !stale.isEmpty else { return nil }
        planner.pausePrefetch()
        return HandBack(jobs: stale, reason: .heldTooLong)
    }

    private func idleWait(free: Int) -> Next {
        // Every slot busy: a finishing job, the watchdog or shutdown wakes the dispatcher.
        free == 0 ? .wait(nil) : .wait(configuration.pollInterval)
    }

    private mutating func stoppingRound(deadline: Instant, now: Instant) -> Action {
        let buffered = buffer.removeAll()
        var action = Action(handBack: buffered.isEmpty ? nil : HandBack(jobs: buffered, reason: .shutdown), next: .stop)
        if claiming != nil {
            action.next = .wait(nil)
        } else if running.isEmpty {
            phase = .stopped
        } else if now >= deadline {
            phase = .stopped
            action.next = .cancelRunning
        } else {
            action.next = .wait(deadline - now)
        }
        return action
    }
}
