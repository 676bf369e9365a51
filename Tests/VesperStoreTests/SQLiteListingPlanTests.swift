import Foundation
import GRDB
import Testing
import VesperCore
import VesperTestSupport

@testable import VesperSQLite

/// Listing the few `pending` or `processing` jobs beside a large retained history must read those
/// jobs, not the history: without an index hint SQLite walked every row newest first and filtered
/// by state (1.3 s a call with ten million finished jobs).
@Suite("SQLite listing plans")
struct SQLiteListingPlanTests {
    @Test(arguments: [
        (JobStatus.pending, "jobs_claimable"), (.scheduled, "jobs_claimable"), (.processing, "jobs_leased"), (.dlq, "jobs_dlq"),
    ])
    func aListingOfOneStateWalksThatStatesIndex(status: JobStatus, index: String) async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            try await store.migrate()
            for cursor in [nil, Int64(1_000)] {
                let (sql, arguments) = SQLiteLifecycleSQL.list(JobFilter(JobQuery(status: status, limit: 50, before: cursor, now: testEpoch)))
                let plan = try await store.pool.read { db in
                    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                }
                #expect(plan.contains { $0.contains("USING INDEX \(index)") }, "\(plan)")
                #expect(!plan.contains("SCAN jobs"), "no walk of the whole table: \(plan)")
            }
            try await store.close()
        }
    }

    /// The hinted walks still list the right jobs, newest first, beside a history of finished ones.
    @Test func pendingAndProcessingAreListedNewestFirstBesideAHistory() async throws {
        try await withStore(.sqlite) { store in
            try await executeSQL(
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at, updated_at,
                    finished_at, timeout_ms, fingerprint)
                SELECT lower(hex(randomblob(16))), 'old', 'default', 0, '{}', 'done', 3, 1, 1, 1, 1 + i, 30000, 'x' FROM n
                """, on: store)
            var added: [Job] = []
            for priority in [0, 5, 0, 9] { added.append(try await store.add(testJob(priority: priority))) }
            let claimed = try await store.claim(1)
            #expect(claimed.map(\.id) == [added[3].id])
            let processing = try await store.listJobs(JobQuery(status: .processing, now: testEpoch))
            #expect(processing.map(\.id) == [added[3].id])
            let pending = try await store.listJobs(JobQuery(status: .pending, now: testEpoch))
            #expect(pending.map(\.id) == [added[2].id, added[1].id, added[0].id])
            let nextPage = try await store.listJobs(JobQuery(status: .pending, limit: 2, before: added[2].sequence, now: testEpoch))
            #expect(nextPage.map(\.id) == [added[1].id, added[0].id])
            #expect(try await store.listJobs(JobQuery(status: .scheduled, now: testEpoch)).isEmpty)
        }
    }
}
