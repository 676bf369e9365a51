import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Fleet-wide limits in the claim: concurrency keys, queue concurrency and queue rate limits,
/// under concurrent claimers, with the rank read agreeing with the claim.
@Suite("Fleet limits conformance")
struct FleetLimitsConformanceTests {
    func limitControl(_ store: any VesperStore, _ kind: StoreKind) throws -> any QueueLimitControl {
        try #require(store as? any QueueLimitControl, "\(kind) store has no queue limits")
    }

    func keyed(_ key: String, limit: Int, priority: Int = 0, queue: String = "default") -> NewJob {
        var job = testJob("keyed", priority: priority, queue: queue)
        job.concurrency = JobConcurrency(key: key, limit: limit)
        return job
    }

    func request(_ limit: Int, worker: String = "w1", now: Date = testEpoch) -> ClaimRequest {
        ClaimRequest(limit: limit, types: nil, workerID: worker, leaseUntil: now.addingTimeInterval(30), now: now)
    }

    /// Runs `claimers` claims of `size` at once and returns everything they took.
    func claimConcurrently(_ store: any VesperStore, claimers: Int, size: Int, now: Date = testEpoch) async throws -> [Job] {
        try await withThrowingTaskGroup(of: [Job].self) { group in
            for index in 0..<claimers {
                group.addTask { try await store.claim(self.request(size, worker: "w\(index)", now: now)) }
            }
            var all: [Job] = []
            for try await jobs in group { all += jobs }
            return all
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrencyKeyLimitHoldsAcrossConcurrentClaimers(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for _ in 0..<20 { try await store.add(keyed("customer:42", limit: 3)) }
            for _ in 0..<4 { try await store.add(keyed("customer:7", limit: 1)) }
            for _ in 0..<5 { try await store.add(testJob("plain")) }
            let claimed = try await claimConcurrently(store, claimers: 8, size: 5)
            #expect(claimed.filter { $0.type == "plain" }.count == 5, "unkeyed jobs are not held back")
            let processing = try await store.listJobs(JobQuery(status: .processing, limit: 100, now: testEpoch))
            var perKey: [String: Int] = [:]
            for job in processing where job.type == "keyed" {
                let stored = try #require(try await store.job(id: job.id))
                perKey[stored.concurrency!.key, default: 0] += 1
            }
            #expect(perKey == ["customer:42": 3, "customer:7": 1], "never past a key's limit, and up to it")
            #expect(claimed.filter { $0.type == "keyed" }.count == 4)
            // Nothing more is claimable while the keys are full, and the rank read agrees.
            #expect(try await store.claim(request(10)).isEmpty)
            #expect(try await store.bestClaimableRank(request(1)) == nil, "a job held back by a limit is not claimable")
            // One finishes: exactly one more of that key becomes claimable.
            let done = try #require(processing.first { $0.type == "keyed" })
            let key = try #require(try await store.job(id: done.id)?.concurrency?.key)
            _ = try await store.finish([Completion(token: LeaseToken(id: done.id, attempt: done.attempt), outcome: .done)], now: testEpoch)
            #expect(try await store.bestClaimableRank(request(1)) != nil)
            let next = try await store.claim(request(10))
            #expect(next.count == 1)
            #expect(try await store.job(id: next[0].id)?.concurrency?.key == key)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rankReadSkipsHeldBackJobsLikeTheClaim(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.add(keyed("account:1", limit: 1, priority: 9))
            let first = try await store.claim(request(1))
            #expect(first.count == 1)
            try await store.add(keyed("account:1", limit: 1, priority: 9))
            let plain = try await store.add(testJob("plain", priority: 1))
            let rank = try await store.bestClaimableRank(request(1))
            #expect(rank == plain.rank, "the held-back priority-9 job does not outrank the claimable one")
            #expect(try await store.claim(request(10)).map(\.id) == [plain.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func queueConcurrencyLimitHoldsAndRecoveredJobsFreeTheirShare(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let limits = try limitControl(store, kind)
            try await limits.setQueueLimits("reports", limits: QueueLimits(concurrency: 3), now: testEpoch)
            for _ in 0..<10 { try await store.add(testJob("report", queue: "reports")) }
            try await store.add(testJob("other"))
            let claimed = try await claimConcurrently(store, claimers: 6, size: 4)
            #expect(claimed.filter { $0.queue == "reports" }.count == 3)
            #expect(claimed.filter { $0.queue == "default" }.count == 1)
            #expect(try await store.claim(request(10)).isEmpty)

            let control = try #require(store as? any QueueControl)
            let overview = try #require(try await control.queueOverview(now: testEpoch).first { $0.name == "reports" })
            #expect(overview.limits == QueueLimits(concurrency: 3))
            #expect(overview.processing == 3)
            #expect(overview.limited == 7, "every due job of a full queue is held back")

            // The leases run out (a lost node): recovery puts them back and frees the share.
            let later = testEpoch.addingTimeInterval(60)
            #expect(try await store.recoverExpiredLeases(now: later) == 4)
            let reclaimed = try await store.claim(request(10, now: later))
            #expect(reclaimed.filter { $0.queue == "reports" }.count == 3)
            #expect(reclaimed.filter { $0.queue == "default" }.count == 1)

            // Cleared: the rest is claimable at once.
            try await limits.setQueueLimits("reports", limits: .none, now: later)
            #expect(try await store.claim(request(20, now: later)).count == 7)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func rateLimitCountsClaimsOverASlidingWindow(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let limits = try limitControl(store, kind)
            try await limits.setQueueLimits("emails", limits: QueueLimits(rate: RateLimit(limit: 5, period: .seconds(1))), now: testEpoch)
            for _ in 0..<20 { try await store.add(testJob("email", queue: "emails")) }
            func claim(at offset: Double) async throws -> Int {
                let now = testEpoch.addingTimeInterval(offset)
                let jobs = try await claimConcurrently(store, claimers: 3, size: 4, now: now)
                // Each claim finishes its jobs at once: a rate limit counts starts, not running jobs.
                _ = try await store.finish(jobs.map { Completion(token: LeaseToken(id: $0.id, attempt: $0.attempt), outcome: .done) }, now: now)
                return jobs.count
            }
            #expect(try await claim(at: 0) == 5)
            #expect(try await claim(at: 0.5) == 0)
            let control = try #require(store as? any QueueControl)
            let overview = try #require(try await control.queueOverview(now: testEpoch.addingTimeInterval(0.5)).first { $0.name == "emails" })
            #expect(overview.startsInWindow == 5)
            #expect(overview.limited == 15)
            #expect(overview.limits.rate == RateLimit(limit: 5, period: .seconds(1)))
            // The window slides: the claims at 0 leave it after one period.
            #expect(try await claim(at: 1.0) == 5)
            #expect(try await claim(at: 1.9) == 0)
            #expect(try await claim(at: 2.0) == 5)
            #expect(try await claim(at: 2.5) == 0)
            #expect(try await claim(at: 3.2) == 5)
            #expect(try await claim(at: 10) == 0, "nothing left")
        }
    }

    /// A node caches whether limits are in play; one that has not yet seen a limit or a keyed job
    /// another node wrote leaves that work alone rather than overshoot, and takes it once it looks again.
    @Test(arguments: StoreKind.allCases)
    func aNodeThatHasNotSeenNewLimitsLeavesLimitedWorkAlone(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // This node reads that no limit is in play, and keeps the answer for a while.
            #expect(try await store.claim(request(1)).isEmpty)
            try await withSecondNode(of: store) { other in
                try await limitControl(other, kind).setQueueLimits("reports", limits: QueueLimits(concurrency: 1), now: testEpoch)
                for _ in 0..<3 { try await other.add(testJob("report", queue: "reports")) }
                for _ in 0..<3 { try await other.add(keyed("customer:1", limit: 1)) }
                try await other.add(testJob("plain"))
            }
            var claimed = try await store.claim(request(10))
            #expect(claimed.contains { $0.type == "plain" })
            #expect(claimed.filter { $0.queue == "reports" }.count <= 1, "seen or not, the queue's limit holds")
            #expect(claimed.filter { $0.type == "keyed" }.count <= 1, "seen or not, the key's limit holds")
            try await waitUntil(timeout: .seconds(30), "the limited work to be claimed under its limits") {
                claimed += try await store.claim(request(10))
                return claimed.count >= 3
            }
            #expect(claimed.filter { $0.queue == "reports" }.count == 1)
            #expect(claimed.filter { $0.type == "keyed" }.count == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrencyIsReadBackAndNotPartOfListings(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(keyed("customer:42", limit: 2))
            #expect(job.concurrency == JobConcurrency(key: "customer:42", limit: 2))
            #expect(try await store.job(id: job.id)?.concurrency == JobConcurrency(key: "customer:42", limit: 2))
            let plain = try await store.add(testJob())
            #expect(try await store.job(id: plain.id)?.concurrency == nil)
        }
    }
}
