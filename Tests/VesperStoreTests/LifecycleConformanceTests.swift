import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Each store renders the core's lifecycle rules: what it stores is what the rule says.
@Suite("Lifecycle conformance")
struct LifecycleConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func everyOutcomeChangesExactlyWhatItsEffectSays(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let later = testEpoch.addingTimeInterval(10)
            let now = testEpoch.addingTimeInterval(1)
            let outcomes: [Completion.Outcome] = [
                .done, .retry(error: "try again", runAt: later), .deadLetter(error: "gave up"), .failed(error: "bad input"), .release,
                .snooze(runAt: later.addingTimeInterval(5)),
            ]
            for _ in outcomes { try await store.add(testJob()) }
            let claimed = try await store.claim(outcomes.count)
            // Every completion carries a result; only the kinds whose effect stores one keep it.
            let completions = zip(claimed, outcomes).map {
                Completion(token: LeaseToken(id: $0.id, attempt: $0.attempt), outcome: $1, result: #"{"ok":true}"#)
            }
            #expect(try await store.finish(completions, now: now) == Set(completions.map(\.token)))
            for (job, outcome) in zip(claimed, outcomes) {
                let expected = outcome.effect.applied(to: job, outcome: outcome, result: #"{"ok":true}"#, now: now)
                let stored = try #require(try await store.job(id: job.id))
                #expect(stored.storedStatus == expected.storedStatus, "\(outcome)")
                #expect(stored.retries == expected.retries, "\(outcome)")
                #expect(stored.error == expected.error, "\(outcome)")
                #expect(stored.runAt == expected.runAt, "\(outcome)")
                #expect(stored.finishedAt == expected.finishedAt, "\(outcome)")
                #expect(stored.workerID == expected.workerID, "\(outcome)")
                #expect(stored.leaseUntil == expected.leaseUntil, "\(outcome)")
                #expect(stored.updatedAt == expected.updatedAt, "\(outcome)")
                #expect(stored.attempt == job.attempt, "\(outcome)")
                #expect(stored.result == expected.result, "\(outcome)")
                #expect((stored.attempts ?? []).map(\.outcome) == (expected.attempts ?? []).map(\.outcome), "\(outcome)")
                #expect((stored.attempts ?? []).map(\.error) == (expected.attempts ?? []).map(\.error), "\(outcome)")
                #expect((stored.attempts ?? []).map(\.node) == (expected.attempts ?? []).map(\.node), "\(outcome)")
                #expect((stored.attempts ?? []).map(\.attempt) == (expected.attempts ?? []).map(\.attempt), "\(outcome)")
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLostAttemptRetriesOrDeadLettersAsTheRuleSays(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let fresh = try await store.add(testJob(maxRetries: 1))
            let exhausted = try await store.add(testJob(maxRetries: 0))
            let claimed = try await store.claim(2)
            #expect(claimed.count == 2)
            let now = testEpoch.addingTimeInterval(60)
            #expect(try await store.recoverExpiredLeases(now: now) == 2)
            for (job, status) in [(fresh, JobStatus.pending), (exhausted, .dlq)] {
                let stored = try #require(try await store.job(id: job.id))
                let outcome = LostAttempt.leaseExpired.outcome(retries: job.retries, maxRetries: job.maxRetries, now: now)
                #expect(stored.storedStatus == status)
                #expect(stored.storedStatus == outcome.effect.status)
                #expect(stored.retries == 1)
                #expect(stored.error == "lease expired")
                #expect(stored.runAt == now)
                #expect(stored.finishedAt == (status == .dlq ? now : nil))
                #expect(stored.workerID == nil)
                #expect(stored.leaseUntil == nil)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aListingReturnsWhatItsFilterMatchesNewestFirst(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // Twelve jobs a minute apart: two types, two queues, three priorities, some due later.
            for index in 0..<12 {
                try await store.add(
                    testJob(
                        index.isMultiple(of: 2) ? "even" : "odd", priority: index % 3,
                        runAt: index.isMultiple(of: 4) ? testEpoch.addingTimeInterval(7200) : nil,
                        queue: index < 6 ? "default" : "critical"),
                    now: testEpoch.addingTimeInterval(Double(index) * 60))
            }
            let now = testEpoch.addingTimeInterval(3600)
            // Some jobs run and finish, so several states are present.
            let claimed = try await store.claim(4, now: now)
            let outcomes: [Completion.Outcome] = [.done, .deadLetter(error: "x"), .failed(error: "y")]
            try await store.finish(
                zip(claimed, outcomes).map { Completion(token: LeaseToken(id: $0.id, attempt: $0.attempt), outcome: $1) }, now: now)
            let all = try await store.listJobs(JobQuery(limit: 1_000, now: now))
            #expect(all.count == 12)

            var queries = JobStatus.allCases.map { JobQuery(status: $0, now: now) }
            queries += [
                JobQuery(type: "odd", now: now), JobQuery(queue: "critical", priority: 1, now: now),
                JobQuery(
                    status: .pending, createdAfter: testEpoch.addingTimeInterval(120), createdBefore: testEpoch.addingTimeInterval(600),
                    now: now),
                JobQuery(type: "even", limit: 2, before: all[3].sequence, now: now), JobQuery(limit: 0, now: now),
            ]
            for query in queries {
                let filter = JobFilter(query)
                let expected = all.filter(filter.matches).prefix(filter.limit).map(\.id)
                #expect(try await store.listJobs(query).map(\.id) == Array(expected), "\(filter.conditions)")
            }
        }
    }
}
