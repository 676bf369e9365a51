import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Named queues: selection and exclusion in the claim, fleet-wide pause/resume, depth per queue.
@Suite("Queue control conformance")
struct QueueControlConformanceTests {
    func control(_ store: any VesperStore, _ kind: StoreKind) throws -> any QueueControl {
        try #require(store as? any QueueControl, "\(kind) store has no queue control")
    }

    func claim(_ store: any VesperStore, _ limit: Int, queues: [String]? = nil, excluded: [String] = [], now: Date = testEpoch) async throws -> [Job] {
        try await store.claim(
            ClaimRequest(
                limit: limit, types: nil, workerID: "w", leaseUntil: now.addingTimeInterval(30), now: now, queues: queues,
                excludedQueues: excluded))
    }

    @Test(arguments: StoreKind.allCases)
    func claimHonoursQueueSelectionAndExclusion(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for queue in ["critical", "default", "bulk", "critical"] { try await store.add(testJob(queue: queue)) }
            #expect(try await claim(store, 10, queues: []).isEmpty)
            #expect(try await claim(store, 10, queues: ["critical"]).map(\.queue) == ["critical", "critical"])
            #expect(try await claim(store, 10, excluded: ["bulk"]).map(\.queue) == ["default"])
            #expect(try await claim(store, 10, queues: ["bulk", "default"]).map(\.queue) == ["bulk"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func pausedQueueIsClaimedByNobodyUntilResumed(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let control = try control(store, kind)
            try await store.add(testJob("a", priority: 9, queue: "reports"))
            try await store.add(testJob("b", priority: 1, queue: "default"))
            try await control.setQueuePaused("reports", paused: true, now: testEpoch)
            try await control.setQueuePaused("reports", paused: true, now: testEpoch)  // idempotent
            // Neither an unfiltered claim nor one that selects the queue takes its jobs.
            #expect(try await claim(store, 10, queues: ["reports"]).isEmpty)
            #expect(try await store.claim(10).map(\.type) == ["b"])
            try await control.setQueuePaused("reports", paused: false, now: testEpoch)
            #expect(try await store.claim(10).map(\.type) == ["a"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func overviewCountsLiveJobsPerQueueWithPausedFlag(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let control = try control(store, kind)
            let finished = try await store.add(testJob(queue: "default"))
            _ = try await claim(store, 1, queues: ["default"])
            try await store.finish([Completion(token: LeaseToken(id: finished.id, attempt: 1), outcome: .done)], now: testEpoch)
            try await store.add(testJob(queue: "default"))
            try await store.add(testJob(queue: "critical"))
            try await store.add(testJob(queue: "critical"))
            try await store.add(testJob(runAt: testEpoch.addingTimeInterval(600), queue: "critical"))
            #expect(try await claim(store, 1, queues: ["critical"]).count == 1)
            try await control.setQueuePaused("empty-but-paused", paused: true, now: testEpoch)

            let overview = try await control.queueOverview(now: testEpoch.addingTimeInterval(1))
            #expect(overview.map(\.name) == ["critical", "default", "empty-but-paused"])
            #expect(overview[0] == QueueOverview(name: "critical", pending: 1, scheduled: 1, processing: 1, paused: false))
            #expect(overview[1] == QueueOverview(name: "default", pending: 1), "the finished job is not depth")
            #expect(overview[2] == QueueOverview(name: "empty-but-paused", paused: true))
        }
    }
}
