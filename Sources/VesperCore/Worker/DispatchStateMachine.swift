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
        var orderRecheckInterval: Duration
        var planner: ClaimPlanner.Configuration

        init(_ options: WorkerPoolOptions) {
            slots = options.slots
            pollInterval = options.pollInterval
            shutdownTimeout = options.shutdownTimeout
            prefetchHold = options.prefetchHold
            orderRecheckInterval = options.orderRecheckInterval
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

    /// What a slot learnt from the store before taking a buffered job (see ``rankChecked(_:now:)``).
    enum RankCheck: Equatable {
        /// The best claimable job's rank, or `nil`: nothing is claimable, read by a statement that
        /// began at `since`, when ``arrivals`` was `arrivals`.
        case best(JobRank?, since: Instant, arrivals: UInt64)
        /// The store could not say.
        case failed
    }

    /// What a slot does after its attempt ended (see ``attemptFinished(_:ran:cancelled:now:)``).
    enum SlotStep: Equatable {
        /// The slot is free; the dispatcher fills it.
        case free
        /// Ask the store for the best claimable rank and report it with ``rankChecked(_:now:)``.
        case check
        /// Run this buffered job: a recent claim or read vouches that nothing claimable outranks it.
        case run(Job)
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
    /// The slots that were free when the claim in flight began: the claim's snapshot is younger
    /// than their freeing, so it may vouch for the jobs they start (see ``claimSucceeded(_:took:now:)``).
    private var claimCovers = 0
    /// Whether the claim in flight is one statement in claim order, so what it returns bounds what
    /// is still claimable (with per-queue limits it is several, and order holds only per queue).
    private var claimIsOrdered = false
    /// Slots whose attempt ended and that are asking the store whether the next buffered job may
    /// start (``rankChecked(_:now:)``): neither running nor free.
    private var checking = 0
    private var claimFailures = 0
    /// Set by the watchdog's tick: look for prefetched jobs held too long.
    private var holdCheckDue = false
    /// Counts arrivals: anything that may have made a job claimable on this node's watch (an
    /// enqueue, a notification, a recovered lease, a written retry or hand-back).
    private(set) var arrivals: UInt64 = 0
    /// ``arrivals`` and the instant when the claim in flight began.
    private var claimSince: (instant: Instant, arrivals: UInt64)?
    /// Retries and hand-backs submitted but not yet ruled on: once written they may be claimable
    /// again, so no vouch holds until the store has ruled (which counts as an arrival).
    private var returnsInFlight = 0
    /// The latest claim or rank read that showed what held jobs may start without asking again.
    private var vouch: StartVouch?
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

    /// Slots neither running a job nor checking whether they may start one.
    private var free: Int { configuration.slots - running.count - checking }

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
        var action = Action(next: .wait(nil))
        action.handBack = handBackLongHeld(now: now)
        action.start = startVouched(now: now)
        let free = self.free
        var wanted = planner.claimSize(free: free, buffered: buffer.count, now: now)
        // A free slot takes a buffered job only once a claim that began after the slot freed has
        // shown that nothing claimable outranks it; the claim takes the best claimable jobs first,
        // so it is the check and brings the better jobs in one statement.
        if free > 0, !buffer.isEmpty { wanted = max(wanted, min(free, configuration.planner.maxClaimBatch)) }
        if wanted > 0, let plan = planner.plan(limit: wanted, held: heldByQueue) {
            claiming = plan.limit
            claimCovers = free
            claimIsOrdered = plan.steps.count == 1
            claimSince = (now, arrivals)
            action.next = .claim(plan)
        } else {
            // Nothing to claim. Jobs start here only when no queue has room under per-queue
            // limits (which promise order within a queue only); otherwise a claim vouches for them.
            action.start += startBuffered(upTo: free, rankedAtOrAbove: nil)
            action.next = idleWait(free: self.free)
        }
        return action
    }

    /// A claim returned `jobs` after `took`.
    mutating func claimSucceeded(_ jobs: [Job], took: Duration, now: Instant) -> Action {
        let wanted = claiming ?? jobs.count
        claiming = nil
        claimFailures = 0
        planner.recordClaim(took)
        let covers = claimCovers
        claimCovers = 0
        let since = claimSince
        claimSince = nil
        // Claimed during shutdown, they go back with the buffer in the stopping round.
        buffer.add(jobs, at: now)
        if phase != .dispatching { return dispatchRound(now: now) }
        // What the claim proves, as of its snapshot: a short claim took everything claimable; a
        // full one left nothing claimable above its last job. Buffered jobs ranked at or above
        // that may start in the slots that were free when it began.
        let full = jobs.count == wanted
        let bound = full && claimIsOrdered ? jobs.map(\.rank).max() : nil
        var start = startBuffered(upTo: covers, rankedAtOrAbove: bound)
        // Nothing arrived while it ran: what it proved also lets slots that freed meanwhile start.
        if claimIsOrdered, let since, since.arrivals == arrivals, returnsInFlight == 0 {
            if !full {
                vouch = StartVouch(bound: .all, since: since.instant)
            } else if let bound {
                vouch = StartVouch(bound: .atOrAbove(bound), since: since.instant)
            }
            start += startVouched(now: now)
        }
        // A full claim: there may be more. Slots that freed during the claim (or that its bound
        // did not cover) need a claim of their own. Otherwise wait for news.
        if full || (free > 0 && !buffer.isEmpty) {
            var action = dispatchRound(now: now)
            action.start = start + action.start
            return action
        }
        return Action(start: start, next: idleWait(free: free))
    }

    /// A claim failed: back off, 200 ms doubling to 5 s, unless a wake-up comes first.
    mutating func claimFailed(now: Instant) -> Action {
        claiming = nil
        claimSince = nil
        claimFailures += 1
        if phase != .dispatching { return dispatchRound(now: now) }
        return Action(next: .wait(.milliseconds(min(5_000, 100 * (1 << min(claimFailures, 6))))))
    }

    /// A slot's attempt ended after running for `ran`. The slot runs the next buffered job at once
    /// when a recent claim or read vouches for it (``StartVouch``), asks the store first when
    /// there is a buffered job but no such vouch, and is otherwise free for the dispatcher to fill.
    /// With `recordedByStore` (the store ended it at an operator's request) no completion follows,
    /// so there is no verdict to wait for.
    mutating func attemptFinished(
        _ attempt: FinishedAttempt, ran: Duration, cancelled: Bool, recordedByStore: Bool = false, now: Instant
    ) -> SlotStep {
        running[attempt.job.leaseToken] = nil
        planner.recordRun(ran, at: now)
        lastFinishedAt = now
        if !recordedByStore { awaitingVerdict[attempt.job.leaseToken] = attempt }
        if !recordedByStore, attempt.completion.returnsJob { returnsSubmitted(1) }
        guard phase == .dispatching, !cancelled, let first = buffer.first else { return .free }
        if vouches(first.rank, now: now) {
            _ = buffer.next()
            running[first.leaseToken] = first
            return .run(first)
        }
        checking += 1
        return .check
    }

    /// A slot's check after its attempt ended: the store's best claimable rank, read after the
    /// slot freed. Returns the buffered job the slot runs next when nothing claimable outranks it
    /// (a slot takes it itself, without waiting for a claim); `nil` when something does or the
    /// check failed: the slot is free, and the dispatcher's next claim brings the better jobs.
    /// A read during which nothing arrived also vouches for the slots that free after it.
    mutating func rankChecked(_ check: RankCheck, now: Instant) -> Job? {
        checking -= 1
        guard phase == .dispatching, case .best(let best, let since, let seen) = check else { return nil }
        adoptRead(best, since: since, arrivals: seen)
        guard let first = buffer.first else { return nil }
        if let best, best < first.rank { return nil }
        _ = buffer.next()
        running[first.leaseToken] = first
        return first
    }

    /// The completion writer is about to write a batch: whether to read the best claimable rank in
    /// the same transaction (``RankReadingFinish``), and if so the arrival count to report the read
    /// with. Asked for while jobs are buffered, nothing returned is awaiting the store's verdict,
    /// and the vouch is missing or past half its lifetime: renewed this way, a busy node's vouch
    /// rarely runs out, and slots seldom wait for a read of their own.
    func rankReadWanted(now: Instant) -> UInt64? {
        guard phase == .dispatching, !buffer.isEmpty, returnsInFlight == 0 else { return nil }
        if let vouch, now < vouch.since + configuration.orderRecheckInterval / 2 { return nil }
        return arrivals
    }

    /// A rank read that rode along with a write of completions (see ``rankReadWanted(now:)``)
    /// came back. Returns whether free slots could now start buffered jobs (the dispatcher's round
    /// starts them).
    mutating func rankRead(_ check: RankCheck) -> Bool {
        guard phase == .dispatching, case .best(let best, let since, let seen) = check else { return false }
        adoptRead(best, since: since, arrivals: seen)
        return free > 0 && !buffer.isEmpty && vouch != nil
    }

    /// Something may have become claimable on this node's watch (an enqueue on this node, a
    /// notification from another, a recovered lease): held jobs start only after a new check.
    mutating func arrived() {
        arrivals &+= 1
        vouch = nil
    }

    /// The store wrote `batch`, applying the completions whose tokens are in `applied` and
    /// rejecting the rest as stale (the job's attempt moved on: another node reclaimed it).
    /// Returns the finished attempts to report: applied ones as they ended and counted as done or
    /// failed; rejected ones as ``AttemptOutcome/lostLease`` and counted as neither. Completions of
    /// jobs that never ran (hand-backs) have nothing to report.
    mutating func completionsWritten(_ batch: [Completion], applied: Set<LeaseToken>) -> [FinishedAttempt] {
        var reports: [FinishedAttempt] = []
        reports.reserveCapacity(batch.count)
        var returned = 0
        defer { if returned > 0 { returnsRuledOn(returned) } }
        for completion in batch {
            if completion.outcome.returnsJob { returned += 1 }
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

    /// Retries or hand-backs were submitted: until the store rules on them, no vouch holds.
    private mutating func returnsSubmitted(_ count: Int) {
        returnsInFlight += count
        vouch = nil
    }

    /// The store ruled on retries or hand-backs: written ones may be claimable again (an arrival).
    private mutating func returnsRuledOn(_ count: Int) {
        returnsInFlight = max(0, returnsInFlight - count)
        arrived()
    }

    /// A read of the best claimable rank (`nil`: nothing claimable) by a statement that began at
    /// `since` with `arrivals` counted vouches for held jobs ranked above it, if nothing arrived
    /// or was returned since and no younger statement vouches already.
    private mutating func adoptRead(_ best: JobRank?, since: Instant, arrivals seen: UInt64) {
        guard seen == arrivals, returnsInFlight == 0, since >= (vouch?.since ?? since) else { return }
        vouch = StartVouch(bound: best.map(StartVouch.Bound.above) ?? .all, since: since)
    }

    /// Whether a recent claim or read vouches that a held job of `rank` may start now.
    private func vouches(_ rank: JobRank, now: Instant) -> Bool {
        guard returnsInFlight == 0, let vouch else { return false }
        return vouch.covers(rank, now: now, lifetime: configuration.orderRecheckInterval)
    }

    /// Moves buffered jobs into free slots, in claim order, while a vouch covers them.
    private mutating func startVouched(now: Instant) -> [Job] {
        var started: [Job] = []
        while free > 0, let job = buffer.first, vouches(job.rank, now: now) {
            _ = buffer.next()
            running[job.leaseToken] = job
            started.append(job)
        }
        return started
    }

    /// Moves up to `limit` buffered jobs into free slots, in claim order, while they rank at or
    /// above `bound` (`nil`: no bound).
    private mutating func startBuffered(upTo limit: Int, rankedAtOrAbove bound: JobRank?) -> [Job] {
        var started: [Job] = []
        while started.count < limit, free > 0, let job = buffer.first, bound.map({ job.rank <= $0 }) ?? true {
            _ = buffer.next()
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
        returnsSubmitted(stale.count)
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

extension Completion.Outcome {
    /// Whether writing this outcome puts the job back in the queue (a retry or a hand-back).
    fileprivate var returnsJob: Bool {
        switch self {
        case .retry, .release, .snooze: return true
        case .done, .deadLetter, .failed: return false
        }
    }
}
