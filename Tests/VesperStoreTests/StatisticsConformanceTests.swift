import Foundation
import Testing
import VesperCore
import VesperTestSupport

@Suite("Statistics conformance")
struct StatisticsConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func countsByStatusPriorityAgeAndFleet(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            guard let source = store as? any QueueStatisticsSource else {
                Issue.record("\(kind) store has no statistics")
                return
            }
            for priority in [0, 0, 3, 7] { try await store.add(testJob(priority: priority), now: testEpoch) }
            try await store.add(testJob(runAt: testEpoch.addingTimeInterval(600)), now: testEpoch)
            try await store.add(testJob(priority: 10), now: testEpoch.addingTimeInterval(5))
            let claimed = try await store.claim(2, now: testEpoch.addingTimeInterval(10))  // priorities 10 and 7
            try await store.finish(
                [Completion(token: LeaseToken(id: claimed[0].id, attempt: 1), outcome: .done)], now: testEpoch.addingTimeInterval(20))
            try await store.registerNode(
                NodeInfo(
                    id: "n", hostname: "h", pid: 1, apiAddress: "a", workers: 7, busy: 2, types: ["*"], startedAt: testEpoch,
                    lastHeartbeat: testEpoch))

            let statistics = try await source.statistics(now: testEpoch.addingTimeInterval(30))
            #expect(statistics.counts[.pending] == 3)
            #expect(statistics.counts[.scheduled] == 1)
            #expect(statistics.counts[.processing] == 1)
            #expect(statistics.counts[.done] == 1)
            #expect(statistics.pendingByPriority == [0: 2, 3: 1])
            #expect(statistics.oldestPendingAge == 30)
            #expect(statistics.doneLastMinute == 1)
            #expect(statistics.doneLast5Minutes == 1)
            #expect(statistics.fleetNodes == 1)
            #expect(statistics.fleetWorkers == 7)
            #expect(statistics.fleetBusy == 2)
            let later = try await source.statistics(now: testEpoch.addingTimeInterval(200))
            #expect(later.doneLastMinute == 0)
            #expect(later.doneLast5Minutes == 1)
        }
    }
}
