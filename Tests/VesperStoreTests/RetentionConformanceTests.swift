import Foundation
import Logging
import Testing
import VesperCore
import VesperTestSupport

/// Pruning finished jobs: which states, how old, in batches, and idempotency keys freed.
@Suite("Retention conformance")
struct RetentionConformanceTests {
    /// Adds a job and drives it to `outcome` at `finishedAt` (or cancels it).
    func finishedJob(_ store: any VesperStore, _ status: JobStatus, at finishedAt: Date, key: String? = nil) async throws -> Job {
        let job = try await store.add(testJob("t-\(status.rawValue)", idempotencyKey: key), now: testEpoch)
        if status == .cancelled {
            _ = try await store.cancel(id: job.id, now: finishedAt)
            return job
        }
        let claimed = try #require(try await store.claim(ClaimRequest(
            limit: 1, types: [job.type], workerID: "w", leaseUntil: finishedAt.addingTimeInterval(30), now: finishedAt)).first)
        let outcome: Completion.Outcome =
            switch status {
            case .done: .done
            case .failed: .failed(error: "x")
            default: .deadLetter(error: "x")
            }
        try await store.finish([Completion(token: LeaseToken(id: claimed.id, attempt: claimed.attempt), outcome: outcome)], now: finishedAt)
        return job
    }

    @Test(arguments: StoreKind.allCases)
    func prunesOnlyOldFinishedJobsOfTheGivenStatesInBatches(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let pruning = try #require(store as? any JobPruning)
            let old = testEpoch.addingTimeInterval(100)
            let recent = testEpoch.addingTimeInterval(10_000)
            var oldDone: [UUID] = []
            for index in 0..<5 { oldDone.append(try await finishedJob(store, .done, at: old, key: index == 0 ? "k-1" : nil).id) }
            let oldCancelled = try await finishedJob(store, .cancelled, at: old)
            let oldFailed = try await finishedJob(store, .failed, at: old)
            let oldDLQ = try await finishedJob(store, .dlq, at: old)
            let recentDone = try await finishedJob(store, .done, at: recent)
            let live = try await store.add(testJob("live"), now: testEpoch)

            let cutoff = testEpoch.addingTimeInterval(5_000)
            // Batches of 2: 6 old done/cancelled rows take 2, 2, 2, then 0.
            var batches: [Int] = []
            while true {
                let deleted = try await pruning.pruneFinishedJobs(statuses: [.done, .cancelled], finishedBefore: cutoff, limit: 2)
                batches.append(deleted)
                if deleted < 2 { break }
            }
            #expect(batches == [2, 2, 2, 0])
            for id in oldDone + [oldCancelled.id] { #expect(try await store.job(id: id) == nil) }
            for id in [oldFailed.id, oldDLQ.id, recentDone.id, live.id] { #expect(try await store.job(id: id) != nil) }
            // Live states are never pruned, even when asked.
            #expect(try await pruning.pruneFinishedJobs(statuses: [.pending, .processing], finishedBefore: .distantFuture, limit: 100) == 0)
            #expect(try await pruning.pruneFinishedJobs(statuses: [.failed, .dlq], finishedBefore: cutoff, limit: 100) == 2)
            #expect(try await store.job(id: live.id) != nil)
            // The pruned job's idempotency key is free again.
            let reused = try await store.enqueue([testJob("again", idempotencyKey: "k-1")], now: recent)
            guard case .created = reused.first else {
                Issue.record("key was not freed: \(reused)")
                return
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func retentionServiceAppliesBothPeriods(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let pruning = try #require(store as? any JobPruning)
            let done = try await finishedJob(store, .done, at: testEpoch.addingTimeInterval(10))
            let dlq = try await finishedJob(store, .dlq, at: testEpoch.addingTimeInterval(10))
            var options = RetentionService.Options()
            options.retention = .seconds(86_400)
            options.retentionFailed = .seconds(30 * 86_400)
            options.batchSize = 1
            let now = testEpoch.addingTimeInterval(2 * 86_400)
            let service = RetentionService(store: pruning, options: options, clock: WallClock { now }, logger: Logger(label: "test"))
            #expect(try await service.pruneOnce() == 1)
            #expect(try await store.job(id: done.id) == nil)
            #expect(try await store.job(id: dlq.id) != nil)
        }
    }
}
