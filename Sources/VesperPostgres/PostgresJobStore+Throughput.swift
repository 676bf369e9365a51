import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: ThroughputHistorySource {
    /// A range scan of `jobs_finished (finished_at, status)` and `finished_jobs_finished` over the
    /// window (index-only where the visibility map allows).
    public func finishedPerMinute(since: Date, now: Date) async throws -> [FinishedMinute] {
        try await perform {
            let rows = try await self.client.query(
                """
                SELECT floor(extract(epoch FROM finished_at) / 60)::BIGINT AS minute, status, COUNT(*)::BIGINT
                FROM \(unescaped: PostgresLifecycleSQL.bothTables)
                WHERE finished_at >= \(since) AND status IN ('done', 'failed', 'dlq')
                GROUP BY minute, status
                """, logger: self.logger)
            var minutes: [Int64: FinishedMinute] = [:]
            for try await (minute, status, count) in rows.decode((Int64, String, Int).self) {
                var entry = minutes[minute] ?? FinishedMinute(minute: Date(timeIntervalSince1970: Double(minute) * 60))
                if status == "done" { entry.done += count } else { entry.failed += count }
                minutes[minute] = entry
            }
            return minutes.values.sorted { $0.minute < $1.minute }
        }
    }
}
