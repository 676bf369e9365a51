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
                for row in try Row.fetchAll(db, sql: "SELECT name, paused FROM queues") {
                    let name: String = row[0]
                    overview[name, default: QueueOverview(name: name)].paused = (row[1] as Int) != 0
                }
                return overview.values.sorted { $0.name < $1.name }
            }
        }
    }
}
