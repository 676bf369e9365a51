import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: ThroughputHistorySource {
    /// A range scan of `jobs_finished (finished_at, status)` over the window, index-only.
    public func finishedPerMinute(since: Date, now: Date) async throws -> [FinishedMinute] {
        let sinceMicros = SQLiteRow.micros(since)
        return try await run {
            try await self.pool.read { db in
                var minutes: [Int64: FinishedMinute] = [:]
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT finished_at / 60000000 AS minute, status, COUNT(*) FROM jobs INDEXED BY jobs_finished
                        WHERE finished_at >= ? AND finished_at IS NOT NULL AND status IN ('done', 'failed', 'dlq')
                        GROUP BY minute, status
                        """,
                    arguments: [sinceMicros])
                for row in rows {
                    let minute: Int64 = row[0]
                    let status: String = row[1]
                    let count: Int = row[2]
                    var entry = minutes[minute] ?? FinishedMinute(minute: Date(timeIntervalSince1970: Double(minute) * 60))
                    if status == "done" { entry.done += count } else { entry.failed += count }
                    minutes[minute] = entry
                }
                return minutes.values.sorted { $0.minute < $1.minute }
            }
        }
    }
}
