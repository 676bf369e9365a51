import Foundation
import PostgresNIO
import Testing
import VesperCore
@testable import VesperPostgres
import VesperTestSupport

/// The claim path must walk `jobs_claimable` in claim order and stop at its limit. On a table whose
/// statistics are missing or stale (a new database, or a queue that was idle at the last ANALYZE and
/// then gets a burst), PostgreSQL guesses that almost no job is pending and prefers a bitmap scan of
/// every pending job plus a sort: milliseconds per claim at a few thousand pending jobs, and a
/// drain at half speed. The store's connections turn bitmap scans off, and this reads the plan.
@Suite("PostgreSQL claim plans")
struct PostgresClaimPlanTests {
    @Test func theRankReadWalksTheClaimIndexOnATableWithoutStatistics() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                // A burst on a table never analyzed: thousands pending, the planner told nothing.
                for _ in 0..<6 {
                    _ = try await store.enqueue((0..<500).map { _ in testJob("burst") }, now: testEpoch)
                }
                let plan = try await store.client.withConnection { connection in
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "PREPARE plan_check AS \(PostgresPreparedStatements.BestClaimableRank.sql)"),
                        logger: PostgresTestServer.logger
                    ).drain()
                    var lines: [String] = []
                    let rows = try await connection.query(
                        "EXPLAIN EXECUTE plan_check(now(), NULL, NULL, '{}', 'default', NULL)", logger: PostgresTestServer.logger)
                    for try await line in rows.decode(String.self) { lines.append(line) }
                    try await connection.query("DEALLOCATE plan_check", logger: PostgresTestServer.logger).drain()
                    return lines.joined(separator: "\n")
                }
                #expect(plan.contains("Index Scan using jobs_claimable"), "walked in claim order:\n\(plan)")
                #expect(!plan.contains("Sort"), "no sort of the pending jobs:\n\(plan)")
                #expect(!plan.contains("Bitmap"), "no bitmap scan of the pending jobs:\n\(plan)")
            }
        }
    }

    /// JIT compilation is costed by table size: with millions of finished jobs retained, a listing
    /// page was costed high enough to spend 160 ms compiling for 18 ms of work. Every session of
    /// the pool turns it off.
    @Test func thePoolsSessionsRunWithoutJIT() async throws {
        try await withPostgresStore { store in
            for _ in 0..<3 {
                let setting = try await store.client.withConnection { connection in
                    var values: [String] = []
                    for try await value in try await connection.query("SHOW jit", logger: PostgresTestServer.logger).decode(String.self) {
                        values.append(value)
                    }
                    return values
                }
                #expect(setting == ["off"])
            }
        }
    }
}
