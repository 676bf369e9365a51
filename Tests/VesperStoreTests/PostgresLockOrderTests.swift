import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// Statements that lock several leased rows take them in one order, so a node's lease renewal and
/// its completion batch, on two connections, never deadlock.
@Suite("PostgreSQL lock order")
struct PostgresLockOrderTests {
    /// Two renewals name the same leases in opposite orders while the finish names them in a
    /// third statement, round after round. Left to their joins, each statement locked rows in its
    /// own array's order: two of them met in the middle, and PostgreSQL broke the cycle after a
    /// second by failing one ("deadlock detected").
    @Test func renewalsAndFinishesOfTheSameRowsNeverDeadlock() async throws {
        try await withPostgresStore { store in
            let now = Date()
            // A backlog that makes the planner look each named row up by its id index (in the
            // array's order), as on a busy queue, rather than scan the table.
            _ = try await store.enqueue((0..<20_000).map { _ in testJob("waiting", runAt: now.addingTimeInterval(3_600)) }, now: now)
            try await executeSQL("ANALYZE jobs", on: store)
            for round in 0..<20 {
                _ = try await store.enqueue((0..<300).map { _ in testJob("round\(round)") }, now: now)
                let claimed = try await store.claim(
                    ClaimRequest(limit: 300, types: ["round\(round)"], workerID: "node-a", leaseUntil: now.addingTimeInterval(30), now: now))
                #expect(claimed.count == 300)
                let tokens = claimed.map { LeaseToken(id: $0.id, attempt: $0.attempt) }.sorted { $0.id.uuidString < $1.id.uuidString }
                func renew(_ leases: [LeaseToken]) async throws -> LeaseRenewalResult {
                    try await store.renewLeases(LeaseRenewal(leases: leases, until: now.addingTimeInterval(60), now: now))
                }
                // Two renewals in opposite orders (as a node's keeper and an operator's tool
                // might), and the finish in a third.
                async let forward = renew(tokens)
                async let backward = renew(tokens.reversed())
                async let finished = store.finish(tokens.reversed().map { Completion(token: $0, outcome: .done) }, now: now)
                let (_, _, applied) = try await (forward, backward, finished)
                // Whichever went first, every completion was applied.
                #expect(applied.count == 300)
            }
        }
    }
}
