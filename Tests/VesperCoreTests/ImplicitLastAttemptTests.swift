import Foundation
import Testing
import VesperCore

/// The last attempt of a finished job is read from its row, never stored twice nor made up for a
/// job that has not finished.
@Suite("Implicit last attempt")
struct ImplicitLastAttemptTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A job claimed by `node-a` (attempt 2, started a second ago), then finished with `outcome` now.
    func finished(_ outcome: Completion.Outcome, recorded: [AttemptRecord] = []) -> Job {
        var running = Job(
            id: UUID(), type: "t", queue: "default", priority: 0, payload: "{}", storedStatus: .processing, retries: 0, maxRetries: 3,
            error: "", runAt: now.addingTimeInterval(-60), createdAt: now.addingTimeInterval(-120), updatedAt: now.addingTimeInterval(-1),
            startedAt: now.addingTimeInterval(-1), finishedAt: nil, idempotencyKey: nil, attempt: 2, timeoutSeconds: 300,
            workerID: "node-a", leaseUntil: now.addingTimeInterval(30), sequence: 1)
        running.attempts = recorded
        var job = outcome.effect.applied(to: running, outcome: outcome, now: now)
        // As stored: a finish that ends the job appends nothing.
        if !outcome.effect.appendsAttempt { job.attempts = recorded }
        return job
    }

    @Test func onlyFinishingOutcomesLeaveTheirAttemptImplicit() {
        #expect(ImplicitLastAttempt.outcomes == [.done: "done", .failed: "failed", .dlq: "dlq"])
        let appending = Completion.Outcome.Kind.allCases.filter { CompletionEffect.of($0).appendsAttempt }
        #expect(appending == [.retry, .snooze])
    }

    @Test(arguments: [Completion.Outcome.done, .failed(error: "bad input"), .deadLetter(error: "gave up")])
    func aFinishedJobReadsWithItsLastAttempt(outcome: Completion.Outcome) {
        let earlier = AttemptRecord(attempt: 1, node: "node-b", startedAt: nil, finishedAt: now.addingTimeInterval(-30), outcome: "retried", error: "boom")
        let job = finished(outcome, recorded: [earlier])
        let read = job.withImplicitLastAttempt()
        #expect(read.attempts?.count == 2)
        #expect(read.attempts?.first == earlier)
        let last = read.attempts?.last
        #expect(last?.attempt == 2)
        #expect(last?.node == "node-a")
        #expect(last?.startedAt == now.addingTimeInterval(-1))
        #expect(last?.finishedAt == now)
        #expect(last?.outcome == CompletionEffect.of(outcome.kind).recordedOutcome)
        #expect(last?.error == (outcome.error ?? ""))
        // What the rule's own `applied` says a reader sees.
        #expect(read.attempts?.map(\.outcome) == outcome.effect.applied(to: job, outcome: outcome, now: now).attempts?.map(\.outcome))
    }

    @Test func aJobThatGoesOnOrIsCancelledGetsNoMadeUpAttempt() {
        let retried = finished(.retry(error: "boom", runAt: now))
        #expect(retried.withImplicitLastAttempt().attempts == retried.attempts)
        var cancelled = finished(.done)
        cancelled.storedStatus = .cancelled
        #expect(cancelled.withImplicitLastAttempt().attempts == [])
    }

    @Test func aHistoryThatEndsWithTheCurrentAttemptGetsNoSecondRecord() {
        let lost = AttemptRecord(attempt: 2, node: "node-a", startedAt: nil, finishedAt: now, outcome: "lost", error: "lease expired")
        let job = finished(.deadLetter(error: "lease expired"), recorded: [lost])
        #expect(job.withImplicitLastAttempt().attempts == [lost])
    }

    @Test func aJobReadWithoutItsHistoryStaysWithout() {
        var job = finished(.done)
        job.attempts = nil
        #expect(job.withImplicitLastAttempt().attempts == nil)
    }

    @Test func timesReadAsAStoredRecordsDo() {
        var job = finished(.done)
        job.finishedAt = Date(timeIntervalSince1970: 1_800_000_000.123_456_7)
        let last = job.withImplicitLastAttempt().attempts?.last
        #expect(last?.finishedAt == Date(timeIntervalSince1970: Double(Int64(1_800_000_000_123_457)) / 1_000_000))
    }
}
