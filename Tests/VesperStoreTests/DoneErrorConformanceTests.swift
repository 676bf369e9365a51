import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// A job that ends `done` carries no error: an earlier attempt's error (a retried failure, an
/// expired lease) once stayed on the done job as if it had been the outcome.
@Suite("Done jobs carry no error")
struct DoneErrorConformanceTests {
    @Test(arguments: StoreKind.allCases)
    func doneAfterARetriedFailureClearsTheError(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob())
            let first = try #require(try await store.claim(1).first)
            try await store.finish(
                [Completion(token: LeaseToken(id: job.id, attempt: first.attempt), outcome: .retry(error: "boom", runAt: testEpoch))],
                now: testEpoch)
            #expect(try await store.job(id: job.id)?.error == "boom")
            let second = try #require(try await store.claim(1).first)
            try await store.finish([Completion(token: LeaseToken(id: job.id, attempt: second.attempt), outcome: .done)], now: testEpoch)
            let done = try #require(try await store.job(id: job.id))
            #expect(done.status(at: testEpoch) == .done)
            #expect(done.error == "")
            #expect(done.retries == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func doneAfterAnExpiredLeaseClearsTheError(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob())
            _ = try await store.claim(1)
            // The lease (30 s) runs out; the next claim recovers the attempt as a failure first.
            let later = testEpoch.addingTimeInterval(60)
            _ = try await store.recoverExpiredLeases(now: later)
            #expect(try await store.job(id: job.id)?.error == "lease expired")
            let again = try #require(try await store.claim(1, now: later.addingTimeInterval(3600)).first)
            try await store.finish([Completion(token: LeaseToken(id: job.id, attempt: again.attempt), outcome: .done)], now: later)
            #expect(try await store.job(id: job.id)?.error == "")
        }
    }
}
