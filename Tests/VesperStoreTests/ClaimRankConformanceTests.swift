import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// What a slot asks before it starts a prefetched job (the best claimable rank), and what a
/// completion records about the start, on each store.
@Suite("Claim rank and start time conformance")
struct ClaimRankConformanceTests {
    static func request(types: [String]? = nil, queues: [String]? = nil, now: Date = testEpoch) -> ClaimRequest {
        ClaimRequest(limit: 1, types: types, workerID: "w1", leaseUntil: now.addingTimeInterval(30), now: now, queues: queues)
    }

    @Test(arguments: StoreKind.allCases)
    func theBestClaimableRankIsTheHeadOfTheClaimOrder(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.bestClaimableRank(Self.request()) == nil)
            let low = try await store.add(testJob(priority: 1))
            let high = try await store.add(testJob(priority: 5))
            let later = try await store.add(testJob(priority: 5))
            try await store.add(testJob(priority: 9, runAt: testEpoch.addingTimeInterval(60)))
            try await store.add(testJob("other", priority: 8))
            try await store.add(testJob(priority: 7, queue: "mail"))
            #expect(try await store.bestClaimableRank(Self.request(types: ["test"], queues: ["default"])) == high.rank)
            // Reads only: nothing was leased.
            #expect(try await store.job(id: high.id)?.storedStatus == .pending)
            // Types, queues and paused queues filter as in the claim; a leased job is not claimable.
            #expect(try await store.bestClaimableRank(Self.request()) == JobRank(priority: 8, sequence: high.sequence + 3))
            let control = try #require(store as? any QueueControl, "\(kind) store has no queue control")
            try await control.setQueuePaused("default", paused: true, now: testEpoch)
            #expect(try await store.bestClaimableRank(Self.request(types: ["test"])) == JobRank(priority: 7, sequence: high.sequence + 4))
            try await control.setQueuePaused("default", paused: false, now: testEpoch)
            #expect(try await store.claim(Self.request(types: ["test"], queues: ["default"])).map(\.id) == [high.id])
            #expect(try await store.bestClaimableRank(Self.request(types: ["test"], queues: ["default"])) == later.rank)
            #expect(try await store.bestClaimableRank(Self.request(types: [])) == nil)
            _ = try await store.claim(Self.request(types: ["test"], queues: ["default"]))
            #expect(try await store.bestClaimableRank(Self.request(types: ["test"], queues: ["default"])) == low.rank)
        }
    }

    /// The read that rides along with a batch of completions (``RankReadingFinish``) applies the
    /// completions as a finish does and reads what ``JobStore/bestClaimableRank(_:)`` would.
    @Test(arguments: StoreKind.allCases)
    func aFinishCanReadTheBestClaimableRankInTheSameTransaction(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let reading = try #require(StoreCapabilities(of: store).rankReadingFinish, "\(kind) store cannot read a rank with a finish")
            for _ in 0..<3 { try await store.add(testJob(priority: 1)) }
            let claimed = try await store.claim(3)
            let best = try await store.add(testJob(priority: 5))
            try await store.add(testJob("other", priority: 8))
            let stale = Completion(token: LeaseToken(id: claimed[2].id, attempt: 9), outcome: .done)
            let completions = claimed.prefix(2).map { Completion(token: LeaseToken(id: $0.id, attempt: $0.attempt), outcome: .done) } + [stale]
            let (finished, rank) = try await reading.finish(
                completions, now: testEpoch.addingTimeInterval(1), readingBestRankFor: Self.request(types: ["test"], now: testEpoch.addingTimeInterval(1)))
            #expect(finished == Set(completions.prefix(2).map(\.token)))
            #expect(rank == best.rank)
            #expect(try await store.job(id: claimed[0].id)?.storedStatus == .done)
            #expect(try await store.job(id: claimed[2].id)?.storedStatus == .processing)

            // Nothing claimable for the selection: no rank, and the finish still applies.
            let last = Completion(token: LeaseToken(id: claimed[2].id, attempt: claimed[2].attempt), outcome: .done)
            let (applied, none) = try await reading.finish(
                [last], now: testEpoch.addingTimeInterval(2), readingBestRankFor: Self.request(types: ["nothing"], now: testEpoch.addingTimeInterval(2)))
            #expect(applied == [last.token])
            #expect(none == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCompletionRecordsWhenTheHandlerStartedAndAHandBackLeavesItEmpty(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let ran = try await store.add(testJob())
            let handedBack = try await store.add(testJob())
            let claimed = try await store.claim(2)
            #expect(claimed.map(\.startedAt) == [nil, nil])
            #expect(try await store.job(id: ran.id)?.startedAt == nil)
            let start = testEpoch.addingTimeInterval(5)
            let finish = testEpoch.addingTimeInterval(6)
            let applied = try await store.finish(
                [
                    Completion(token: LeaseToken(id: ran.id, attempt: 1), outcome: .done, startedAt: start),
                    Completion(token: LeaseToken(id: handedBack.id, attempt: 1), outcome: .release),
                ], now: finish)
            #expect(applied.count == 2)
            let done = try #require(try await store.job(id: ran.id))
            #expect(done.startedAt == start)
            #expect(done.finishedAt == finish)
            let pending = try #require(try await store.job(id: handedBack.id))
            #expect(pending.storedStatus == .pending)
            #expect(pending.startedAt == nil)
        }
    }
}
