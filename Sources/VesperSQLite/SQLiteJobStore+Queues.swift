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
                // Live rows only (jobs_status serves the status filter); finished jobs are not depth.
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT queue,
                            SUM(CASE WHEN status = 'pending' AND run_at <= ? THEN 1 ELSE 0 END),
                            SUM(CASE WHEN status = 'pending' AND run_at > ? THEN 1 ELSE 0 END),
                            SUM(CASE WHEN status = 'processing' THEN 1 ELSE 0 END)
                        FROM jobs WHERE status IN ('pending', 'processing') GROUP BY queue
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
