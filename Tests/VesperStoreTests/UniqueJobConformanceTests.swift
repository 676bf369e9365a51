import Foundation
import GRDB
import PostgresNIO
import Testing
import VesperCore
import VesperPostgres
@testable import VesperSQLite
import VesperTestSupport

/// Unique jobs on both stores: a held key answers with the holder and stores nothing; a finished,
/// too old or deleted holder frees the key. Assertions read the database.
@Suite("Unique job conformance")
struct UniqueJobConformanceTests {
    static func uniqueJob(
        _ key: String? = "sync:42", period: Duration? = .seconds(600), states: Set<JobStatus> = UniqueConstraint.defaultStates,
        type: String = "sync", payload: String = "{}", runAt: Date? = nil
    ) -> NewJob {
        var job = testJob(type, payload: payload, runAt: runAt)
        job.unique = UniqueOptions(key: key, period: period, states: states).constraint(type: type, payloadJSON: payload)
        return job
    }

    @Test(arguments: StoreKind.allCases)
    func aHeldKeyAnswersWithTheHolderAndStoresNothing(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.add(Self.uniqueJob())
            #expect(first.uniqueKey == "sync:42")
            let again = try await store.enqueue([Self.uniqueJob()], now: testEpoch.addingTimeInterval(1))
            #expect(again.first?.job.id == first.id)
            guard case .duplicate(let holder)? = again.first else {
                Issue.record("expected a duplicate, got \(again)")
                return
            }
            #expect(holder.uniqueKey == "sync:42")
            #expect(try await Self.count("SELECT count(*) FROM jobs", store) == 1)
            #expect(try await store.job(id: first.id)?.uniqueKey == "sync:42")
            // A processing holder still holds the key (the default states).
            #expect(try await store.claim(1).map(\.id) == [first.id])
            let whileRunning = try await store.enqueue([Self.uniqueJob()], now: testEpoch.addingTimeInterval(2))
            #expect(whileRunning == [.duplicate(try #require(await Self.holderAsEnqueueSees(first.id, store)))])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aFinishedHolderFreesTheKey(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.add(Self.uniqueJob())
            let claimed = try await store.claim(1)
            #expect(claimed.map(\.id) == [first.id])
            let applied = try await store.finish([Completion(token: LeaseToken(id: first.id, attempt: 1), outcome: .done)], now: testEpoch)
            #expect(applied.count == 1)
            let second = try await store.add(Self.uniqueJob(), now: testEpoch.addingTimeInterval(1))
            #expect(second.id != first.id)
            #expect(try await Self.lockHolder("sync:42", store) == second.id)
            // With `done` among the states, the finished job would have held it.
            let third = try await store.enqueue([Self.uniqueJob(states: [.done, .pending])], now: testEpoch.addingTimeInterval(2))
            #expect(third.first?.job.id == second.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aHolderOlderThanThePeriodFreesTheKey(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.add(Self.uniqueJob(period: .seconds(60)))
            let inside = try await store.enqueue([Self.uniqueJob(period: .seconds(60))], now: testEpoch.addingTimeInterval(59))
            #expect(inside.first?.job.id == first.id)
            let after = try await store.add(Self.uniqueJob(period: .seconds(60)), now: testEpoch.addingTimeInterval(60))
            #expect(after.id != first.id)
            #expect(try await Self.count("SELECT count(*) FROM jobs", store) == 2)
            // Without a period, a pending holder holds the key however old it is.
            let unbounded = try await store.enqueue([Self.uniqueJob(period: nil)], now: testEpoch.addingTimeInterval(86_400))
            #expect(unbounded.first?.job.id == after.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyTheGivenStatesHold(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // A scheduled holder does not hold for a constraint that names only `pending`.
            let scheduled = try await store.add(Self.uniqueJob(runAt: testEpoch.addingTimeInterval(300)))
            let pendingOnly = try await store.add(Self.uniqueJob(states: [.pending]), now: testEpoch.addingTimeInterval(1))
            #expect(pendingOnly.id != scheduled.id)
            // The new job (pending) now holds the key for `pending`, and a `processing`-only one ignores it.
            let again = try await store.enqueue([Self.uniqueJob(states: [.pending])], now: testEpoch.addingTimeInterval(2))
            #expect(again.first?.job.id == pendingOnly.id)
            let processingOnly = try await store.add(Self.uniqueJob(states: [.processing]), now: testEpoch.addingTimeInterval(3))
            #expect(try await Self.lockHolder("sync:42", store) == processingOnly.id)
            #expect(try await Self.count("SELECT count(*) FROM jobs", store) == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func theDefaultKeyIsTypeAndCanonicalPayload(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let first = try await store.add(Self.uniqueJob(nil, payload: #"{"a":1,"b":[true,null]}"#))
            #expect(first.uniqueKey?.hasPrefix("sync:") == true)
            let reordered = try await store.enqueue([Self.uniqueJob(nil, payload: #"{ "b" : [true, null], "a": 1 }"#)], now: testEpoch)
            #expect(reordered.first?.job.id == first.id)
            let otherType = try await store.add(Self.uniqueJob(nil, type: "mail", payload: #"{"a":1,"b":[true,null]}"#))
            let otherPayload = try await store.add(Self.uniqueJob(nil, payload: #"{"a":2,"b":[true,null]}"#))
            #expect(Set([first.id, otherType.id, otherPayload.id]).count == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deletingTheHolderDeletesItsLock(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let administration = try #require(store as? any JobAdministration)
            let first = try await store.add(Self.uniqueJob(period: nil))
            _ = try await administration.delete(id: first.id)
            #expect(try await Self.count("SELECT count(*) FROM unique_locks", store) == 0)
            let second = try await store.add(Self.uniqueJob(period: nil))
            #expect(try await Self.lockHolder("sync:42", store) == second.id)
            // Retention prunes finished jobs the same way.
            _ = try await store.claim(1)
            try await store.finish([Completion(token: LeaseToken(id: second.id, attempt: 1), outcome: .done)], now: testEpoch)
            let pruning = try #require(store as? any JobPruning)
            #expect(try await pruning.pruneFinishedJobs(statuses: [.done], finishedBefore: testEpoch.addingTimeInterval(1), limit: 10) == 1)
            #expect(try await Self.count("SELECT count(*) FROM unique_locks", store) == 0)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aLockWhoseJobIsGoneIsFree(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            // A row left pointing at no job (written by hand: the stores never leave one) blocks nothing.
            let stale = kind == .sqlite ? "'00000000-0000-0000-0000-000000000001'" : "'00000000-0000-0000-0000-000000000001'::uuid"
            try await executeSQL("INSERT INTO unique_locks (key, job_id) VALUES ('sync:42', \(stale))", on: store)
            let job = try await store.add(Self.uniqueJob(period: nil))
            #expect(try await Self.lockHolder("sync:42", store) == job.id)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchRepeatingAKeyCreatesOneJob(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let plain = testJob(payload: #"{"plain":true}"#)
            let outcomes = try await store.enqueue([Self.uniqueJob(), plain, Self.uniqueJob()], now: testEpoch)
            guard case .created(let created) = outcomes[0], case .created = outcomes[1] else {
                Issue.record("expected two created jobs, got \(outcomes)")
                return
            }
            #expect(outcomes[2] == .duplicate(created))
            let atomic = try #require(store as? any AtomicBatchEnqueue)
            let again = try await atomic.enqueueAll([Self.uniqueJob(), testJob()], now: testEpoch)
            #expect(again[0].job.id == created.id)
            #expect(try await Self.count("SELECT count(*) FROM jobs", store) == 3)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentEnqueuesOfOneKeyCreateOneJob(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let outcomes = try await withThrowingTaskGroup(of: EnqueueOutcome.self) { group in
                // As many as the test store's pool has connections (8), so that no submission spends
                // the operation timeout queued for a connection on a busy machine; 50 submissions
                // to three nodes run end to end in `UniqueJobsEndToEndTests`.
                for _ in 0..<8 { group.addTask { try await store.enqueue([Self.uniqueJob()], now: testEpoch)[0] } }
                return try await group.reduce(into: [EnqueueOutcome]()) { $0.append($1) }
            }
            let created = outcomes.compactMap { outcome -> Job? in
                if case .created(let job) = outcome { return job }
                return nil
            }
            #expect(created.count == 1)
            #expect(Set(outcomes.map(\.job.id)).count == 1)
            #expect(try await Self.count("SELECT count(*) FROM jobs", store) == 1)
        }
    }

    // MARK: Reading the database

    /// The holder as an enqueue reports it: the stored columns and the unique key, no detail.
    static func holderAsEnqueueSees(_ id: UUID, _ store: any VesperStore) async throws -> Job? {
        guard var job = try await store.job(id: id) else { return nil }
        job.result = nil
        job.attempts = nil
        return job
    }

    static func lockHolder(_ key: String, _ store: any VesperStore) async throws -> UUID? {
        switch store {
        case let store as SQLiteJobStore:
            return try await store.pool.read { db in
                try String.fetchOne(db, sql: "SELECT job_id FROM unique_locks WHERE key = ?", arguments: [key]).flatMap(UUID.init(uuidString:))
            }
        case let store as PostgresJobStore:
            for try await id in try await store.client.query("SELECT job_id FROM unique_locks WHERE key = \(key)").decode(UUID.self) {
                return id
            }
            return nil
        default:
            Issue.record("unknown store \(store.displayName)")
            return nil
        }
    }

    static func count(_ sql: String, _ store: any VesperStore) async throws -> Int {
        switch store {
        case let store as SQLiteJobStore:
            return try await store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
        case let store as PostgresJobStore:
            for try await count in try await store.client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { return count }
            return -1
        default:
            Issue.record("unknown store \(store.displayName)")
            return -1
        }
    }

}
