import Foundation
import Testing
import VesperCore

/// The lifecycle rules as values, before any store renders them.
@Suite("Lifecycle rules")
struct LifecycleRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func job(priority: Int = 0, sequence: Int64 = 1, retries: Int = 0, maxRetries: Int = 3) -> Job {
        Job(
            id: UUID(), type: "t", queue: "default", priority: priority, payload: "{}", storedStatus: .processing, retries: retries,
            maxRetries: maxRetries, error: "earlier", runAt: now.addingTimeInterval(-60), createdAt: now.addingTimeInterval(-120),
            updatedAt: now.addingTimeInterval(-1), startedAt: now.addingTimeInterval(-1), finishedAt: nil, idempotencyKey: nil,
            attempt: 1, timeoutSeconds: 300, workerID: "node-a", leaseUntil: now.addingTimeInterval(30), sequence: sequence)
    }

    // MARK: Claim order

    @Test func claimOrderIsHighestPriorityFirstThenFIFO() {
        let jobs = [(0, 1), (7, 2), (3, 3), (10, 4), (7, 5), (0, 6), (10, 7)].map { job(priority: $0.0, sequence: Int64($0.1)) }
        #expect(ClaimOrder.sorted(jobs).map(\.sequence) == [4, 7, 2, 5, 3, 1, 6])
        #expect(ClaimOrder.precedes(job(priority: 1, sequence: 9), job(priority: 0, sequence: 1)))
        #expect(ClaimOrder.precedes(job(priority: 1, sequence: 1), job(priority: 1, sequence: 2)))
        #expect(!ClaimOrder.precedes(job(priority: 1, sequence: 2), job(priority: 1, sequence: 2)))
        #expect(JobRank(priority: 5, sequence: 10) < JobRank(priority: 4, sequence: 1))
        #expect(ClaimOrder.keys.map(\.column) == [.priority, .fairTag, .sequence])
        #expect(ClaimOrder.keys.map(\.descending) == [true, false, false])
    }

    @Test func withinAPriorityTheFairShareTagRanksBeforeTheSequence() {
        var early = job(priority: 2, sequence: 9)
        early.fairTag = 1
        var late = job(priority: 2, sequence: 3)
        late.fairTag = 2
        var unpartitioned = job(priority: 2, sequence: 20)
        unpartitioned.fairTag = 0
        var urgent = job(priority: 3, sequence: 30)
        urgent.fairTag = 50
        #expect(ClaimOrder.sorted([late, early, urgent, unpartitioned]).map(\.sequence) == [30, 20, 9, 3])
        #expect(JobRank(priority: 2, fairTag: 1, sequence: 9) < JobRank(priority: 2, fairTag: 2, sequence: 3))
        #expect(early.rank == JobRank(priority: 2, fairTag: 1, sequence: 9))
    }

    // MARK: Completions

    @Test func eachOutcomeChangesItsColumns() {
        let runAt = now.addingTimeInterval(5)
        let before = job()

        let done = Completion.Outcome.done
        let afterDone = done.effect.applied(to: before, outcome: done, now: now)
        #expect(afterDone.storedStatus == .done)
        #expect(afterDone.retries == 0)
        #expect(afterDone.error == "", "a done job carries no error from an earlier attempt")
        #expect(afterDone.runAt == before.runAt)
        #expect(afterDone.finishedAt == now)
        #expect(afterDone.workerID == "node-a")
        #expect(afterDone.leaseUntil == nil)

        let retry = Completion.Outcome.retry(error: "boom", runAt: runAt)
        let afterRetry = retry.effect.applied(to: before, outcome: retry, now: now)
        #expect(afterRetry.storedStatus == .pending)
        #expect(afterRetry.retries == 1)
        #expect(afterRetry.error == "boom")
        #expect(afterRetry.runAt == runAt)
        #expect(afterRetry.finishedAt == nil)
        #expect(afterRetry.workerID == nil)

        for (outcome, status) in [(Completion.Outcome.deadLetter(error: "gone"), JobStatus.dlq), (.failed(error: "gone"), .failed)] {
            let after = outcome.effect.applied(to: before, outcome: outcome, now: now)
            #expect(after.storedStatus == status)
            #expect(after.retries == 1)
            #expect(after.error == "gone")
            #expect(after.runAt == before.runAt)
            #expect(after.finishedAt == now)
            #expect(after.workerID == "node-a")
        }

        let release = Completion.Outcome.release
        let afterRelease = release.effect.applied(to: before, outcome: release, now: now)
        #expect(afterRelease.storedStatus == .pending)
        #expect(afterRelease.retries == 0)
        #expect(afterRelease.error == "earlier")
        #expect(afterRelease.runAt == now)
        #expect(afterRelease.finishedAt == nil)
        #expect(afterRelease.workerID == nil)

        let later = now.addingTimeInterval(30)
        let snooze = Completion.Outcome.snooze(runAt: later)
        let afterSnooze = snooze.effect.applied(to: before, outcome: snooze, now: now)
        #expect(afterSnooze.storedStatus == .pending)
        #expect(afterSnooze.retries == 0, "a snooze does not use a retry")
        #expect(afterSnooze.error == "earlier", "a snooze keeps the last error")
        #expect(afterSnooze.runAt == later)
        #expect(afterSnooze.finishedAt == nil)
        #expect(afterSnooze.workerID == nil)
    }

    @Test func everyKindHasAnEffectAndAName() {
        #expect(Completion.Outcome.Kind.allCases.map(\.rawValue) == ["done", "retry", "dlq", "failed", "release", "snooze"])
        #expect(CompletionEffect.kinds { $0.countsFailure } == [.retry, .deadLetter, .failed])
        #expect(CompletionEffect.kinds { $0.clearsWorker } == [.retry, .release, .snooze])
        #expect(CompletionEffect.kinds { $0.finishes } == [.done, .deadLetter, .failed])
        #expect(Completion.Outcome.Kind.allCases.allSatisfy { CompletionEffect.of($0).clearsLease })
    }

    // MARK: Lost attempts

    @Test func aLostAttemptRetriesAtOnceWhileRetriesAreLeftThenDeadLetters() {
        #expect(LostAttempt.leaseExpired.outcome(retries: 0, maxRetries: 3, now: now) == .retry(error: "lease expired", runAt: now))
        #expect(LostAttempt.leaseExpired.outcome(retries: 2, maxRetries: 3, now: now) == .retry(error: "lease expired", runAt: now))
        #expect(LostAttempt.leaseExpired.outcome(retries: 3, maxRetries: 3, now: now) == .deadLetter(error: "lease expired"))
        #expect(LostAttempt.leaseExpired.outcome(retries: 0, maxRetries: 0, now: now) == .deadLetter(error: "lease expired"))
        #expect(LostAttempt.nodeStopped("n1").error == "node n1 stopped heartbeating")
        #expect(LostAttempt.leaseExpired.exhaustedStatus == .dlq)
        #expect(LostAttempt.leaseExpired.retryStatus == .pending)
        #expect(job(retries: 2, maxRetries: 3).hasRetriesLeft)
        #expect(!job(retries: 3, maxRetries: 3).hasRetriesLeft)
    }

    // MARK: Listing

    @Test func aFilterNamesTheStoredStateAndSplitsPendingFromScheduledByTime() {
        let pending = JobFilter(JobQuery(status: .pending, now: now))
        #expect(
            pending.conditions == [
                .init(column: .status, comparison: .equal, value: .status(.pending)),
                .init(column: .runAt, comparison: .lessOrEqual, value: .time(now)),
            ])
        let scheduled = JobFilter(JobQuery(status: .scheduled, now: now))
        #expect(scheduled.conditions.last == .init(column: .runAt, comparison: .greater, value: .time(now)))
        #expect(JobFilter(JobQuery(status: .dlq, now: now)).conditions == [.init(column: .status, comparison: .equal, value: .status(.dlq))])
        #expect(JobFilter(JobQuery(now: now)).conditions.isEmpty)
        #expect(JobFilter(JobQuery(limit: -5, now: now)).limit == 0)
    }

    @Test func aFilterMatchesWhatItsConditionsSay() {
        let after = now.addingTimeInterval(-200)
        let before = now.addingTimeInterval(-100)
        let filter = JobFilter(
            JobQuery(status: .processing, type: "t", queue: "default", priority: 0, createdAfter: after, createdBefore: before, before: 5, now: now))
        #expect(filter.conditions.map(\.column) == [.status, .type, .queue, .priority, .createdAt, .createdAt, .sequence])
        #expect(filter.matches(job(sequence: 4)))
        #expect(!filter.matches(job(sequence: 5)))
        #expect(!filter.matches(job(priority: 1, sequence: 4)))
        var other = job(sequence: 4)
        other.createdAt = before
        #expect(!filter.matches(other))
        other.createdAt = after
        #expect(filter.matches(other))
        other.storedStatus = .done
        #expect(!filter.matches(other))
    }
}
