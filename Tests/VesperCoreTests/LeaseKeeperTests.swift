import Foundation
import Logging
import Synchronization
import Testing
@testable import VesperCore
import VesperTestSupport

/// The lease keeper on a real SQLite store: which leases it reports lost.
@Suite("Lease keeper")
struct LeaseKeeperTests {
    /// A renewal races the node's own completions: a job that finished between the keeper's look at
    /// what it holds and the renewal was not extended because its completion got there first. That
    /// is no lost lease (its result was recorded); a job still held that the store did not extend is.
    @Test func aJobThatFinishedDuringTheRenewalIsNotReportedLost() async throws {
        try await withStore(.sqlite) { store in
            let now = Date()
            for type in ["finishes", "runs", "taken"] { try await store.add(testJob(type), now: now) }
            let claimed = try await store.claim(
                ClaimRequest(limit: 3, types: nil, workerID: "node-a", leaseUntil: now.addingTimeInterval(30), now: now))
            let finishes = try #require(claimed.first { $0.type == "finishes" }).leaseToken
            let runs = try #require(claimed.first { $0.type == "runs" }).leaseToken
            let taken = try #require(claimed.first { $0.type == "taken" }).leaseToken
            // Before the keeper's renewal: one job's completion is written, and another job's
            // lease ends behind the node's back (recovered, as by another node after a stall).
            _ = try await store.finish([Completion(token: finishes, outcome: .done)], now: now)
            try await executeSQL("UPDATE jobs SET status = 'pending', lease_until = NULL WHERE id = '\(taken.id.lowercaseText)'", on: store)

            // The keeper's first look still holds all three (the completion was in flight); every
            // later look no longer holds the finished one.
            let looks = Mutex(0)
            let lost = Recorder<Set<LeaseToken>>()
            var options = WorkerPoolOptions(nodeID: "node-a")
            options.leaseCheckInterval = .milliseconds(50)
            let keeper = LeaseKeeper(
                store: store, clock: WallClock { Date() }, options: options, progress: ProgressBoard(),
                logger: Logger(label: "test"))
            let task = Task {
                await keeper.run(
                    held: {
                        let first = looks.withLock { count in
                            count += 1
                            return count == 1
                        }
                        return (first ? [finishes, runs, taken] : [runs, taken], false)
                    },
                    lost: { lost.append($0) }, cancelled: { _ in }, recovered: { _ in })
            }
            try await waitUntil("a lost lease to be reported") { !lost.all.isEmpty }
            task.cancel()
            await task.value
            #expect(lost.all.first == [taken], "only the job still held and not extended is lost")
        }
    }
}
