import Foundation
import Testing

@testable import VesperCore

/// The dispatcher's decisions, event by event, with made-up instants and no store.
@Suite("Dispatch state machine")
struct DispatchStateMachineTests {
    typealias Machine = DispatchStateMachine
    typealias Action = DispatchStateMachine.Action

    let t0 = ContinuousClock.now

    static func options(slots: Int = 2, configure: (inout WorkerPoolOptions) -> Void = { _ in }) -> WorkerPoolOptions {
        var options = WorkerPoolOptions(nodeID: "node")
        options.slots = slots
        options.pollInterval = .seconds(1)
        options.shutdownTimeout = .seconds(30)
        options.prefetchHold = .seconds(1)
        options.prefetchHorizon = .milliseconds(10)
        configure(&options)
        return options
    }

    func machine(slots: Int = 2, configure: (inout WorkerPoolOptions) -> Void = { _ in }) -> Machine {
        Machine(Machine.Configuration(Self.options(slots: slots, configure: configure)), now: t0)
    }

    /// A claimed job: `n` orders jobs of one priority (lower first).
    static func job(_ n: Int, priority: Int = 0, queue: String = "default", attempt: Int = 1) -> Job {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        return Job(
            id: UUID(uuidString: String(format: "00000000-0000-7000-8000-%012d", n))!, type: "t", queue: queue, priority: priority,
            payload: "{}", storedStatus: .processing, retries: 0, maxRetries: 3, error: "", runAt: date, createdAt: date,
            updatedAt: date, startedAt: date, finishedAt: nil, idempotencyKey: nil, attempt: attempt, timeoutSeconds: 300,
            workerID: "node", leaseUntil: date.addingTimeInterval(30), sequence: Int64(n))
    }

    /// An attempt of `job` that ended with `outcome`.
    static func finished(_ job: Job, _ outcome: Completion.Outcome) -> FinishedAttempt {
        FinishedAttempt(job: job, outcome: outcome.attemptOutcome, completion: outcome, started: job.startedAt!, finished: job.startedAt!)
    }

    /// A read's answer that vouches for nothing beyond the slot that asked (it saw an older arrival count).
    static func best(_ rank: JobRank?) -> Machine.RankCheck { .best(rank, since: .now, arrivals: .max) }

    static func jobs(_ range: Range<Int>, queue: String = "default") -> [Job] { range.map { job($0, queue: queue) } }

    static func plan(_ limit: Int) -> ClaimPlan {
        ClaimPlan(limit: limit, steps: [.init(limit: limit, queues: nil)], takesCompletions: true)
    }

    /// Runs two 1 ms jobs through both slots, so the pool knows its handlers are fast and
    /// prefetches (a target of one per slot: nothing finished in a complete window yet).
    func warmedUp() -> Machine {
        var machine = machine()
        _ = machine.dispatchRound(now: t0)
        _ = machine.claimSucceeded(Self.jobs(0..<2), took: .milliseconds(1), now: t0)
        for job in Self.jobs(0..<2) {
            #expect(machine.attemptFinished(Self.finished(job, .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(2)) == .free)
        }
        return machine
    }

    // MARK: Claiming

    @Test func aColdNodeClaimsOnlyItsFreeSlots() {
        var machine = machine()
        #expect(machine.dispatchRound(now: t0) == Action(next: .claim(Self.plan(2))))
    }

    @Test func aFullClaimStartsTheJobsAndLooksAgain() {
        var machine = machine()
        _ = machine.dispatchRound(now: t0)
        let claimed = Self.jobs(0..<2)
        // Every slot is busy and nothing is known of run times: wait until something happens.
        #expect(machine.claimSucceeded(claimed, took: .milliseconds(3), now: t0) == Action(start: claimed, next: .wait(nil)))
        #expect(machine.busy == 2)
        #expect(machine.counters.busy == 2)
    }

    @Test func aShortClaimStartsWhatCameAndWaitsThePollInterval() {
        var machine = machine()
        _ = machine.dispatchRound(now: t0)
        let claimed = Self.jobs(0..<1)
        #expect(machine.claimSucceeded(claimed, took: .milliseconds(3), now: t0) == Action(start: claimed, next: .wait(.seconds(1))))
    }

