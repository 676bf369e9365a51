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
            for try await (name, paused) in try await self.client.query("SELECT name, paused FROM queues", logger: self.logger).decode(
                (String, Bool).self)
            {
                overview[name, default: QueueOverview(name: name)].paused = paused
            }
            return overview.values.sorted { $0.name < $1.name }
        }
    }
}
