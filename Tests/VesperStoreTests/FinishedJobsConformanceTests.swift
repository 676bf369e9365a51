import Foundation
import GRDB
import PostgresNIO
import Testing
import VesperCore
@testable import VesperPostgres
@testable import VesperSQLite
import VesperTestSupport

/// On PostgreSQL a job that ends `done` leaves `jobs` for `finished_jobs`
/// (``PostgresFinishedJobs``); SQLite finishes it in place and has no `finished_jobs`. Either way
/// every read and operator action finds it: by id, in listings and their pages, in statistics and
/// throughput, for deletes and retention. Each test runs on both stores and asserts which table
/// holds the row (``doneTable(_:)``); `finished_jobs` itself is read on PostgreSQL only.
@Suite("Finished jobs conformance")
struct FinishedJobsConformanceTests {
    /// Claims `job` at `now` and finishes it with `outcome`; returns whether the finish applied.
    @discardableResult
    static func run(_ job: Job, _ outcome: Completion.Outcome, store: any VesperStore, at now: Date, result: String? = nil) async throws -> Bool {
        let claimed = try #require(
            try await store.claim(ClaimRequest(limit: 1, types: [job.type], workerID: "node-a", leaseUntil: now.addingTimeInterval(30), now: now)).first)
        #expect(claimed.id == job.id)
        let token = LeaseToken(id: claimed.id, attempt: claimed.attempt)
        let applied = try await store.finish(
            [Completion(token: token, outcome: outcome, result: result, startedAt: now.addingTimeInterval(-1))], now: now)
        return applied == [token]
    }

    /// The table a job finished `done` without an idempotency key is in: `finished_jobs` on
    /// PostgreSQL, which moves it; `jobs` on SQLite, which finishes it in place.
    static func doneTable(_ store: any VesperStore) -> String {
        store is PostgresJobStore ? PostgresFinishedJobs.table : "jobs"
    }

    @Test(arguments: StoreKind.allCases)
    func aDoneJobMovesAndReadsBackAsAnUpdateInPlaceWouldHaveLeftIt(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let finishedAt = testEpoch.addingTimeInterval(60)
            // The same job twice: with an idempotency key it stays in `jobs` (updated in place),
            // without one it moves. Both must read back the same.
            let moving = try await store.add(testJob("same", payload: #"{"n":1}"#))
            let staying = try await store.add(testJob("same", payload: #"{"n":1}"#, idempotencyKey: "stays"))
            #expect(try await Self.run(moving, .done, store: store, at: finishedAt, result: #"{"ok":true}"#))
            #expect(try await Self.run(staying, .done, store: store, at: finishedAt, result: #"{"ok":true}"#))
            #expect(try await Self.table(of: moving.id, store: store) == Self.doneTable(store))
            #expect(try await Self.table(of: staying.id, store: store) == "jobs")
            if store is PostgresJobStore { #expect(try await Self.rows(in: PostgresFinishedJobs.table, store: store) == 1) }

            let moved = try #require(try await store.job(id: moving.id))
            let kept = try #require(try await store.job(id: staying.id))
            #expect(moved.storedStatus == .done)
            #expect(moved.finishedAt == finishedAt)
            #expect(moved.result == #"{"ok":true}"#)
            #expect(moved.attempts?.count == 1)
            #expect(moved.sequence == moving.sequence, "the row keeps the seq jobs gave it")
            var comparable = kept
            comparable.id = moved.id
            comparable.sequence = moved.sequence
            comparable.idempotencyKey = nil
            #expect(moved == comparable)
            // A stale token matches nothing in either table.
            let stale = LeaseToken(id: moving.id, attempt: 1)
            #expect(try await store.finish([Completion(token: stale, outcome: .done)], now: finishedAt).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func otherOutcomesStayInJobsAndFinishAndClaimMovesToo(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let now = testEpoch.addingTimeInterval(10)
            let dead = try await store.add(testJob("dead"))
            let retried = try await store.add(testJob("retried"))
            #expect(try await Self.run(dead, .deadLetter(error: "boom"), store: store, at: now))
            #expect(try await Self.run(retried, .retry(error: "again", runAt: now), store: store, at: now))
            #expect(try await Self.table(of: dead.id, store: store) == "jobs")
            #expect(try await Self.table(of: retried.id, store: store) == "jobs")
            // The batched finish that also claims (one transaction) moves a done job as well.
            let first = try await store.add(testJob("pair"))
            let second = try await store.add(testJob("pair"))
            let claimed = try await store.claim(1, now: now, types: ["pair"])
            #expect(claimed.map(\.id) == [first.id])
            let token = LeaseToken(id: first.id, attempt: 1)
            let request = ClaimRequest(limit: 1, types: ["pair"], workerID: "w1", leaseUntil: now.addingTimeInterval(30), now: now)
            let (finished, next) = try await store.finishAndClaim([Completion(token: token, outcome: .done)], request)
            #expect(finished == [token])
            #expect(next.map(\.id) == [second.id])
            #expect(try await Self.table(of: first.id, store: store) == Self.doneTable(store))
            #expect(try await store.job(id: first.id)?.storedStatus == .done)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func listingsStatisticsAndThroughputSpanBothTables(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let now = testEpoch.addingTimeInterval(120)
            var done: [Job] = []
            for index in 0..<3 {
                let job = try await store.add(testJob("d\(index)"))
                #expect(try await Self.run(job, .done, store: store, at: now))
                done.append(job)
            }
            let keyed = try await store.add(testJob("keyed", idempotencyKey: "k"))
            #expect(try await Self.run(keyed, .done, store: store, at: now))
            let dead = try await store.add(testJob("dead"))
            #expect(try await Self.run(dead, .deadLetter(error: "x"), store: store, at: now))
            let pending = try await store.add(testJob("pending"))
            let all = [done[0], done[1], done[2], keyed, dead, pending].map(\.id).reversed() as [UUID]

            #expect(try await store.listJobs(JobQuery(now: now)).map(\.id) == all)
            let doneIDs = [done[0], done[1], done[2], keyed].map(\.id).reversed() as [UUID]
            #expect(try await store.listJobs(JobQuery(status: .done, now: now)).map(\.id) == doneIDs)
            #expect(try await store.listJobs(JobQuery(status: .dlq, now: now)).map(\.id) == [dead.id])
            #expect(try await store.listJobs(JobQuery(status: .done, type: "d1", now: now)).map(\.id) == [done[1].id])
            // Pages of two, following the cursor across both tables.
            var pages: [[UUID]] = []
            var cursor: Int64?
            while true {
                let page = try await store.listJobs(JobQuery(limit: 2, before: cursor, now: now))
                if page.isEmpty { break }
                pages.append(page.map(\.id))
                cursor = page.last?.sequence
            }
            #expect(pages.flatMap { $0 } == all)
            #expect(pages.map(\.count) == [2, 2, 2])

            let statistics = try #require(store as? any QueueStatisticsSource)
            let figures = try await statistics.statistics(now: now)
            #expect(figures.counts[.done] == 4)
            #expect(figures.counts[.dlq] == 1)
            #expect(figures.doneLastMinute == 4)
            let throughput = try #require(store as? any ThroughputHistorySource)
            let minutes = try await throughput.finishedPerMinute(since: testEpoch, now: now)
            #expect(minutes.map(\.done).reduce(0, +) == 4)
            #expect(minutes.map(\.failed).reduce(0, +) == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func anIdempotencyKeyKeepsDeduplicatingAfterItsJobIsDone(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let job = try await store.add(testJob("keyed", idempotencyKey: "order-42"))
            #expect(try await Self.run(job, .done, store: store, at: testEpoch.addingTimeInterval(5)))
            let again = try await store.enqueue([testJob("keyed", idempotencyKey: "order-42")], now: testEpoch.addingTimeInterval(10))
            guard case .existing(let existing)? = again.first else {
                Issue.record("expected the existing job, got \(String(describing: again.first))")
                return
            }
            #expect(existing.id == job.id)
            #expect(existing.storedStatus == .done)
            let lookup = try #require(store as? any IdempotencyKeyLookup)
            #expect(try await lookup.job(idempotencyKey: "order-42")?.id == job.id)
            #expect(try await Self.rows(in: "jobs", store: store) == 1)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func operatorActionsAndRetentionReachTheFinishedTable(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let old = testEpoch.addingTimeInterval(100)
            let administration = try #require(store as? any JobAdministration)
            var done: [Job] = []
            for index in 0..<5 {
                let job = try await store.add(testJob("d\(index)"))
                #expect(try await Self.run(job, .done, store: store, at: old))
                done.append(job)
            }
            #expect(try await Self.rows(in: Self.doneTable(store), store: store) == 5)

            // Actions that do not apply say the job is done, not that it is missing.
            await #expect(throws: VesperError.self) { try await store.cancel(id: done[0].id, now: old) }
            do {
                _ = try await store.retry(id: done[0].id, now: old)
                Issue.record("a done job was retried")
            } catch let error as VesperError {
                #expect(error.code == .invalidState)
                #expect(error.message.contains("is done"))
            }
            // Delete by id.
            #expect(try await administration.delete(id: done[0].id).id == done[0].id)
            #expect(try await store.job(id: done[0].id) == nil)
            // Bulk delete of one type.
            var filter = JobFilter(JobQuery(status: .done, type: "d1", now: old))
            filter.limit = 10
            let batch = try await administration.apply(.delete, toBatchOf: filter, now: old)
            #expect(batch.matched == 1)
            #expect(batch.acted == 1)
            #expect(try await store.job(id: done[1].id) == nil)
            #expect(try await Self.rows(in: Self.doneTable(store), store: store) == 3)
            // Retention, in batches.
            let pruning = try #require(store as? any JobPruning)
            let cutoff = old.addingTimeInterval(1)
            #expect(try await pruning.pruneFinishedJobs(statuses: [.done], finishedBefore: old, limit: 10) == 0)
            #expect(try await pruning.pruneFinishedJobs(statuses: [.done], finishedBefore: cutoff, limit: 2) == 2)
            #expect(try await pruning.pruneFinishedJobs(statuses: [.done], finishedBefore: cutoff, limit: 2) == 1)
            #expect(try await Self.rows(in: Self.doneTable(store), store: store) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func everyStoredColumnIsInBothTablesAndInTheMovedList(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // A column `jobs` gained without `finished_jobs` would fail the reads of both tables,
            // and without the list a finish copies, be lost when a done job moves.
            let live = try await Self.columns(of: "jobs", store: store)
            let archived = try await Self.columns(of: PostgresFinishedJobs.table, store: store)
            #expect(!live.isEmpty)
            guard store is PostgresJobStore else {
                #expect(archived.isEmpty, "SQLite finishes in place and has no finished_jobs table")
                return
            }
            #expect(live == archived)
            let listed = PostgresJobRow.storedNames
            #expect(listed.count == Set(listed).count, "no column listed twice")
            #expect(Set(listed) == live)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func everyOptionalColumnMovesWithTheJob(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let now = testEpoch.addingTimeInterval(30)
            let trace = JobTraceContext(fields: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
            var new = NewJob(
                type: "full", payloadJSON: #"{"n":7}"#, maxRetries: 2, timeoutSeconds: 60, traceContext: trace, region: "eu",
                regionStrict: true, partition: "tenant-a",
                unique: UniqueConstraint(key: "full:7", period: nil, states: [.pending, .scheduled, .processing, .done]))
            new.concurrency = JobConcurrency(key: "customer:7", limit: 2)
            let created = try await store.add(new)
            let request = ClaimRequest(
                limit: 1, types: ["full"], workerID: "node-eu", leaseUntil: now.addingTimeInterval(30), now: now, region: "eu")
            let claimed = try await store.claim(request)
            #expect(claimed.map(\.id) == [created.id])
            let before = try #require(try await store.job(id: created.id))
            let token = LeaseToken(id: created.id, attempt: 1)
            #expect(try await store.finish([Completion(token: token, outcome: .done, result: #"{"ok":1}"#, startedAt: now)], now: now) == [token])
            #expect(try await Self.table(of: created.id, store: store) == Self.doneTable(store))

            let moved = try #require(try await store.job(id: created.id))
            #expect(moved.storedStatus == .done)
            #expect(moved.region == "eu")
            #expect(moved.regionStrict)
            #expect(moved.partition == "tenant-a")
            #expect(moved.fairTag == before.fairTag)
            #expect(moved.fairTag > 0)
            #expect(moved.concurrency == JobConcurrency(key: "customer:7", limit: 2))
            #expect(moved.uniqueKey == "full:7")
            #expect(moved.traceContext == trace)
            #expect(moved.result == #"{"ok":1}"#)
            #expect(moved.sequence == created.sequence)
            // Columns no reader returns are copied too.
            #expect(try await Self.count(
                "SELECT count(*) FROM \(Self.doneTable(store)) WHERE claimed_at IS NOT NULL AND fingerprint <> ''", store: store) == 1)
            // Listings and the region's own listing still find it.
            #expect(try await store.listJobs(JobQuery(status: .done, now: now)).map(\.id) == [created.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aDoneHolderInTheArchiveKeepsItsKeyWhenDoneIsAmongTheStates(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let withDone: Set<JobStatus> = [.pending, .scheduled, .processing, .done]
            func unique(_ key: String, states: Set<JobStatus> = withDone) -> NewJob {
                UniqueJobConformanceTests.uniqueJob(key, period: nil, states: states, type: key)
            }
            // Moving the row out of `jobs` is not deleting the job: its lock stays, and it still holds.
            let first = try await store.add(unique("a"))
            #expect(try await Self.run(first, .done, store: store, at: testEpoch.addingTimeInterval(1)))
            #expect(try await Self.table(of: first.id, store: store) == Self.doneTable(store))
            #expect(try await UniqueJobConformanceTests.lockHolder("a", store) == first.id)
            let again = try await store.enqueue([unique("a")], now: testEpoch.addingTimeInterval(2))
            guard case .duplicate(let holder)? = again.first else {
                Issue.record("expected the done holder, got \(again)")
                return
            }
            #expect(holder.id == first.id)
            #expect(holder.storedStatus == .done)
            #expect(holder.uniqueKey == "a")
            #expect(try await Self.rows(in: "jobs", store: store) == (Self.doneTable(store) == "jobs" ? 1 : 0))

            // With the default states a done holder does not hold, as on a job updated in place.
            let second = try await store.add(unique("a", states: UniqueConstraint.defaultStates), now: testEpoch.addingTimeInterval(3))
            #expect(second.id != first.id)
            #expect(try await UniqueJobConformanceTests.lockHolder("a", store) == second.id)

            // Deleting a done holder from the archive frees its key, by id and by retention.
            let administration = try #require(store as? any JobAdministration)
            let deleted = try await store.add(unique("b"))
            #expect(try await Self.run(deleted, .done, store: store, at: testEpoch.addingTimeInterval(4)))
            #expect(try await UniqueJobConformanceTests.lockHolder("b", store) == deleted.id)
            _ = try await administration.delete(id: deleted.id)
            #expect(try await UniqueJobConformanceTests.lockHolder("b", store) == nil)
            let pruned = try await store.add(unique("c"))
            #expect(try await Self.run(pruned, .done, store: store, at: testEpoch.addingTimeInterval(5)))
            let pruning = try #require(store as? any JobPruning)
            #expect(try await pruning.pruneFinishedJobs(statuses: [.done], finishedBefore: testEpoch.addingTimeInterval(6), limit: 10) == 2)
            #expect(try await UniqueJobConformanceTests.lockHolder("c", store) == nil)
            #expect(try await UniqueJobConformanceTests.lockHolder("a", store) == second.id, "the pending holder keeps its key")
            let fresh = try await store.add(unique("c"), now: testEpoch.addingTimeInterval(7))
            #expect(fresh.id != pruned.id)
        }
    }

    /// The names of `table`'s columns, as the database's catalog lists them.
    static func columns(of table: String, store: any VesperStore) async throws -> Set<String> {
        switch store {
        case let store as SQLiteJobStore:
            return try await store.pool.read { db in
                Set(try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]))
            }
        case let store as PostgresJobStore:
            var names: Set<String> = []
            let rows = try await store.client.query(
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)")
            for try await name in rows.decode(String.self) { names.insert(name) }
            return names
        default:
            Issue.record("unknown store \(store.displayName)")
            return []
        }
    }

    /// The table that holds job `id`, as the database says; `nil` when none does. Only PostgreSQL
    /// has `finished_jobs`.
    static func table(of id: UUID, store: any VesperStore) async throws -> String? {
        let tables = store is PostgresJobStore ? ["jobs", PostgresFinishedJobs.table] : ["jobs"]
        for table in tables where try await count("SELECT count(*) FROM \(table) WHERE id = '\(id.uuidString.lowercased())'", store: store) == 1 {
            return table
        }
        return nil
    }

    static func rows(in table: String, store: any VesperStore) async throws -> Int {
        try await count("SELECT count(*) FROM \(table)", store: store)
    }

    static func count(_ sql: String, store: any VesperStore) async throws -> Int {
        try await UniqueJobConformanceTests.count(sql, store)
    }
}
