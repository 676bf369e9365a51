import Foundation
import GRDB
import PostgresNIO
import Testing
import VesperCore
import VesperPostgres
@testable import VesperSQLite
import VesperTestSupport

/// The producer's trace context is stored with the job (`trace_context`, `NULL` without one) and
/// comes back on every read and on the claim that hands the job to a worker.
@Suite("Trace context conformance")
struct TraceContextConformanceTests {
    static let context = JobTraceContext(fields: [
        "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "tracestate": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
    ])

    static func job(_ type: String, traced: Bool, key: String? = nil) -> NewJob {
        var job = testJob(type, idempotencyKey: key)
        if traced { job.traceContext = context }
        return job
    }

    @Test(arguments: StoreKind.allCases)
    func aTraceContextIsStoredWithTheJobAndComesBackOnReadAndClaim(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // A plain batch, and (atomic) a batch with keys: both statements that carry contexts.
            let outcomes = try await store.enqueue([Self.job("traced", traced: true), Self.job("untraced", traced: false)], now: testEpoch)
            let atomic = try #require(store as? any AtomicBatchEnqueue)
            let keyed = try await atomic.enqueueAll(
                [Self.job("traced", traced: true, key: "k1"), Self.job("untraced", traced: false, key: "k2")], now: testEpoch)
            let created = (outcomes + keyed).compactMap(\.createdJob)
            #expect(created.count == 4)
            for job in created {
                let expected = job.type == "traced" ? Self.context : nil
                #expect(job.traceContext == expected)
                #expect(try await store.job(id: job.id)?.traceContext == expected)
                let raw = try await Self.storedColumn(job.id, store: store)
                #expect(raw == expected?.text, "the column holds the context's text, NULL without one")
            }
            let claimed = try await store.claim(10)
            #expect(claimed.count == 4)
            for job in claimed { #expect(job.traceContext == (job.type == "traced" ? Self.context : nil)) }
            // The context is not part of the request's fingerprint: a repeat from another trace (or
            // none) is the same request, answered with the stored job, its context included.
            let again = try await store.enqueue([Self.job("traced", traced: false, key: "k1")], now: testEpoch)
            guard case .existing(let existing)? = again.first else {
                Issue.record("expected the existing job, got \(String(describing: again.first))")
                return
            }
            #expect(existing.traceContext == Self.context)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aDamagedColumnLosesTheLinkNotTheJob(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(Self.job("traced", traced: true))
            try await executeSQL("UPDATE jobs SET trace_context = 'not json' WHERE seq = \(job.sequence)", on: store)
            #expect(try await store.job(id: job.id)?.traceContext == nil)
            #expect(try await store.claim(1).map(\.id) == [job.id])
        }
    }

    /// A database from before the column: the migration adds it, and the jobs already stored read
    /// back without a context and can still be claimed.
    @Test func anSQLiteDatabaseFromBeforeTheColumnIsUpgraded() async throws {
        try await withTemporaryDirectory { directory in
            let store = try SQLiteJobStore(path: directory.file("old.db"))
            try SQLiteSchema.migrator.migrate(store.pool, upTo: "v5-lean-indexes")
            let id = UUID()
            try await store.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at, updated_at,
                            fingerprint, timeout_ms)
                        VALUES (?, 'old', 'default', 0, '{}', 'pending', 3, 0, 0, 0, 'f', 1000)
                        """, arguments: [id.uuidString.lowercased()])
            }
            #expect(try await store.pendingMigrations().contains("v6-trace-context"))
            try await store.migrate()
            #expect(try await store.job(id: id)?.traceContext == nil)
            #expect(try await store.claim(1).map(\.id) == [id])
            try await store.close()
        }
    }

    /// The `trace_context` column of job `id`, as the database holds it.
    static func storedColumn(_ id: UUID, store: any VesperStore) async throws -> String? {
        switch store {
        case let store as SQLiteJobStore:
            return try await store.pool.read { db in
                try String.fetchOne(db, sql: "SELECT trace_context FROM jobs WHERE id = ?", arguments: [id.uuidString.lowercased()])
            }
        case let store as PostgresJobStore:
            for try await value in try await store.client.query("SELECT trace_context FROM jobs WHERE id = \(id)").decode(String?.self) {
                return value
            }
            Issue.record("job \(id) is not stored")
            return nil
        default:
            Issue.record("unknown store \(store.displayName)")
            return nil
        }
    }

}

extension EnqueueOutcome {
    fileprivate var createdJob: Job? {
        if case .created(let job) = self { return job }
        return nil
    }
}
