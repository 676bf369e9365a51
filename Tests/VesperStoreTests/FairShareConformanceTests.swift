import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Fair shares on each store: within a queue, partitions take turns at each priority, the tags
/// the enqueue hands out are what the claim walks, and a queue without partitions keeps
/// priority-then-FIFO.
@Suite("Fair share conformance")
struct FairShareConformanceTests {
    static func job(_ partition: String?, priority: Int = 0, queue: String = "default") -> NewJob {
        var job = testJob(priority: priority, queue: queue)
        job.partition = partition
        return job
    }

    static func request(limit: Int = 1, queues: [String]? = nil) -> ClaimRequest {
        ClaimRequest(limit: limit, types: nil, workerID: "w1", leaseUntil: testEpoch.addingTimeInterval(30), now: testEpoch, queues: queues)
    }

    /// Claims one job at a time until none is left, checking before each claim that the best
    /// claimable rank (what the strict-order vouch reads) is the head the claim takes.
    static func drainOneByOne(_ store: any VesperStore, queues: [String]? = nil) async throws -> [Job] {
        var claimed: [Job] = []
        while true {
            let best = try await store.bestClaimableRank(request(queues: queues))
            guard let job = try await store.claim(request(queues: queues)).first else {
                #expect(best == nil)
                return claimed
            }
            #expect(best == job.rank, "the rank read names the job the claim takes")
            claimed.append(job)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func twoPartitionsTakeTurnsAtEachPriority(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var a: [Job] = []
            for _ in 0..<4 { a.append(try await store.add(Self.job("tenant-a"))) }
            // One batch: two jobs of a second tenant around an un-partitioned one.
            let batch = try await store.enqueue([Self.job("tenant-b"), Self.job(nil), Self.job("tenant-b")], now: testEpoch)
            let created = batch.compactMap { outcome -> Job? in if case .created(let job) = outcome { job } else { nil } }
            #expect(created.count == 3)
            let (b1, plain, b2) = (created[0], created[1], created[2])
            let urgent = try await store.add(Self.job("tenant-a", priority: 5))
            // Start tags: tenant-a 1...4; tenant-b joins at the queue's turn (its lowest pending tag, 1).
            #expect(a.map(\.fairTag) == [1, 2, 3, 4])
            #expect([b1.fairTag, b2.fairTag] == [1, 2])
            #expect(plain.fairTag == 0 && plain.partition == nil)
            #expect(urgent.fairTag == 5)
            // What the enqueue returned is what is stored.
            for job in a + created + [urgent] { #expect(try await store.job(id: job.id)?.partition == job.partition) }
            #expect(try await store.job(id: b2.id)?.fairTag == 2)

            let expected = [urgent.id, plain.id, a[0].id, b1.id, a[1].id, b2.id, a[2].id, a[3].id]
            #expect(try await Self.drainOneByOne(store).map(\.id) == expected)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func oneClaimOfManyHandsOutTheSameOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var ids: [String: [UUID]] = [:]
            for tenant in ["a", "a", "a", "b", "c", "c"] { ids[tenant, default: []].append(try await store.add(Self.job(tenant)).id) }
            let claimed = try await store.claim(Self.request(limit: 10))
            #expect(claimed.map(\.id) == [ids["a"]![0], ids["b"]![0], ids["c"]![0], ids["a"]![1], ids["c"]![1], ids["a"]![2]])
            #expect(claimed.map(\.partition) == ["a", "b", "c", "a", "c", "a"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aTenantThatArrivesLateJoinsAtTheCurrentTurn(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var a: [Job] = []
            for _ in 0..<6 { a.append(try await store.add(Self.job("a"))) }
            #expect(try await store.claim(Self.request(limit: 3)).map(\.id) == a[0..<3].map(\.id))
            // tenant-a's next pending tag is 4: the newcomer starts there, not behind a's backlog
            // and not at tag 1 ahead of everything.
            let late = try await store.add(Self.job("late"))
            let again = try await store.add(Self.job("late"))
            #expect([late.fairTag, again.fairTag] == [4, 5])
            #expect(try await Self.drainOneByOne(store).map(\.id) == [a[3].id, late.id, a[4].id, again.id, a[5].id])
            // With nothing pending, a partition that ran long ago starts after every tag handed out
            // (6 was tenant-a's last), so an old tenant cannot jump a new one's queue.
            let next = try await store.add(Self.job("late"))
            #expect(next.fairTag == 7)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func queuesKeepTheirOwnTurns(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for _ in 0..<3 { try await store.add(Self.job("a", queue: "mail")) }
            // Another queue's pending tags do not move this queue's turn, and the same tenant
            // name in another queue is another partition.
            let other = try await store.add(Self.job("a", queue: "reports"))
            #expect(other.fairTag == 1)
            let claimed = try await Self.drainOneByOne(store, queues: ["reports"])
            #expect(claimed.map(\.id) == [other.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aQueueWithoutPartitionsKeepsPriorityThenFIFO(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var jobs: [Job] = []
            for priority in [0, 3, 0, 9, 3, 0] { jobs.append(try await store.add(Self.job(nil, priority: priority))) }
            #expect(jobs.allSatisfy { $0.fairTag == 0 && $0.partition == nil })
            let expected = jobs.sorted { ($0.priority, -$0.sequence) > ($1.priority, -$1.sequence) }.map(\.id)
            #expect(try await Self.drainOneByOne(store).map(\.id) == expected)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRetriedJobKeepsItsPlaceInItsPartition(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.add(Self.job("a"))
            let second = try await store.add(Self.job("a"))
            _ = try await store.claim(Self.request())
            let applied = try await store.finish(
                [Completion(token: LeaseToken(id: first.id, attempt: 1), outcome: .retry(error: "boom", runAt: testEpoch))], now: testEpoch)
            #expect(applied.count == 1)
            let retried = try #require(try await store.job(id: first.id))
            #expect(retried.storedStatus == .pending && retried.fairTag == 1)
            #expect(try await Self.drainOneByOne(store).map(\.id) == [first.id, second.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listingsFilterByPartition(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let a = try await store.add(Self.job("tenant-a"))
            try await store.add(Self.job("tenant-b"))
            try await store.add(Self.job(nil))
            let listed = try await store.listJobs(JobQuery(now: testEpoch, partition: "tenant-a"))
            #expect(listed.map(\.id) == [a.id])
            #expect(listed.first?.partition == "tenant-a")
            #expect(try await store.listJobs(JobQuery(now: testEpoch, partition: "nobody")).isEmpty)
        }
    }
}
