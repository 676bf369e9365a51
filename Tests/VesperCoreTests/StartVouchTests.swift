import Foundation
import Testing

@testable import VesperCore

/// When a slot may start a prefetched job without asking the store: a claim or rank read during
/// which nothing arrived vouches for a short while (`orderRecheckInterval`, 5 ms here).
@Suite("Dispatch state machine: starts vouched for by a recent claim or read")
struct StartVouchTests {
    typealias Machine = DispatchStateMachine
    typealias T = DispatchStateMachineTests

    let t0 = ContinuousClock.now
    let base = DispatchStateMachineTests()

    /// Two slots running jobs 10 and 11, jobs 12 and 13 buffered, from a full claim that began at
    /// `t0 + 3 ms` (so nothing claimable ranks at or above job 13).
    func held() -> (Machine, running: [Job], buffered: [Job], t: ContinuousClock.Instant) {
        let (machine, running, buffered) = base.heldBehindLongJobs()
        return (machine, running, buffered, base.t0)
    }

    @Test func aSlotStartsTheNextBufferedJobAtOnceWhenNothingArrivedSinceTheClaim() {
        var (machine, running, buffered, t) = held()
        let step = machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(5))
        #expect(step == .run(buffered[0]))
        #expect(machine.busy == 2)
        #expect(machine.buffered == 1)
    }

    @Test func anArrivalMakesTheSlotAskTheStore() {
        var (machine, running, _, t) = held()
        machine.arrived()
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(5)) == .check)
    }

    @Test func theVouchLastsOnlyTheRecheckInterval() {
        var (machine, running, _, t) = held()
        // The claim began at t + 3 ms; at t + 8 ms its vouch has run out.
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(8)) == .check)
    }

    @Test func aReadDuringWhichNothingArrivedVouchesForSlotsFreeingAfterIt() {
        var (machine, running, buffered, t) = held()
        machine.arrived()
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .seconds(1)) == .check)
        let read = Machine.RankCheck.best(JobRank(priority: 0, sequence: 30), since: t + .seconds(1), arrivals: machine.arrivals)
        #expect(machine.rankChecked(read, now: t + .seconds(1)) == buffered[0])
        #expect(machine.attemptFinished(T.finished(running[1], .done), ran: .seconds(1), cancelled: false, now: t + .seconds(1) + .milliseconds(2)) == .run(buffered[1]))
    }

    @Test func aReadThatBeganBeforeAnArrivalVouchesOnlyForTheSlotThatAsked() {
        var (machine, running, buffered, t) = held()
        machine.arrived()
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .seconds(1)) == .check)
        let read = Machine.RankCheck.best(nil, since: t + .seconds(1), arrivals: machine.arrivals)
        machine.arrived()
        #expect(machine.rankChecked(read, now: t + .seconds(1)) == buffered[0])
        #expect(machine.attemptFinished(T.finished(running[1], .done), ran: .seconds(1), cancelled: false, now: t + .seconds(1) + .milliseconds(1)) == .check)
    }

    @Test func aReadVouchesOnlyForHeldJobsThatOutrankTheBestClaimableOne() {
        var (machine, running, buffered, t) = held()
        machine.arrived()
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .seconds(1)) == .check)
        // The best claimable job ranks between the two buffered ones (same rank as the second
        // stands in for "not below it"): the first may start, the second must ask again.
        let read = Machine.RankCheck.best(buffered[1].rank, since: t + .seconds(1), arrivals: machine.arrivals)
        #expect(machine.rankChecked(read, now: t + .seconds(1)) == buffered[0])
        #expect(machine.attemptFinished(T.finished(running[1], .done), ran: .seconds(1), cancelled: false, now: t + .seconds(1) + .milliseconds(1)) == .check)
    }

    @Test func aRetryOrHandBackInFlightStopsVouchingUntilTheStoreRules() {
        var (machine, running, buffered, t) = held()
        let retry = Completion.Outcome.retry(error: "e", runAt: Date())
        // The retried job may be claimable once written, so the next slot asks.
        #expect(machine.attemptFinished(T.finished(running[0], retry), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(4)) == .check)
        #expect(machine.rankChecked(.best(nil, since: t + .milliseconds(4), arrivals: machine.arrivals), now: t + .milliseconds(4)) == buffered[0])
        #expect(machine.attemptFinished(T.finished(running[1], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(5)) == .check)
        #expect(machine.rankChecked(.best(nil, since: t + .milliseconds(5), arrivals: machine.arrivals), now: t + .milliseconds(5)) == buffered[1])
        // Once written (an arrival), a fresh read vouches again.
        let retried = Completion(token: running[0].leaseToken, outcome: retry)
        #expect(machine.completionsWritten([retried], applied: [retried.token]).count == 1)
        #expect(machine.arrivals == 1)
    }

    // MARK: Reads that ride along with a write of completions

    @Test func theWriterAsksForARankReadOnlyOnceTheVouchIsPastHalfItsLifetime() {
        let (machine, _, _, t) = held()
        // The claim began at t + 3 ms and vouches for 5 ms.
        #expect(machine.rankReadWanted(now: t + .milliseconds(5)) == nil)
        #expect(machine.rankReadWanted(now: t + .milliseconds(6)) == machine.arrivals)
    }

    @Test func theWriterAsksForARankReadAfterAnArrivalButNotWithAReturnInFlight() {
        var (machine, running, _, t) = held()
        machine.arrived()
        #expect(machine.rankReadWanted(now: t + .milliseconds(4)) == machine.arrivals)
        _ = machine.attemptFinished(T.finished(running[0], .retry(error: "e", runAt: Date())), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(4))
        #expect(machine.rankReadWanted(now: t + .milliseconds(4)) == nil)
    }

    @Test func nothingBufferedNeedsNoRankRead() {
        var (machine, running, buffered, t) = held()
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(4)) == .run(buffered[0]))
        #expect(machine.attemptFinished(T.finished(running[1], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(4)) == .run(buffered[1]))
        #expect(machine.rankReadWanted(now: t + .seconds(1)) == nil)
    }

    @Test func aRankReadThatRodeWithCompletionsRenewsTheVouch() throws {
        var (machine, running, buffered, t) = held()
        let since = t + .milliseconds(7)
        let arrivals = try #require(machine.rankReadWanted(now: since))
        let wakes = machine.rankRead(.best(JobRank(priority: 0, sequence: 30), since: since, arrivals: arrivals))
        #expect(!wakes)
        // Past the claim's vouch (t + 8 ms), within the read's: the slot starts at once.
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(10)) == .run(buffered[0]))
        // The read's vouch runs out too.
        #expect(machine.attemptFinished(T.finished(running[1], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(13)) == .check)
    }

    @Test func aRankReadDuringWhichSomethingArrivedVouchesForNothing() throws {
        var (machine, running, _, t) = held()
        let since = t + .milliseconds(7)
        let arrivals = try #require(machine.rankReadWanted(now: since))
        machine.arrived()
        let wakes = machine.rankRead(.best(nil, since: since, arrivals: arrivals))
        #expect(!wakes)
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(8)) == .check)
    }

    @Test func aRankReadThatFailedVouchesForNothing() {
        var (machine, running, _, t) = held()
        let wakes = machine.rankRead(.failed)
        #expect(!wakes)
        #expect(machine.attemptFinished(T.finished(running[0], .done), ran: .milliseconds(1), cancelled: false, now: t + .milliseconds(9)) == .check)
    }
}
