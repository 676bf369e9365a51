import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: QueueControl {
    public func setQueuePaused(_ queue: String, paused: Bool, now: Date) async throws {
        try await run {
            try await self.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO queues (name, paused, updated_at) VALUES (?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at
                        """, arguments: [queue, paused ? 1 : 0, SQLiteRow.micros(now)])
            }
        }
    }

    public func queueOverview(now: Date) async throws -> [QueueOverview] {
        let nowMicros = SQLiteRow.micros(now)
        return try await run {
            try await self.pool.read { db in
                var overview: [String: QueueOverview] = [:]
                // Live rows only, each through its partial index; finished jobs are not depth.
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT queue, SUM(due), SUM(scheduled), SUM(processing) FROM (
                            SELECT queue, run_at <= ? AS due, run_at > ? AS scheduled, 0 AS processing
                            FROM jobs INDEXED BY jobs_claimable WHERE status = 'pending'
                            UNION ALL
                            SELECT queue, 0, 0, 1 FROM jobs INDEXED BY jobs_leased WHERE status = 'processing')
                        GROUP BY queue
                        """, arguments: [nowMicros, nowMicros])
                for row in rows {
                    let name: String = row[0]
                    overview[name] = QueueOverview(name: name, pending: row[1], scheduled: row[2], processing: row[3])
                }
                for row in try Row.fetchAll(db, sql: "SELECT name, paused, concurrency, rate_limit, rate_period_ms FROM queues") {
                    let name: String = row[0]
                    overview[name, default: QueueOverview(name: name)].paused = (row[1] as Int) != 0
                    overview[name]!.limits = Self.limits(concurrency: row[2], rateLimit: row[3], periodMilliseconds: row[4])
                }
                try Self.addLimitUse(to: &overview, db: db, now: nowMicros)
                return overview.values.sorted { $0.name < $1.name }
            }
        }
    }
}

extension SQLiteJobStore: QueueLimitControl {
    public func setQueueLimits(_ queue: String, limits: QueueLimits, now: Date) async throws {
        let arguments = Self.limitArguments(queue, limits, now: now)
        try await run {
            try await self.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO queues (name, paused, updated_at, concurrency, rate_limit, rate_period_ms) VALUES (?, 0, ?, ?, ?, ?)
                        ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, rate_limit = excluded.rate_limit,
                            rate_period_ms = excluded.rate_period_ms, updated_at = excluded.updated_at
                        """, arguments: arguments)
            }
        }
        if !limits.isEmpty { limitsMayApply() }
    }

    private static func limitArguments(_ queue: String, _ limits: QueueLimits, now: Date) -> StatementArguments {
        let updatedAt: Int64 = SQLiteRow.micros(now)
        let concurrency: Int? = limits.concurrency
        let rateLimit: Int? = limits.rate?.limit
        let period: Int64? = limits.rate?.periodMilliseconds
        var arguments: StatementArguments = [queue]
        arguments += [updatedAt]
        arguments += [concurrency]
        arguments += [rateLimit]
        arguments += [period]
        return arguments
    }

    /// A queue row's limit columns as ``QueueLimits``.
    static func limits(concurrency: Int?, rateLimit: Int?, periodMilliseconds: Int64?) -> QueueLimits {
        var rate: RateLimit?
        if let rateLimit, let periodMilliseconds { rate = RateLimit(limit: rateLimit, period: .milliseconds(periodMilliseconds)) }
        return QueueLimits(concurrency: concurrency, rate: rate)
    }

    /// Fills in the starts of each rate window and the due jobs a limit holds back.
    static func addLimitUse(to overview: inout [String: QueueOverview], db: Database, now: Int64) throws {
        guard try SQLiteLimitedClaim.inPlay(db) else { return }
        let starts = try Row.fetchAll(
            db,
            sql: """
                SELECT q.name, SUM(s.started) FROM queues AS q JOIN queue_starts AS s
                    ON s.queue = q.name AND s.started_at > ? - q.rate_period_ms * 1000
                WHERE q.rate_limit IS NOT NULL GROUP BY q.name
                """, arguments: [now])
        for row in starts {
            let name: String = row[0]
            overview[name, default: QueueOverview(name: name)].startsInWindow = row[1]
        }
        for (name, count) in try heldBack(db: db, now: now) {
            overview[name, default: QueueOverview(name: name)].limited = count
        }
    }

    /// Due jobs a limit holds back, by queue: every due job of a queue without room, and due
    /// keyed jobs whose key is at its limit. Empty when no limit is in play.
    static func heldBack(db: Database, now: Int64) throws -> [String: Int] {
        guard try SQLiteLimitedClaim.inPlay(db) else { return [:] }
        let rows = try Row.fetchAll(
            db,
            sql: """
                WITH \(SQLiteLimitedClaim.roomCTE)
                SELECT queue, COUNT(*) FROM jobs INDEXED BY jobs_claimable
                WHERE status = 'pending' AND run_at <= ? AND (queue IN (SELECT name FROM room WHERE room <= 0)
                    OR (concurrency_key IS NOT NULL AND concurrency_limit <= \(SQLiteLimitedClaim.keyUse("jobs.concurrency_key"))))
                GROUP BY queue
                """, arguments: [now, now])
        var held: [String: Int] = [:]
        for row in rows {
            let name: String = row[0]
            held[name] = row[1]
        }
        return held
    }
}
