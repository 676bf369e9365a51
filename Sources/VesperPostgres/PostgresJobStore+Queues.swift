import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: QueueControl {
    public func setQueuePaused(_ queue: String, paused: Bool, now: Date) async throws {
        try await perform {
            try await self.client.query(
                """
                INSERT INTO queues (name, paused, updated_at) VALUES (\(queue), \(paused), \(now))
                ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused, updated_at = EXCLUDED.updated_at
                """, logger: self.logger
            ).drain()
        }
    }

    public func queueOverview(now: Date) async throws -> [QueueOverview] {
        try await perform {
            var overview: [String: QueueOverview] = [:]
            // Live rows only, each state through its partial index; finished jobs are not depth.
            let rows = try await self.client.query(
                """
                SELECT queue, COUNT(*) FILTER (WHERE due)::BIGINT, COUNT(*) FILTER (WHERE scheduled)::BIGINT,
                    COUNT(*) FILTER (WHERE processing)::BIGINT
                FROM (
                    SELECT queue, run_at <= \(now) AS due, run_at > \(now) AS scheduled, false AS processing
                    FROM jobs WHERE status = 'pending'
                    UNION ALL
                    SELECT queue, false, false, true FROM jobs WHERE status = 'processing') AS live
                GROUP BY queue
                """, logger: self.logger)
            for try await (name, pending, scheduled, processing) in rows.decode((String, Int, Int, Int).self) {
                overview[name] = QueueOverview(name: name, pending: pending, scheduled: scheduled, processing: processing)
            }
            let queues = try await self.client.query("SELECT name, paused, concurrency, rate_limit, rate_period_ms FROM queues", logger: self.logger)
            for try await (name, paused, concurrency, rateLimit, period) in queues.decode((String, Bool, Int?, Int?, Int64?).self) {
                overview[name, default: QueueOverview(name: name)].paused = paused
                let rate = rateLimit.flatMap { limit in period.map { RateLimit(limit: limit, period: .milliseconds($0)) } }
                overview[name]!.limits = QueueLimits(concurrency: concurrency, rate: rate)
            }
            if try await self.limitsInPlay() { try await self.addLimitUse(to: &overview, now: now) }
            return overview.values.sorted { $0.name < $1.name }
        }
    }
}

extension PostgresJobStore: QueueLimitControl {
    public func setQueueLimits(_ queue: String, limits: QueueLimits, now: Date) async throws {
        try await perform {
            try await self.client.query(
                """
                INSERT INTO queues (name, paused, updated_at, concurrency, rate_limit, rate_period_ms)
                VALUES (\(queue), false, \(now), \(limits.concurrency), \(limits.rate?.limit), \(limits.rate?.periodMilliseconds))
                ON CONFLICT (name) DO UPDATE SET concurrency = EXCLUDED.concurrency, rate_limit = EXCLUDED.rate_limit,
                    rate_period_ms = EXCLUDED.rate_period_ms, updated_at = EXCLUDED.updated_at
                """, logger: self.logger
            ).drain()
        }
        if !limits.isEmpty { limitsMayApply() }
    }

    /// Fills in the starts of each rate window and the due jobs a limit holds back.
    func addLimitUse(to overview: inout [String: QueueOverview], now: Date) async throws {
        let starts = try await client.query(
            """
            SELECT q.name, sum(s.started)::BIGINT FROM queues q JOIN queue_starts s
                ON s.queue = q.name AND s.started_at > \(now) - q.rate_period_ms * interval '1 millisecond'
            WHERE q.rate_limit IS NOT NULL GROUP BY q.name
            """, logger: logger)
        for try await (name, count) in starts.decode((String, Int).self) {
            overview[name, default: QueueOverview(name: name)].startsInWindow = count
        }
        for (name, count) in try await heldBack(now: now) {
            overview[name, default: QueueOverview(name: name)].limited = count
        }
    }

    /// Due jobs a limit holds back, by queue: every due job of a queue without room, and due
    /// keyed jobs whose key is at its limit.
    func heldBack(now: Date) async throws -> [String: Int] {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(now)
        let query = PostgresQuery(
            unsafeSQL: """
                WITH \(PostgresLimitedClaim.roomCTE)
                SELECT queue, count(*)::BIGINT FROM jobs
                WHERE status = 'pending' AND run_at <= $1 AND (queue IN (SELECT name FROM room WHERE room <= 0)
                    OR (concurrency_key IS NOT NULL AND concurrency_limit <= \(PostgresLimitedClaim.keyUse("jobs.concurrency_key"))))
                GROUP BY queue
                """, binds: bindings)
        var held: [String: Int] = [:]
        for try await (name, count) in try await client.query(query, logger: logger).decode((String, Int).self) { held[name] = count }
        return held
    }
}
