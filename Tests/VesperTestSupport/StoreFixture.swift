import Foundation
import Testing
import PostgresNIO
import VesperCore
@testable import VesperPostgres
@testable import VesperSQLite

/// The stores every conformance test runs against.
public enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }
}

/// Runs `body` with a freshly migrated, empty store of `kind`, and closes it afterwards.
public func withStore<T>(_ kind: StoreKind, _ body: (any VesperStore) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        return try await withTemporaryDirectory { directory in
            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            try await store.migrate()
            return try await closing(store, body)
        }
    case .postgres:
        return try await withPostgresStore { store in try await body(store) }
    }
}

/// Runs `body` with a migrated ``PostgresJobStore`` on a fresh database of the shared test server;
/// the store is running for the duration of `body`, closed afterwards, and the database dropped.
public func withPostgresStore<T>(_ body: (PostgresJobStore) async throws -> T) async throws -> T {
    try await PostgresTestServer.shared().withDatabase { settings in
        let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
        return try await store.withRunning {
            try await store.migrate()
            return try await body(store)
        }
    }
}

/// A `NewJob` with test defaults.
public func testJob(
    _ type: String = "test", priority: Int = 0, payload: String = "{}", maxRetries: Int = 3, runAt: Date? = nil,
    idempotencyKey: String? = nil, queue: String = "default"
) -> NewJob {
    NewJob(
        type: type, queue: queue, priority: priority, payloadJSON: payload, maxRetries: maxRetries, runAt: runAt,
        timeoutSeconds: 300, idempotencyKey: idempotencyKey)
}

/// A fixed instant for tests that control time.
public let testEpoch = Date(timeIntervalSince1970: 1_800_000_000)

extension JobStore {
    /// Claims up to `limit` jobs for `worker` at `now` with a 30s lease.
    public func claim(_ limit: Int, worker: String = "w1", now: Date = testEpoch, types: [String]? = nil) async throws -> [Job] {
        try await claim(ClaimRequest(limit: limit, types: types, workerID: worker, leaseUntil: now.addingTimeInterval(30), now: now))
    }

    /// Enqueues one job and returns it, failing if it was not created.
    @discardableResult
    public func add(_ job: NewJob, now: Date = testEpoch) async throws -> Job {
        guard case .created(let created) = try await enqueue([job], now: now).first else {
            throw TimedOut(description: "job was not created")
        }
        return created
    }
}

/// Runs raw SQL on `store`'s database, behind the store's back: for tests that plant a row the
/// store itself would never write (a corrupt value, a stale lock).
public func executeSQL(_ sql: String, on store: any VesperStore) async throws {
    switch store {
    case let store as SQLiteJobStore:
        try await store.pool.write { db in try db.execute(sql: sql) }
    case let store as PostgresJobStore:
        for try await _ in try await store.client.query(PostgresQuery(unsafeSQL: sql)) {}
    default:
        Issue.record("unknown store \(store.displayName)")
    }
}

/// Runs `body` with a second store on `store`'s database: another node, with caches of its own.
public func withSecondNode<T>(of store: any VesperStore, _ body: (any VesperStore) async throws -> T) async throws -> T {
    switch store {
    case let store as SQLiteJobStore:
        return try await closing(try SQLiteJobStore(path: store.path), body)
    case let store as PostgresJobStore:
        let other = try PostgresJobStore(settings: store.settings, logger: PostgresTestServer.logger)
        return try await other.withRunning { try await body(other) }
    default:
        throw TimedOut(description: "unknown store \(store.displayName)")
    }
}

/// Runs `body` with `store` and closes the store afterwards, whether `body` threw or not.
private func closing<T>(_ store: SQLiteJobStore, _ body: (any VesperStore) async throws -> T) async throws -> T {
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}
