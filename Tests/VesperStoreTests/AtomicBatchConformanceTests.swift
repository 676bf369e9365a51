import Foundation
import Testing
import VesperCore
import VesperTestSupport

@Suite("Atomic batch conformance")
struct AtomicBatchConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func aConflictStoresNothingAndSameRequestsComeBackExisting(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let atomic = try #require(store as? any AtomicBatchEnqueue)
            let first = try await atomic.enqueueAll([testJob(payload: #"{"a":1}"#, idempotencyKey: "k1"), testJob()], now: testEpoch)
            guard case .created(let k1) = first[0] else { Issue.record("not created"); return }

            // A conflicting key anywhere in the batch: nothing of it is stored.
            let fresh = testJob(payload: #"{"fresh":true}"#)
            do {
                _ = try await atomic.enqueueAll([fresh, testJob(payload: #"{"a":2}"#, idempotencyKey: "k1")], now: testEpoch)
                Issue.record("a conflicting batch must fail")
            } catch let error as VesperError {
                #expect(error.code == .idempotencyConflict)
                #expect(error.message.contains("jobs[1]"))
            }
            #expect(try await store.job(id: fresh.id) == nil)

            // The same request again is not a conflict.
            let again = try await atomic.enqueueAll([testJob(payload: #"{"a":1}"#, idempotencyKey: "k1"), fresh], now: testEpoch)
            #expect(again[0] == .existing(k1))
            if case .created = again[1] {} else { Issue.record("the new job must be created") }
            #expect(try await store.listJobs(JobQuery(limit: 10, now: testEpoch)).count == 3)
        }
    }
}
