import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Cancelling a running job, results, progress and attempt history, on each real store.
@Suite("Running jobs conformance")
struct RunningJobsConformanceTests {
    private func token(_ job: Job) -> LeaseToken { LeaseToken(id: job.id, attempt: job.attempt) }

    private func renewal(_ jobs: [Job], progress: [LeaseToken: JobProgress] = [:], now: Date) -> LeaseRenewal {
        LeaseRenewal(leases: jobs.map(token), progress: progress, until: now.addingTimeInterval(30), now: now)
    }

    @Test(arguments: StoreKind.allCases)
    func aCancelledRunningJobEndsAtTheNextRenewalAndALateResultIsRefused(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob())
            try await store.add(testJob())
            let claimed = try await store.claim(2, worker: "node-a")
            let (target, other) = (claimed[0], claimed[1])
            let requested = try await store.cancel(id: target.id, now: testEpoch.addingTimeInterval(1))
            #expect(requested.storedStatus == .processing)
            #expect(requested.cancelRequested)
            // Asking twice is harmless.
            #expect(try await store.cancel(id: target.id, now: testEpoch.addingTimeInterval(1)).cancelRequested)

            let renewedAt = testEpoch.addingTimeInterval(2)
            let result = try await store.renewLeases(renewal(claimed, now: renewedAt))
            #expect(result.cancelled == [target.id])
            #expect(result.extended == [other.id])

            let cancelled = try #require(try await store.job(id: target.id))
            let expected = CancelRequest.applied(to: target, now: renewedAt)
            #expect(cancelled.storedStatus == .cancelled)
            #expect(cancelled.error == "cancelled by request")
            #expect(cancelled.finishedAt == expected.finishedAt)
            #expect(cancelled.leaseUntil == nil)
            #expect(cancelled.workerID == "node-a")
            #expect(cancelled.attempts?.map(\.outcome) == ["cancelled"])
            #expect(cancelled.attempts?.first?.node == "node-a")
            #expect(cancelled.attempts?.first?.error == "cancelled by request")

            // The handler ignored the cancel and returned later: fenced out, `cancelled` stays.
            let late = Completion(token: token(target), outcome: .done, result: #"{"late":true}"#)
            #expect(try await store.finish([late], now: testEpoch.addingTimeInterval(3)).isEmpty)
            let after = try #require(try await store.job(id: target.id))
            #expect(after.storedStatus == .cancelled)
            #expect(after.result == nil)
            #expect(after.attempts?.count == 1)
            #expect(try await store.job(id: other.id)?.storedStatus == .processing)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func cancellingAFinishedJobIsStillRefused(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob())
            let job = try #require(try await store.claim(1).first)
            try await store.finish([Completion(token: token(job), outcome: .done)], now: testEpoch)
            let error = await #expect(throws: VesperError.self) { try await store.cancel(id: job.id, now: testEpoch) }
            #expect(error?.code == .invalidState)
            #expect(try await store.job(id: job.id)?.cancelRequested == false)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCancelRequestedJobWhoseLeaseRunsOutIsCancelledNotRetried(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let requested = try await store.add(testJob(maxRetries: 3))
            let plain = try await store.add(testJob(maxRetries: 3))
            _ = try await store.claim(2)
            _ = try await store.cancel(id: requested.id, now: testEpoch)
            let now = testEpoch.addingTimeInterval(60)
            #expect(try await store.recoverExpiredLeases(now: now) == 2)
            let cancelled = try #require(try await store.job(id: requested.id))
            #expect(cancelled.storedStatus == .cancelled)
            #expect(cancelled.error == "cancelled by request")
            #expect(cancelled.finishedAt == now)
            let retried = try #require(try await store.job(id: plain.id))
            #expect(retried.storedStatus == .pending)
            #expect(retried.attempts?.map(\.outcome) == ["lost"])
            #expect(retried.attempts?.first?.error == "lease expired")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func renewalsStoreProgressAndKeepItUntilTheNextReport(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob())
            let job = try #require(try await store.claim(1).first)
            let reportedAt = testEpoch.addingTimeInterval(1)
            let progress = JobProgress(percent: 40, message: "resizing", updatedAt: reportedAt, attempt: job.attempt)
            let result = try await store.renewLeases(renewal([job], progress: [token(job): progress], now: reportedAt))
            #expect(result.extended == [job.id])
            #expect(try await store.job(id: job.id)?.progress == progress)
            #expect(try await store.listJobs(JobQuery(now: reportedAt)).first?.progress == progress)
            // A renewal without a report keeps the last one; a stale token stores nothing.
            _ = try await store.renewLeases(renewal([job], now: testEpoch.addingTimeInterval(2)))
            var stale = job
            stale.attempt += 1
            let ignored = JobProgress(percent: 99, message: "stale", updatedAt: reportedAt, attempt: stale.attempt)
            #expect(try await store.renewLeases(renewal([stale], progress: [token(stale): ignored], now: reportedAt)).extended.isEmpty)
            #expect(try await store.job(id: job.id)?.progress == progress)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aDoneJobKeepsItsResultAndEveryAttemptIsRecorded(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob(maxRetries: 1))
            let first = try #require(try await store.claim(1, worker: "node-a").first)
            let retryAt = testEpoch.addingTimeInterval(5)
            try await store.finish([Completion(token: token(first), outcome: .retry(error: "boom", runAt: retryAt))], now: testEpoch.addingTimeInterval(1))
            let second = try #require(try await store.claim(1, worker: "node-b", now: retryAt).first)
            let result = #"{"width": 640, "url": "cat.png"}"#
            let doneAt = retryAt.addingTimeInterval(2)
            #expect(try await store.finish([Completion(token: token(second), outcome: .done, result: result)], now: doneAt).count == 1)

            let stored = try #require(try await store.job(id: first.id))
            #expect(stored.result == result)
            let attempts = try #require(stored.attempts)
            #expect(attempts.map(\.attempt) == [1, 2])
            #expect(attempts.map(\.node) == ["node-a", "node-b"])
            #expect(attempts.map(\.outcome) == ["retried", "done"])
            #expect(attempts.map(\.error) == ["boom", ""])
            #expect(abs(attempts[0].startedAt!.timeIntervalSince(testEpoch)) < 0.001)
            #expect(abs(attempts[0].finishedAt.timeIntervalSince(testEpoch.addingTimeInterval(1))) < 0.001)
            #expect(abs(attempts[1].startedAt!.timeIntervalSince(retryAt)) < 0.001)
            #expect(abs(attempts[1].finishedAt.timeIntervalSince(doneAt)) < 0.001)
            // Listings leave the heavy columns out.
            let listed = try #require(try await store.listJobs(JobQuery(now: doneAt)).first)
            #expect(listed.result == nil && listed.attempts == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aReleaseIsNotAnAttemptAndAFailureStoresNoResult(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(testJob(maxRetries: 0))
            let first = try #require(try await store.claim(1).first)
            try await store.finish([Completion(token: token(first), outcome: .release)], now: testEpoch)
            let second = try #require(try await store.claim(1).first)
            try await store.finish(
                [Completion(token: token(second), outcome: .deadLetter(error: "gave up"), result: "[1]")], now: testEpoch.addingTimeInterval(1))
            let stored = try #require(try await store.job(id: first.id))
            #expect(stored.storedStatus == .dlq)
            #expect(stored.result == nil)
            #expect(stored.attempts?.map(\.attempt) == [2])
            #expect(stored.attempts?.map(\.outcome) == ["dlq"])
            #expect(stored.attempts?.map(\.error) == ["gave up"])
        }
    }
}
