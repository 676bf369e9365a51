import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import VesperCore

/// The fleet store: jobs in PostgreSQL, shared by every node that can reach the server.
///
/// Built on postgres-nio's pooled `PostgresClient`, whose background work must be driven: run the
/// store as a `Service` in the node's `ServiceGroup`, or wrap standalone use in
/// ``withRunning(_:)``. Claims use `FOR UPDATE SKIP LOCKED`, so any number of nodes can claim
/// concurrently without sharing a job or blocking one another.
public final class PostgresJobStore: JobStore, Service {
    /// The connection pool every store operation leases from: the pool to the current primary.
    ///
    /// With several hosts in the settings it is replaced when the primary moves (see
    /// ``PostgresJobStore/followPrimary()``); read it anew for every operation. The store's own
    /// operations wait for a primary; code using this pool directly should call ``ping()`` or
    /// ``migrate()`` first, which do.
    public var client: PostgresClient { active.withLock { $0.client } }
    /// The pool in use, the server it connects to, and whether that server is known to accept writes.
    let active: Mutex<ActivePool>
    let settings: PostgresSettings
    let logger: Logger
    /// Finished by ``close()``; ends ``run()``.
    private let closeSignal: AsyncStream<Void>
    private let closeContinuation: AsyncStream<Void>.Continuation
    private let backgroundRun = Mutex<Task<Void, Never>?>(nil)
    /// Whether fleet-wide limits may apply, as last read (see ``LimitPresence``).
    let limitPresence = Mutex(LimitPresence())
    /// The last count of finished jobs (see ``HistoryCounts``).
    let historyCache = Mutex(HistoryCounts.Cache())

    /// The channel enqueue notifies and ``listenForNewJobs(onWake:)`` listens on.
    static let channel = "vesper_jobs"

    /// Creates a store for the server in `settings`. Nothing connects until ``run()`` is active and a
    /// query is made; call ``migrate()`` before other use.
    ///
    /// - Throws: ``VesperError`` when the TLS settings cannot be built.
    public init(settings: PostgresSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let configuration: PostgresClient.Configuration
        do {
            configuration = try settings.clientConfiguration()
        } catch {
            throw VesperError(.unavailable, "cannot configure PostgreSQL TLS: \(PostgresErrorText.describe(error))")
        }
        let endpoints = settings.endpoints
        // One host: the pool is used as configured, as libpq's default `target_session_attrs=any`.
        // Several: nothing is used until a probe found the one that accepts writes.
        active = Mutex(
            ActivePool(
                endpoint: endpoints[0], client: PostgresClient(configuration: configuration, backgroundLogger: logger),
                writable: endpoints.count == 1))
        (closeSignal, closeContinuation) = AsyncStream.makeStream(of: Void.self)
    }

    /// `settings.description`, which never shows the password.
    public var displayName: String { settings.description }

