import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Delete, run-now and the bulk actions by filter, on both stores: each touches exactly the jobs
/// it should, refuses the states it does not apply to, and says how many it skipped.
@Suite("Job administration conformance")
struct JobAdministrationConformanceTests {
    /// A store's administration capability, or a failed expectation.
    func administration(_ store: any VesperStore) throws -> any JobAdministration {
        try #require(StoreCapabilities(of: store).administration)
    }

    /// Claims the job `id`, handing back whatever else the claim took, and returns it running.
    @discardableResult
    func claimOnly(_ store: any VesperStore, _ id: UUID, at now: Date = testEpoch) async throws -> Job {
        let claimed = try await store.claim(100, now: now)
        for job in claimed where job.id != id {
            try await store.finish([Completion(token: LeaseToken(id: job.id, attempt: job.attempt), outcome: .release)], now: now)
        }
        return try #require(claimed.first(where: { $0.id == id }), "job \(id) was not claimable")
    }

    /// Claims the job `id` and finishes it with `outcome`.
    func finish(_ store: any VesperStore, _ id: UUID, _ outcome: Completion.Outcome, at now: Date = testEpoch) async throws {
        let job = try await claimOnly(store, id, at: now)
        try await store.finish([Completion(token: LeaseToken(id: job.id, attempt: job.attempt), outcome: outcome)], now: now)
    }

    /// One job in each stored state (and a scheduled one), all of type `type` in `queue`.
    func oneOfEach(_ store: any VesperStore, type: String = "t", queue: String = "default") async throws -> [JobStatus: UUID] {
        var ids: [JobStatus: UUID] = [:]
        for (status, outcome) in [(JobStatus.done, Completion.Outcome.done), (.failed, .failed(error: "no")), (.dlq, .deadLetter(error: "no"))] {
            let job = try await store.add(testJob(type, queue: queue))
            try await finish(store, job.id, outcome)
            ids[status] = job.id
        }
        let cancelled = try await store.add(testJob(type, queue: queue))
        _ = try await store.cancel(id: cancelled.id, now: testEpoch)
        ids[.cancelled] = cancelled.id
        ids[.scheduled] = try await store.add(testJob(type, runAt: testEpoch.addingTimeInterval(3600), queue: queue)).id
        let running = try await store.add(testJob(type, queue: queue))
        try await claimOnly(store, running.id)
        ids[.processing] = running.id
        ids[.pending] = try await store.add(testJob(type, queue: queue)).id
        return ids
    }

