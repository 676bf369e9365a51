import Foundation
import Testing
import VesperCore
import VesperTestSupport

@testable import VesperBench

/// The bench's check reads the run's own jobs, newest first, and stops once it has found them all;
/// a job it cannot find must still count as lost.
@Suite("Bench correctness check")
struct CorrectnessCheckTests {
    @Test(arguments: StoreKind.allCases)
    func findsJobsAcrossPagesAndCountsAMissingOneAsLost(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let queue = JobQueue(store: store)
            // More than one page of 5,000, so the run's first job is found only on the second page.
            let outcomes = try await store.enqueue((0..<5_200).map { _ in testJob() }, now: queue.now())
            let ids = outcomes.compactMap { outcome -> UUID? in
                guard case .created(let job) = outcome else { return nil }
                return job.id
            }
            try #require(ids.count == 5_200)
            let check = CorrectnessCheck(queue: queue)

            let allThere = try await check.verify(expected: ids, .pendingUnclaimed, ledger: nil)
            #expect(allThere.lost == 0 && allThere.errors == 0, "\(allThere.problems)")

            let missing = UUID()
            let oneMissing = try await check.verify(expected: ids + [missing], .pendingUnclaimed, ledger: nil)
            #expect(oneMissing.lost == 1)
            #expect(oneMissing.problems.first?.contains(missing.lowercaseText) == true)

            // Claimed by now: the check must read each job's current state, not stop at the first page.
            _ = try await store.claim(5_200, now: queue.now())
            let claimed = try await check.verify(expected: [ids[0]], .pendingUnclaimed, ledger: nil)
            #expect(claimed.errors == 1, "\(claimed.problems)")
        }
    }
}
