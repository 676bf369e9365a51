import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// The store queries behind the dashboard, on both stores: finished jobs per minute, the lookup by
/// idempotency key, and bulk retry (which pages through the listing and retries job by job).
@Suite("Dashboard queries conformance")
struct DashboardQueriesConformanceTests {
    /// Claims every pending job and finishes each with the outcome `outcome(type)` at `at`.
    func finishAll(_ store: any VesperStore, at: Date, _ outcome: (String) -> Completion.Outcome) async throws {
        for job in try await store.claim(100, now: at) {
            try await store.finish([Completion(token: LeaseToken(id: job.id, attempt: job.attempt), outcome: outcome(job.type))], now: at)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func finishedPerMinuteCountsDoneAndFailedByMinute(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let history = try #require(store as? any ThroughputHistorySource)
            let minute = FinishedMinute.minute(of: testEpoch)
            try await store.add(testJob("ok"))
            try await store.add(testJob("ok"))
            try await finishAll(store, at: minute.addingTimeInterval(5)) { _ in .done }
            try await store.add(testJob("bad"))
            try await store.add(testJob("worse"))
            try await finishAll(store, at: minute.addingTimeInterval(65)) { type in
                type == "bad" ? .deadLetter(error: "boom") : .failed(error: "boom")
            }
            try await store.add(testJob("old"), now: minute.addingTimeInterval(-3700))
            try await finishAll(store, at: minute.addingTimeInterval(-3600)) { _ in .done }  // outside the window

            let counts = try await history.finishedPerMinute(since: minute.addingTimeInterval(-60), now: minute.addingTimeInterval(120))
            #expect(counts == [FinishedMinute(minute: minute, done: 2, failed: 0), FinishedMinute(minute: minute.addingTimeInterval(60), done: 0, failed: 2)])
            let series = FinishedMinute.series(counts, since: minute.addingTimeInterval(-60), now: minute.addingTimeInterval(120))
            #expect(series.map(\.done) == [0, 2, 0, 0])
            #expect(series.map(\.failed) == [0, 0, 2, 0])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func jobIsFoundByIdempotencyKey(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let lookup = try #require(store as? any IdempotencyKeyLookup)
            let job = try await store.add(testJob("tick", idempotencyKey: "cron:nightly:2027-01-15T02:00:00Z"))
            #expect(try await lookup.job(idempotencyKey: "cron:nightly:2027-01-15T02:00:00Z")?.id == job.id)
            #expect(try await lookup.job(idempotencyKey: "cron:nightly:2027-01-16T02:00:00Z") == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func bulkRetryRetriesExactlyTheMatchingDeadJobs(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let queue = JobQueue(store: store)
            for index in 0..<7 { try await store.add(testJob(index < 5 ? "mail" : "image", queue: index % 2 == 0 ? "a" : "b")) }
            try await finishAll(store, at: testEpoch) { _ in .deadLetter(error: "outage") }
            try await store.add(testJob("mail", queue: "a"), now: queue.now())  // pending: matches the type, not a state retry applies to

            // Small batches, so the walk crosses pages while the retried jobs leave the filter.
            var filter = JobQuery(now: queue.now())
            filter.status = .dlq
            filter.type = "mail"
            #expect(try await queue.retryAll(matching: filter, batchSize: 2) == BulkRetryResult(retried: 5, skipped: 0))

            var everyMail = JobQuery(now: queue.now())
            everyMail.type = "mail"
            #expect(try await queue.retryAll(matching: everyMail, batchSize: 2) == BulkRetryResult(retried: 0, skipped: 6))

            var dlq = JobQuery(limit: 100, now: queue.now())
            dlq.status = .dlq
            #expect(try await queue.list(dlq).map(\.type) == ["image", "image"])
            var pending = JobQuery(limit: 100, now: queue.now())
            pending.status = .pending
            let retried = try await queue.list(pending)
            #expect(retried.count == 6)
            #expect(retried.allSatisfy { $0.type == "mail" && $0.retries == 0 })
        }
    }
}