    @Test func anEmptyClaimWaitsThePollIntervalRatherThanClaimingAgain() {
        var machine = machine()
        _ = machine.dispatchRound(now: t0)
        #expect(machine.claimSucceeded([], took: .milliseconds(3), now: t0) == Action(next: .wait(.seconds(1))))
        // After the wait, a new round claims again.
        #expect(machine.dispatchRound(now: t0 + .seconds(1)) == Action(next: .claim(Self.plan(2))))
    }

    @Test func fastHandlersEarnAPrefetch() {
        var machine = warmedUp()
        // Two free slots plus a target of two (one per slot).
        #expect(machine.dispatchRound(now: t0 + .milliseconds(3)) == Action(next: .claim(Self.plan(4))))
        let claimed = Self.jobs(10..<14)
        let action = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0 + .milliseconds(4))
        // Full: a new round starts two and holds two, which is the target: no claim.
        #expect(action == Action(start: Array(claimed.prefix(2)), next: .wait(nil)))
        #expect(machine.buffered == 2)
        #expect(Set(machine.heldLeases) == Set(claimed.map(\.leaseToken)))
    }

    @Test func aSlotThatFreesTakesTheNextBufferedJobItselfWhenNothingClaimableOutranksIt() {
        var machine = warmedUp()
        _ = machine.dispatchRound(now: t0 + .milliseconds(3))
        let claimed = Self.jobs(10..<14)
        _ = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0 + .milliseconds(4))
        // The slot asks the store first; while it does, it is neither busy nor free.
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(claimed[0], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(5)) == .check)
        #expect(machine.busy == 1)
        #expect(machine.dispatchRound(now: t0 + .milliseconds(5)) == Action(next: .wait(nil)))
        // The best claimable job ranks below the buffered one (same priority, later).
        #expect(machine.rankChecked(Self.best(JobRank(priority: 0, sequence: 20)), now: t0) == claimed[2])
        #expect(machine.busy == 2)
        #expect(machine.buffered == 1)
        // Down to half the target: the dispatcher tops the buffer up.
        #expect(machine.dispatchRound(now: t0 + .milliseconds(5)) == Action(next: .claim(Self.plan(1))))
    }

    @Test func aHigherPriorityJobClaimedLaterRunsFirst() {
        var machine = warmedUp()
        _ = machine.dispatchRound(now: t0 + .milliseconds(3))
        let claimed = Self.jobs(10..<14)
        _ = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0 + .milliseconds(4))
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(claimed[0], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(5)) == .check)
        #expect(machine.rankChecked(Self.best(nil), now: t0) == claimed[2])
        // A top-up claim while both slots are busy brings a more urgent job.
        #expect(machine.dispatchRound(now: t0 + .milliseconds(6)) == Action(next: .claim(Self.plan(1))))
        let urgent = Self.job(22, priority: 9)
        #expect(machine.claimSucceeded([urgent], took: .milliseconds(1), now: t0 + .milliseconds(7)) == Action(next: .wait(nil)))
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(claimed[1], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(8)) == .check)
        #expect(machine.rankChecked(Self.best(nil), now: t0) == urgent)
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(claimed[2], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(8)) == .check)
        #expect(machine.rankChecked(Self.best(nil), now: t0) == claimed[3])
    }

    // MARK: Strict order with prefetch

    @Test func aBufferedJobOutrankedByAClaimableOneWaitsForAClaimThatBringsTheBetterJob() {
        var (machine, running, buffered) = heldBehindLongJobs()
        // A better job was committed while both slots were busy; the slot that frees sees it.
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .seconds(1), cancelled: false, now: t0 + .seconds(1)) == .check)
        #expect(machine.rankChecked(Self.best(JobRank(priority: 10, sequence: 20)), now: t0) == nil)
        #expect(machine.busy == 1)
        #expect(machine.buffered == 2)
        // The slot is free: the dispatcher claims for it (the free slot plus the target, less what is held).
        #expect(machine.dispatchRound(now: t0 + .seconds(1)) == Action(next: .claim(Self.plan(1))))
        let urgent = Self.job(20, priority: 10)
        // The claim's snapshot is younger than the slot's freeing: its best job starts there.
        #expect(machine.claimSucceeded([urgent], took: .milliseconds(1), now: t0 + .seconds(1)) == Action(start: [urgent], next: .wait(nil)))
        #expect(machine.buffered == 2)
        // With nothing better left, the buffered jobs follow in claim order.
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(urgent, .done), ran: .milliseconds(1), cancelled: false, now: t0 + .seconds(2)) == .check)
        #expect(machine.rankChecked(Self.best(JobRank(priority: 0, sequence: 30)), now: t0) == buffered[0])
    }

    @Test func aFailedCheckLeavesTheSlotToTheNextClaim() {
        var (machine, running, _) = heldBehindLongJobs()
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .seconds(1), cancelled: false, now: t0 + .seconds(1)) == .check)
        #expect(machine.rankChecked(.failed, now: t0) == nil)
        guard case .claim = machine.dispatchRound(now: t0 + .seconds(1)).next else { Issue.record("expected a claim"); return }
    }

    @Test func aFreeSlotNeverTakesABufferedJobWithoutAClaim() {
        // Both slots free, their checks failed: the dispatcher claims for them before anything starts.
        var machine = warmedUp()
        _ = machine.dispatchRound(now: t0 + .milliseconds(3))
        let claimed = Self.jobs(10..<14)
        _ = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0 + .milliseconds(4))
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(claimed[0], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(5)) == .check)
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(claimed[1], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(5)) == .check)
        #expect(machine.rankChecked(.failed, now: t0) == nil)
        #expect(machine.rankChecked(.failed, now: t0) == nil)
        let action = machine.dispatchRound(now: t0 + .milliseconds(6))
        #expect(action.start.isEmpty)
        guard case .claim(let plan) = action.next else { Issue.record("expected a claim"); return }
        #expect(plan.limit >= 2)
        // Nothing claimable came back: every buffered job may start, best first.
        #expect(machine.claimSucceeded([], took: .milliseconds(1), now: t0 + .milliseconds(7)).start == [claimed[2], claimed[3]])
    }

    @Test func aSlotFreedDuringAClaimIsNotCoveredByIt() {
        var (machine, running, buffered) = heldBehindLongJobs()
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .seconds(1), cancelled: false, now: t0 + .seconds(1)) == .check)
        #expect(machine.rankChecked(.failed, now: t0) == nil)
        guard case .claim(let plan) = machine.dispatchRound(now: t0 + .seconds(1)).next else { Issue.record("expected a claim"); return }
        // The other slot frees while the claim is in flight, and its own check fails too.
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(running[1], .done), ran: .seconds(1), cancelled: false, now: t0 + .seconds(1)) == .check)
        #expect(machine.rankChecked(.failed, now: t0) == nil)
        // The claim vouches for the one slot that was free when it began; the other needs a claim of its own.
        let action = machine.claimSucceeded([], took: .milliseconds(1), now: t0 + .seconds(1))
        #expect(plan.limit >= 1)
        #expect(action.start == [buffered[0]])
        guard case .claim = action.next else { Issue.record("expected another claim"); return }
    }

    @Test func aClaimFailureBacksOffDoublingToFiveSecondsAndASuccessResetsIt() {
        var machine = machine()
        var waits: [Duration?] = []
        for _ in 0..<7 {
            _ = machine.dispatchRound(now: t0)
            guard case .wait(let wait) = machine.claimFailed(now: t0).next else { Issue.record("expected a wait"); return }
            waits.append(wait)
        }
        #expect(waits == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1_600), .milliseconds(3_200), .seconds(5), .seconds(5)])
        _ = machine.dispatchRound(now: t0)
        _ = machine.claimSucceeded([], took: .milliseconds(1), now: t0)
        _ = machine.dispatchRound(now: t0 + .seconds(1))
        #expect(machine.claimFailed(now: t0 + .seconds(1)) == Action(next: .wait(.milliseconds(200))))
    }

    // MARK: Per-queue limits

    @Test func limitedQueuesAreClaimedSeparatelyUpToTheirRoom() {
        var machine = machine(slots: 4) { $0.queueConcurrency = ["mail": 1, "sms": 2] }
        let first = ClaimPlan(
            limit: 4,
            steps: [.init(limit: 1, queues: ["mail"]), .init(limit: 2, queues: ["sms"]), .init(limit: 4, queues: nil, excludedQueues: ["mail", "sms"])],
            takesCompletions: false)
        #expect(machine.dispatchRound(now: t0) == Action(next: .claim(first)))
        let mail = Self.job(1, queue: "mail")
        let sms = Self.job(2, queue: "sms")
        _ = machine.claimSucceeded([mail, sms], took: .milliseconds(1), now: t0)
        // `mail` is full; `sms` has room for one; two slots are free.
        let second = ClaimPlan(
            limit: 2, steps: [.init(limit: 1, queues: ["sms"]), .init(limit: 2, queues: nil, excludedQueues: ["mail", "sms"])],
            takesCompletions: false)
        #expect(machine.dispatchRound(now: t0 + .seconds(1)) == Action(next: .claim(second)))
        _ = machine.claimSucceeded([], took: .milliseconds(1), now: t0 + .seconds(1))
        // The mail job ends: its queue has room again.
        _ = machine.attemptFinished(Self.finished(mail, .done), ran: .milliseconds(1), cancelled: false, now: t0 + .seconds(2))
        guard case .claim(let third) = machine.dispatchRound(now: t0 + .seconds(2)).next else { Issue.record("expected a claim"); return }
        #expect(third.steps.first == .init(limit: 1, queues: ["mail"]))
        #expect(third.limit == 3)
    }

    @Test func withLimitsASelectionOfFullLimitedQueuesClaimsNothing() {
        var machine = machine(slots: 4) {
            $0.queueConcurrency = ["mail": 1]
            $0.queues = ["mail"]
        }
        #expect(machine.dispatchRound(now: t0) == Action(next: .claim(ClaimPlan(limit: 4, steps: [.init(limit: 1, queues: ["mail"])], takesCompletions: false))))
        _ = machine.claimSucceeded([Self.job(1, queue: "mail")], took: .milliseconds(1), now: t0)
        #expect(machine.dispatchRound(now: t0 + .seconds(1)) == Action(next: .wait(.seconds(1))))
    }

    @Test func withLimitsTheSelectionIsSplitIntoLimitedAndOpenQueues() {
        var machine = machine(slots: 4) {
            $0.queueConcurrency = ["mail": 1]
            $0.queues = ["sms", "mail"]
        }
        let plan = ClaimPlan(limit: 4, steps: [.init(limit: 1, queues: ["mail"]), .init(limit: 4, queues: ["sms"])], takesCompletions: false)
        #expect(machine.dispatchRound(now: t0) == Action(next: .claim(plan)))
    }

    @Test func withLimitsThereIsNoPrefetch() {
        var machine = machine { $0.queueConcurrency = ["mail": 1] }
        _ = machine.dispatchRound(now: t0)
        let claimed = Self.jobs(0..<2)
        _ = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0)
        for job in claimed { _ = machine.attemptFinished(Self.finished(job, .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(2)) }
        guard case .claim(let plan) = machine.dispatchRound(now: t0 + .milliseconds(3)).next else { Issue.record("expected a claim"); return }
        #expect(plan.limit == 2)
    }

    // MARK: Holding prefetched jobs

    /// Warmed up, then both slots held by long jobs and two jobs buffered at `t0 + 4 ms`.
    func heldBehindLongJobs() -> (Machine, running: [Job], buffered: [Job]) {
        var machine = warmedUp()
        _ = machine.dispatchRound(now: t0 + .milliseconds(3))
        let claimed = Self.jobs(10..<14)
        _ = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0 + .milliseconds(4))
        return (machine, Array(claimed.prefix(2)), Array(claimed.suffix(2)))
    }

    @Test func jobsHeldBehindLongJobsAreHandedBackOnTheWatchdogsTick() {
        var (machine, running, buffered) = heldBehindLongJobs()
        // Without the tick nothing is looked at, however late.
        #expect(machine.dispatchRound(now: t0 + .seconds(5)) == Action(next: .wait(nil)))
        #expect(machine.holdCheckTick() == true)
        #expect(machine.dispatchRound(now: t0 + .seconds(5)) == Action(handBack: .init(jobs: buffered, reason: .heldTooLong), next: .wait(nil)))
        #expect(machine.buffered == 0)
        #expect(Set(machine.heldLeases) == Set(running.map(\.leaseToken)))
        // Nothing buffered: the tick asks for nothing.
        let due = machine.holdCheckTick()
        #expect(!due)
    }

    @Test func prefetchPausesAfterAHandBackUntilASlotFrees() {
        var (machine, running, _) = heldBehindLongJobs()
        _ = machine.holdCheckTick()
        _ = machine.dispatchRound(now: t0 + .seconds(5))
        // Both slots still busy: re-claiming what was just handed back would only bump its attempt.
        #expect(machine.dispatchRound(now: t0 + .seconds(6)) == Action(next: .wait(nil)))
        _ = machine.attemptFinished(Self.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .seconds(7))
        // A slot freed: prefetch resumes, the free slot plus a target of two.
        #expect(machine.dispatchRound(now: t0 + .seconds(7)) == Action(next: .claim(Self.plan(3))))
    }

    @Test func nothingIsHandedBackWhileJobsKeepFinishing() {
        var (machine, running, buffered) = heldBehindLongJobs()
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(900)) == .check)
        #expect(machine.rankChecked(Self.best(nil), now: t0) == buffered[0])
        #expect(machine.holdCheckTick() == true)
        // The other buffered job waited 1.1 s, but something finished 0.2 s ago.
        #expect(machine.dispatchRound(now: t0 + .milliseconds(1_100)).handBack == nil)
    }

    @Test func onlyJobsHeldForTheWholeHoldAreHandedBack() {
        var (machine, running, buffered) = heldBehindLongJobs()
        // A slot frees at 0.5 s and takes a buffered job; the dispatcher tops the buffer up at 0.9 s.
        machine.arrived()
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t0 + .milliseconds(500)) == .check)
        #expect(machine.rankChecked(Self.best(nil), now: t0) == buffered[0])
        #expect(machine.dispatchRound(now: t0 + .milliseconds(900)) == Action(next: .claim(Self.plan(1))))
        let later = Self.job(30)
        #expect(machine.claimSucceeded([later], took: .milliseconds(1), now: t0 + .milliseconds(900)) == Action(next: .wait(nil)))
        #expect(machine.holdCheckTick() == true)
        // At 1.6 s nothing has finished for 1.1 s: the job claimed at 4 ms goes back, the one from 0.9 s stays.
        #expect(machine.dispatchRound(now: t0 + .milliseconds(1_600)) == Action(handBack: .init(jobs: [buffered[1]], reason: .heldTooLong), next: .wait(nil)))
        #expect(machine.buffered == 1)
    }

    @Test func bufferedJobsWhoseLeaseIsLostAreDropped() {
        var (machine, running, buffered) = heldBehindLongJobs()
        let lost: Set<LeaseToken> = [buffered[0].leaseToken, running[0].leaseToken]
        #expect(machine.leasesLost(lost) == [buffered[0]])
        #expect(Set(machine.heldLeases) == Set((running + [buffered[1]]).map(\.leaseToken)))
    }

    // MARK: Shutdown

    @Test func shutdownWithNothingHeldStops() {
        var machine = machine()
        machine.shutdownRequested(now: t0)
        #expect(machine.dispatchRound(now: t0) == Action(next: .stop))
        #expect(machine.isStoppedAndIdle)
    }

    @Test func aClaimThatReturnsDuringShutdownIsHandedBackUnstarted() {
        var machine = machine()
        _ = machine.dispatchRound(now: t0)
        machine.shutdownRequested(now: t0 + .milliseconds(1))
        let claimed = Self.jobs(0..<2)
        #expect(machine.claimSucceeded(claimed, took: .milliseconds(2), now: t0 + .milliseconds(2)) == Action(handBack: .init(jobs: claimed, reason: .shutdown), next: .stop))
        #expect(machine.busy == 0)
    }

    @Test func aClaimThatFailsDuringShutdownStops() {
        var machine = machine()
        _ = machine.dispatchRound(now: t0)
        machine.shutdownRequested(now: t0)
        #expect(machine.claimFailed(now: t0) == Action(next: .stop))
    }

    @Test func shutdownHandsTheBufferBackAndWaitsForRunningJobs() {
        var (machine, running, buffered) = heldBehindLongJobs()
        machine.shutdownRequested(now: t0 + .seconds(1))
        #expect(machine.dispatchRound(now: t0 + .seconds(2)) == Action(handBack: .init(jobs: buffered, reason: .shutdown), next: .wait(.seconds(29))))
        #expect(!machine.isStoppedAndIdle)
        // A slot that frees during shutdown takes nothing more.
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .seconds(2), cancelled: false, now: t0 + .seconds(3)) == .free)
        #expect(machine.dispatchRound(now: t0 + .seconds(3)) == Action(next: .wait(.seconds(28))))
        _ = machine.attemptFinished(Self.finished(running[1], .done), ran: .seconds(3), cancelled: false, now: t0 + .seconds(4))
        #expect(machine.dispatchRound(now: t0 + .seconds(4)) == Action(next: .stop))
        #expect(machine.isStoppedAndIdle)
    }

    @Test func aSlotFreedDuringShutdownLeavesTheBufferForTheHandBack() {
        var (machine, running, buffered) = heldBehindLongJobs()
        machine.shutdownRequested(now: t0 + .seconds(1))
        #expect(machine.attemptFinished(Self.finished(running[0], .done), ran: .seconds(1), cancelled: false, now: t0 + .seconds(1)) == .free)
        #expect(machine.dispatchRound(now: t0 + .seconds(1)).handBack == .init(jobs: buffered, reason: .shutdown))
    }

    @Test func runningJobsAreCancelledOnceTheShutdownTimeoutPasses() {
        var (machine, running, _) = heldBehindLongJobs()
        machine.shutdownRequested(now: t0 + .seconds(1))
        _ = machine.dispatchRound(now: t0 + .seconds(1))
        #expect(machine.dispatchRound(now: t0 + .seconds(31)) == Action(next: .cancelRunning))
        // The cancelled handlers return and are released; dispatching is over.
        for job in running {
            #expect(machine.attemptFinished(Self.finished(job, .release), ran: .seconds(30), cancelled: true, now: t0 + .seconds(31)) == .free)
        }
        #expect(machine.dispatchRound(now: t0 + .seconds(31)) == Action(next: .stop))
        #expect(machine.isStoppedAndIdle)
    }

    @Test func cancellationStopsAtOnce() {
        var (machine, _, buffered) = heldBehindLongJobs()
        machine.cancelled(now: t0 + .seconds(1))
        #expect(machine.dispatchRound(now: t0 + .seconds(1)) == Action(handBack: .init(jobs: buffered, reason: .shutdown), next: .cancelRunning))
    }

    @Test func aSecondShutdownRequestKeepsTheFirstDeadline() {
        var (machine, _, _) = heldBehindLongJobs()
        machine.shutdownRequested(now: t0 + .seconds(1))
        machine.shutdownRequested(now: t0 + .seconds(20))
        #expect(machine.dispatchRound(now: t0 + .seconds(21)).next == .wait(.seconds(10)))
    }

    // MARK: Reports and counters

    /// Four jobs running in four slots.
    func fourRunning() -> (Machine, [Job]) {
        var machine = machine(slots: 4)
        _ = machine.dispatchRound(now: t0)
        let claimed = Self.jobs(0..<4)
        _ = machine.claimSucceeded(claimed, took: .milliseconds(1), now: t0)
        return (machine, claimed)
    }

    @Test func attemptsAreReportedAndCountedOnlyOnceTheStoreAppliedThem() {
        var (machine, claimed) = fourRunning()
        let outcomes: [Completion.Outcome] = [.done, .retry(error: "e", runAt: Date()), .deadLetter(error: "e"), .failed(error: "e")]
        var completions: [Completion] = []
        for (job, outcome) in zip(claimed, outcomes) {
            _ = machine.attemptFinished(Self.finished(job, outcome), ran: .milliseconds(1), cancelled: false, now: t0)
            completions.append(Completion(token: job.leaseToken, outcome: outcome))
        }
        // Finished, not yet written: nothing counted.
        #expect(machine.counters == WorkerPoolCounters())
        let reports = machine.completionsWritten(completions, applied: Set(completions.map(\.token)))
        #expect(reports.map(\.job) == claimed)
        #expect(reports.map(\.outcome) == [.done, .retried, .deadLettered, .failed])
        #expect(machine.counters == { var c = WorkerPoolCounters(); c.done = 1; c.failed = 3; return c }())
        // Each is reported once.
        #expect(machine.completionsWritten(completions, applied: Set(completions.map(\.token))).isEmpty)
    }

    @Test func aRejectedCompletionIsALostLeaseCountedNeitherDoneNorFailed() {
        var (machine, claimed) = fourRunning()
        _ = machine.attemptFinished(Self.finished(claimed[0], .done), ran: .milliseconds(1), cancelled: false, now: t0)
        _ = machine.attemptFinished(Self.finished(claimed[1], .failed(error: "e")), ran: .milliseconds(1), cancelled: false, now: t0)
        let batch = [Completion(token: claimed[0].leaseToken, outcome: .done), Completion(token: claimed[1].leaseToken, outcome: .failed(error: "e"))]
        let reports = machine.completionsWritten(batch, applied: [])
        #expect(reports.map(\.outcome) == [.lostLease, .lostLease])
        #expect(reports.map(\.completion) == [.done, .failed(error: "e")])
        #expect(machine.counters.done == 0)
        #expect(machine.counters.failed == 0)
    }

    @Test func aReleaseIsReportedButNotCounted() {
        var (machine, claimed) = fourRunning()
        machine.cancelled(now: t0)
        _ = machine.attemptFinished(Self.finished(claimed[0], .release), ran: .milliseconds(1), cancelled: true, now: t0)
        let batch = [Completion(token: claimed[0].leaseToken, outcome: .release)]
        #expect(machine.completionsWritten(batch, applied: [claimed[0].leaseToken]).map(\.outcome) == [.released])
        #expect(machine.counters.done == 0)
        #expect(machine.counters.failed == 0)
    }

    @Test func handBacksHaveNothingToReport() {
        var (machine, _, buffered) = heldBehindLongJobs()
        machine.shutdownRequested(now: t0 + .seconds(1))
        let handBack = machine.dispatchRound(now: t0 + .seconds(1)).handBack
        #expect(handBack?.jobs == buffered)
        let batch = buffered.map { Completion(token: $0.leaseToken, outcome: .release) }
        #expect(machine.completionsWritten(batch, applied: Set(batch.map(\.token))).isEmpty)
    }

    @Test func aJobReclaimedByThisNodeIsReportedPerAttempt() {
        var (machine, claimed) = fourRunning()
        // The first attempt lost its lease and the job came back here as attempt 2, in another slot.
        var again = claimed[0]
        again.attempt = 2
        _ = machine.attemptFinished(Self.finished(claimed[0], .done), ran: .milliseconds(1), cancelled: false, now: t0)
        _ = machine.attemptFinished(Self.finished(again, .done), ran: .milliseconds(1), cancelled: false, now: t0)
        let batch = [Completion(token: claimed[0].leaseToken, outcome: .done), Completion(token: again.leaseToken, outcome: .done)]
        let reports = machine.completionsWritten(batch, applied: [again.leaseToken])
        #expect(reports.map(\.outcome) == [.lostLease, .done])
        #expect(machine.counters.done == 1)
    }
}
