import CVesperSQLiteConfig
import Foundation
import GRDB
import Synchronization
import VesperCore

/// The embedded store: one SQLite file in WAL mode, shared safely by every process on the machine.
///
/// Writes are short IMMEDIATE transactions with a busy timeout, so several processes on one file
/// wait for each other instead of failing with "database is locked". `synchronous=FULL` makes a
/// committed enqueue survive a power cut.
public final class SQLiteJobStore: JobStore {
    public let path: String
    let pool: DatabasePool
    private let closed = Mutex(false)
    /// The file the pool opened. Deleting or replacing the file under a running node leaves the
    /// pool writing to an unlinked inode, so every operation checks the path still names it.
    private let fileIdentity: SQLiteFileIdentity?
    /// Whether fleet-wide limits may apply, as last read (see ``LimitPresence``).
    let limitPresence = Mutex(LimitPresence())
    /// The last count of finished jobs (see ``HistoryCounts``).
    let historyCache = Mutex(HistoryCounts.Cache())

    /// Opens (creating if needed) the database at `path`. Call ``migrate()`` before use.
    public init(path: String, busyTimeout: Duration = .seconds(10)) throws {
        _ = Self.memoryStatistics
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout.secondsDouble)
        configuration.maximumReaderCount = 4
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the writer after the pool is open: GRDB switches a WAL writer to NORMAL while
            // opening (after `prepareDatabase` has run), and NORMAL syncs only at checkpoints, so a
            // commit acknowledged just before a power cut could be lost.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            fileIdentity = SQLiteFileIdentity(path: path)
        } catch {
            throw VesperError(.unavailable, "cannot open SQLite database at \(path): \(Self.describe(error))")
        }
    }

    /// SQLite's memory statistics, turned off once per process before the first connection opens:
    /// the SQLite result code (`SQLITE_OK`, 0), or `SQLITE_MISUSE` when something in the process
    /// had already initialised SQLite and they stay on.
    ///
    /// The statistics (`sqlite3_memory_used` and the heap limits, which Vesper does not use) take a
    /// process-wide mutex on every SQLite allocation and free, many per inserted or claimed row:
    /// about 7% of a bulk enqueue's samples were `pthread_mutex_lock` and `unlock`. GRDB already
    /// opens each connection without its own mutex (multi-thread mode), since it hands a
    /// connection to one thread at a time.
    static let memoryStatistics: Int32 = vesper_sqlite_disable_memory_statistics()

    public var displayName: String { "sqlite \(path)" }

    public func migrate() async throws {
        try await run { try SQLiteSchema.migrator.migrate(self.pool) }
    }

    public func pendingMigrations() async throws -> [String] {
        try await run {
            try await self.pool.read { db in
                let applied = try SQLiteSchema.migrator.appliedIdentifiers(db)
                return SQLiteSchema.migrator.migrations.filter { !applied.contains($0) }
            }
        }
    }

    public func ping() async throws {
        try await run { _ = try await self.pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") } }
    }

    public func close() async throws {
        closed.withLock { $0 = true }
        try pool.close()
    }

    // MARK: Reading

    public func job(id: UUID) async throws -> Job? {
        try await run {
            try await self.pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT \(SQLiteRow.detailColumns) FROM jobs WHERE id = ?", arguments: [id.lowercaseText]
                ).map { try SQLiteRow.job($0, detail: true) }
            }
        }
    }

    public func listJobs(_ query: JobQuery) async throws -> [Job] {
        let (sql, arguments) = SQLiteLifecycleSQL.list(JobFilter(query))
        return try await run {
            try await self.pool.read { db in
                try SQLiteRow.jobs(db.makeStatement(sql: sql), arguments: arguments)
            }
        }
    }

    // MARK: Operator actions

    public func retry(id: UUID, now: Date) async throws -> Job {
        try await transition(
            id: id,
            sql: """
                UPDATE jobs SET \(SQLiteLifecycleSQL.recordImplicitLastAttempt),
                    status = 'pending', retries = 0, run_at = ?, updated_at = ?, finished_at = NULL, started_at = NULL, worker_id = NULL
                WHERE id = ? AND status IN ('dlq', 'failed')
                RETURNING \(SQLiteRow.columns)
                """,
            now: now, allowed: "only dlq or failed jobs can be retried")
    }

    public func cancel(id: UUID, now: Date) async throws -> Job {
        // A pending job is cancelled at once; a processing one gets the request, which its node's
        // next lease renewal carries out (``CancelRequest``).
        try await transition(
            id: id,
            sql: """
                UPDATE jobs SET
                    status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END,
                    finished_at = CASE status WHEN 'pending' THEN ?1 ELSE finished_at END,
                    cancel_requested = CASE status WHEN 'processing' THEN 1 ELSE cancel_requested END,
                    updated_at = ?2
                WHERE id = ?3 AND status IN ('pending', 'processing')
                RETURNING \(SQLiteRow.columns)
                """,
            now: now, allowed: "only pending, scheduled or processing jobs can be cancelled")
    }

    /// Runs a guarded single-row transition, telling "no such job" from "wrong state".
    private func transition(id: UUID, sql: String, now: Date, allowed: String) async throws -> Job {
        let now = SQLiteRow.micros(now)
        let result = try await run {
            try await self.pool.write { db -> Result<Job, VesperError> in
                if let row = try Row.fetchOne(db, sql: sql, arguments: [now, now, id.lowercaseText]) {
                    return .success(try SQLiteRow.job(row))
                }
                guard let status = try String.fetchOne(db, sql: "SELECT status FROM jobs WHERE id = ?", arguments: [id.lowercaseText])
                else {
                    return .failure(.notFound(id.lowercaseText))
                }
                return .failure(VesperError(.invalidState, "job \(id.lowercaseText) is \(status); \(allowed)"))
            }
        }
        return try result.get()
    }

    // MARK: Errors

    /// Runs a database operation, turning driver failures into ``VesperError/Code/unavailable``.
    func run<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        if closed.withLock({ $0 }) { throw VesperError(.unavailable, "SQLite database \(path) is closed") }
        do {
            let result = try await operation()
            // Checked after the operation: a write to a file that is gone must not be acknowledged.
            if let fileIdentity, SQLiteFileIdentity(path: path) != fileIdentity {
                throw VesperError(
                    .unavailable,
                    "SQLite database file \(path) was deleted or replaced while this node was running; restore it and restart the node")
            }
            return result
        } catch let error as VesperError {
            throw error
        } catch {
            throw VesperError(.unavailable, "SQLite error: \(Self.describe(error))")
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}
