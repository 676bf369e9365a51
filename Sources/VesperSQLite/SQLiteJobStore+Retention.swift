import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: JobPruning {
    /// One DELETE of at most `limit` rows under the write lock: nodes sharing the file prune one at
    /// a time by construction, and each statement is short. The index `jobs_finished (finished_at)`
    /// finds the oldest finished rows without scanning live ones; `finished_jobs` (``FinishedJobs``)
    /// is pruned the same way, with what the limit leaves.
    public func pruneFinishedJobs(statuses: [JobStatus], finishedBefore: Date, limit: Int) async throws -> Int {
        let names = statuses.filter(\.isFinal).map(\.rawValue)
        if names.isEmpty || limit <= 0 { return 0 }
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        var arguments = StatementArguments([SQLiteRow.micros(finishedBefore)])
        arguments += StatementArguments(names)
        let finalArguments = arguments
        let statements = [("jobs", "jobs_finished"), (FinishedJobs.table, "finished_jobs_finished")].map { table, index in
            """
            DELETE FROM \(table) WHERE seq IN (
                SELECT seq FROM \(table) INDEXED BY \(index)
                WHERE finished_at < ? AND finished_at IS NOT NULL AND status IN (\(placeholders))
                ORDER BY finished_at
                LIMIT ?)
            """
        }
        return try await run {
            try await self.pool.write { db in
                var pruned = 0
                for sql in statements where pruned < limit {
                    try db.execute(sql: sql, arguments: finalArguments + [limit - pruned])
                    pruned += db.changesCount
                }
                return pruned
            }
        }
    }
}