    /// Drives the connection pool until graceful shutdown, cancellation or ``close()``.
    ///
    /// Call it once, from a `ServiceGroup` or from ``withRunning(_:)``.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            if settings.endpoints.count > 1 {
                group.addTask { await self.followPrimary() }
            } else {
                group.addTask { await self.client.run() }
            }
            group.addTask {
                for await _ in self.closeSignal {}
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Drives the pool from a task of its own until ``close()``, for an owner that must use the
    /// store before any `ServiceGroup` runs: the `Vesper` facade, whose `enqueue` works from the
    /// moment it is created (a worker app may enqueue before calling `run()`). ``close()`` ends it.
    /// Use this or ``run()``, not both.
    public func startInBackground() {
        backgroundRun.withLock { task in
            if task == nil { task = Task { await self.run() } }
        }
    }

    /// Runs the store's pool for the duration of `body`, then closes the store: standalone use in
    /// tools and tests, where no `ServiceGroup` is around. Like ``run()``, use it once per store.
    public func withRunning<T>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.run() }
            do {
                let result = try await body()
                try await close()
                try await group.waitForAll()
                return result
            } catch {
                try? await close()
                group.cancelAll()
                throw error
            }
        }
    }

    public func migrate() async throws {
        // Nodes starting together wait for each other's migrations under the advisory lock.
        try await perform(timeout: .seconds(600)) { try await PostgresSchema.migrate(client: self.client, logger: self.logger) }
    }

    public func pendingMigrations() async throws -> [String] {
        try await perform {
            var applied = Set<Int>()
            let exists = try await self.client.query("SELECT to_regclass('vesper_migrations') IS NOT NULL", logger: self.logger)
            var hasTable = false
            for try await value in exists.decode(Bool.self) { hasTable = value }
            if hasTable {
                let rows = try await self.client.query("SELECT version FROM vesper_migrations", logger: self.logger)
                for try await version in rows.decode(Int.self) { applied.insert(version) }
            }
            return PostgresSchema.migrations.filter { !applied.contains($0.version) }.map { "\($0.version)-\($0.name)" }
        }
    }

    public func ping() async throws {
        try await perform(timeout: min(.seconds(2), settings.operationTimeout)) {
            try await self.client.query("SELECT 1", logger: self.logger).drain()
        }
    }

    /// Ends ``run()``, which closes the pool's connections. Queries after this fail.
    public func close() async throws {
        closeContinuation.finish()
        if let task = backgroundRun.withLock({ $0 }) { await task.value }
    }

    // MARK: Reading

    public func job(id: UUID) async throws -> Job? {
        try await perform {
            let rows = try await self.client.query(
                // One snapshot over both tables: a job being moved by its finish is seen exactly once.
                "SELECT \(unescaped: PostgresJobRow.detailColumns()) FROM \(unescaped: PostgresLifecycleSQL.bothTables) WHERE id = \(id)",
                logger: self.logger)
            for try await row in rows { return try PostgresJobRow.job(row, detail: true) }
            return nil
        }
    }

    public func listJobs(_ query: JobQuery) async throws -> [Job] {
        let statement = PostgresLifecycleSQL.list(JobFilter(query))
        return try await perform {
            try await PostgresJobRow.jobs(try await self.client.query(statement, logger: self.logger))
        }
    }

    // MARK: Operator actions

    public func retry(id: UUID, now: Date) async throws -> Job {
        try await transition(
            id: id,
            update: """
                UPDATE jobs SET \(unescaped: PostgresLifecycleSQL.recordImplicitLastAttempt),
                    status = 'pending', retries = 0, run_at = \(now), updated_at = \(now), finished_at = NULL, started_at = NULL,
                    worker_id = NULL
                WHERE id = \(id) AND status IN ('dlq', 'failed')
                RETURNING \(unescaped: PostgresJobRow.columns())
                """,
            allowed: "only dlq or failed jobs can be retried")
    }

    public func cancel(id: UUID, now: Date) async throws -> Job {
        // A pending job is cancelled at once; a processing one gets the request, which its node's
        // next lease renewal carries out (``CancelRequest``).
        try await transition(
            id: id,
            update: """
                UPDATE jobs SET
                    status = CASE status WHEN 'pending' THEN 'cancelled' ELSE status END,
                    finished_at = CASE status WHEN 'pending' THEN \(now) ELSE finished_at END,
                    cancel_requested = cancel_requested OR status = 'processing',
                    updated_at = \(now)
                WHERE id = \(id) AND status IN ('pending', 'processing')
                RETURNING \(unescaped: PostgresJobRow.columns())
                """,
            allowed: "only pending, scheduled or processing jobs can be cancelled")
    }

    /// Runs a guarded single-row transition, telling "no such job" from "wrong state".
    private func transition(id: UUID, update: PostgresQuery, allowed: String) async throws -> Job {
        let result = try await perform {
            try await self.client.withTransaction(logger: self.logger) { connection -> Result<Job, VesperError> in
                if let job = try await PostgresJobRow.jobs(try await connection.query(update, logger: self.logger)).first {
                    return .success(job)
                }
                let rows = try await connection.query(
                    "SELECT status FROM \(unescaped: PostgresLifecycleSQL.bothTables) WHERE id = \(id)", logger: self.logger)
                for try await status in rows.decode(String.self) {
                    return .failure(VesperError(.invalidState, "job \(id.lowercaseText) is \(status); \(allowed)"))
                }
                return .failure(.notFound(id.lowercaseText))
            }
        }
        return try result.get()
    }

    // MARK: Errors

    /// Runs a database operation, turning driver failures into ``VesperError/Code/unavailable``.
    ///
    /// The operation fails after `timeout` (`DB_TIMEOUT`, 10s by default): without a bound, a
    /// request made while the server is away would wait for postgres-nio's circuit breaker (a
    /// minute) instead of answering 503.
    func perform<T: Sendable>(timeout: Duration? = nil, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            return try await Deadline.run(timeout ?? settings.operationTimeout) {
                try await self.waitForPrimary()
                return try await operation()
            }
        } catch let error as Deadline.Exceeded {
            if !active.withLock({ $0.writable }) {
                throw VesperError(.unavailable, "no PostgreSQL host accepts writes (waiting for a primary among \(settings.endpoints))")
            }
            throw VesperError(.unavailable, "PostgreSQL did not answer within \(error.limit)")
        } catch let error as VesperError {
            throw error
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError as? VesperError { throw inner }
            throw PostgresErrorText.unavailable(error)
        } catch {
            throw PostgresErrorText.unavailable(error)
        }
    }
}

extension PostgresRowSequence {
    /// Reads a result to its end, so the connection goes back to the pool at once.
    func drain() async throws {
        for try await _ in self {}
    }
}