    @Test(arguments: StoreKind.allCases)
    func deleteRemovesAnyJobButARunningOne(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let admin = try administration(store)
            let ids = try await oneOfEach(store)
            for status in [JobStatus.pending, .scheduled, .done, .failed, .dlq, .cancelled] {
                let id = try #require(ids[status])
                let deleted = try await admin.delete(id: id)
                #expect(deleted.id == id)
                #expect(deleted.status(at: testEpoch) == status)
                #expect(try await store.job(id: id) == nil, "\(status) job still stored")
            }
            let running = try #require(ids[.processing])
            await #expect(throws: VesperError(.invalidState, "job \(running.lowercaseText) is processing; a running job cannot be deleted (cancel it or wait for it to finish)")) {
                try await admin.delete(id: running)
            }
            #expect(try await store.job(id: running)?.storedStatus == .processing)
            let unknown = UUID()
            await #expect(throws: VesperError.notFound(unknown.lowercaseText)) { try await admin.delete(id: unknown) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteFreesTheIdempotencyKey(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.add(testJob("t", idempotencyKey: "order-7"))
            _ = try await administration(store).delete(id: first.id)
            let second = try await store.add(testJob("t", idempotencyKey: "order-7"))
            #expect(second.id != first.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func runNowMakesAScheduledJobDueAndRefusesOtherStates(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let admin = try administration(store)
            let ids = try await oneOfEach(store)
            let scheduled = try #require(ids[.scheduled])
            let now = testEpoch.addingTimeInterval(10)
            for status in [JobStatus.pending, .processing, .done, .failed, .dlq, .cancelled] {
                let id = try #require(ids[status])
                await #expect(throws: VesperError(.invalidState, "job \(id.lowercaseText) is \(status.rawValue); only scheduled jobs can be run now")) {
                    try await admin.runNow(id: id, now: now)
                }
            }
            let due = try await admin.runNow(id: scheduled, now: now)
            #expect(due.runAt == now && due.updatedAt == now && due.status(at: now) == .pending)
            #expect(Set(try await store.claim(10, now: now).map(\.id)) == [scheduled, try #require(ids[.pending])])
            let unknown = UUID()
            await #expect(throws: VesperError.notFound(unknown.lowercaseText)) { try await admin.runNow(id: unknown, now: now) }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func runNowOfAJobWaitingToRetryRunsItsNextAttemptNow(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob("flaky"))
            try await finish(store, job.id, .retry(error: "timeout", runAt: testEpoch.addingTimeInterval(600)))
            let waiting = try #require(try await store.job(id: job.id))
            #expect(waiting.status(at: testEpoch) == .scheduled && waiting.retries == 1)
            let due = try await administration(store).runNow(id: job.id, now: testEpoch.addingTimeInterval(1))
            #expect(due.retries == 1 && due.attempt == 1 && due.error == "timeout")
            let claimed = try await store.claim(10, now: testEpoch.addingTimeInterval(1))
            #expect(claimed.map(\.id) == [job.id] && claimed.first?.attempt == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func bulkRetryTouchesExactlyTheMatchingJobsAndCountsTheSkipped(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let queue = JobQueue(store: store, clock: WallClock { testEpoch.addingTimeInterval(5) })
            let mail = try await oneOfEach(store, type: "mail", queue: "a")
            let moreDead = try await Array(0..<4).asyncMap { _ in try await store.add(testJob("mail", queue: "a")) }
            for job in moreDead { try await finish(store, job.id, .deadLetter(error: "outage")) }
            let otherQueue = try await oneOfEach(store, type: "mail", queue: "b")
            let otherType = try await oneOfEach(store, type: "image", queue: "a")
            let before = try await snapshot(store, Array(otherQueue.values) + Array(otherType.values))

            var filter = JobQuery(now: queue.now())
            filter.type = "mail"
            filter.queue = "a"
            // Batches of 3: the walk crosses batches while retried jobs change state under it.
            let result = try await queue.retryAll(matching: filter, batchSize: 3)
            #expect(result == BulkRetryResult(retried: 6, skipped: 5))  // dlq ×5 + failed; pending, scheduled, processing, done, cancelled skipped
            for id in [mail[.dlq]!, mail[.failed]!] + moreDead.map(\.id) {
                let job = try #require(try await store.job(id: id))
                #expect(job.storedStatus == .pending && job.retries == 0 && job.runAt == queue.now() && job.finishedAt == nil)
            }
            for status in [JobStatus.done, .cancelled, .processing] {
                #expect(try await store.job(id: mail[status]!)?.storedStatus == status)
            }
            #expect(try await snapshot(store, Array(otherQueue.values) + Array(otherType.values)) == before)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func bulkDeleteTouchesExactlyTheMatchingJobsAndNeverARunningOne(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let queue = JobQueue(store: store, clock: WallClock { testEpoch.addingTimeInterval(5) })
            let mail = try await oneOfEach(store, type: "mail", queue: "a")
            let others = try await oneOfEach(store, type: "image", queue: "a")
            let before = try await snapshot(store, Array(others.values))

            var filter = JobQuery(now: queue.now())
            filter.type = "mail"
            #expect(try await queue.deleteAll(matching: filter, batchSize: 2) == BulkDeleteResult(deleted: 6, skipped: 1))
            for (status, id) in mail {
                #expect(try await store.job(id: id)?.storedStatus == (status == .processing ? JobStatus.processing : nil), "\(status)")
            }
            #expect(try await snapshot(store, Array(others.values)) == before)

            // A status filter walks that state only; scheduled and pending are told apart by the query's time.
            var scheduled = JobQuery(now: queue.now())
            scheduled.status = .scheduled
            #expect(try await queue.deleteAll(matching: scheduled) == BulkDeleteResult(deleted: 1, skipped: 0))
            #expect(try await store.job(id: others[.scheduled]!) == nil)
            #expect(try await store.job(id: others[.pending]!) != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func bulkDeleteWithoutAFilterIsRefused(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let queue = JobQueue(store: store)
            let job = try await store.add(testJob("t"))
            await #expect(throws: ValidationError.self) { try await queue.deleteAll(matching: JobQuery(now: queue.now())) }
            #expect(try await store.job(id: job.id) != nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oneBatchReportsItsMatchesChangesAndCursor(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let admin = try administration(store)
            var jobs: [Job] = []
            for index in 0..<5 {
                let job = try await store.add(testJob("t"))
                if index != 3 { try await finish(store, job.id, .deadLetter(error: "x")) }
                jobs.append(try #require(try await store.job(id: job.id)))
            }
            // Newest first: jobs 4, 3 (pending), 2 in the first batch of three.
            var query = JobQuery(limit: 3, now: testEpoch)
            query.type = "t"
            let first = try await admin.apply(.retry, toBatchOf: JobFilter(query), now: testEpoch)
            #expect(first == BulkBatch(matched: 3, acted: 2, lastSequence: jobs[2].sequence))
            query.before = first.lastSequence
            let second = try await admin.apply(.retry, toBatchOf: JobFilter(query), now: testEpoch)
            #expect(second == BulkBatch(matched: 2, acted: 2, lastSequence: jobs[0].sequence))
            query.before = second.lastSequence
            #expect(try await admin.apply(.retry, toBatchOf: JobFilter(query), now: testEpoch) == BulkBatch(matched: 0, acted: 0, lastSequence: nil))
        }
    }

    /// What the test compares to show jobs were left alone: each job's state and timestamps.
    func snapshot(_ store: any VesperStore, _ ids: [UUID]) async throws -> [UUID: String] {
        var result: [UUID: String] = [:]
        for id in ids {
            let job = try #require(try await store.job(id: id))
            result[id] = "\(job.storedStatus) \(job.retries) \(job.runAt) \(job.updatedAt) \(String(describing: job.finishedAt))"
        }
        return result
    }
}
