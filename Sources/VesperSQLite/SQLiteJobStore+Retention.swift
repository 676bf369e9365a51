import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: JobPruning {
    /// One DELETE of at most `limit` rows under the write lock: nodes sharing the file prune one at
    /// a time by construction, and each statement is short. The index `jobs_finished (finished_at)`
    /// finds the oldest finished rows without scanning live ones.
    public func pruneFinishedJobs(statuses: [JobStatus], finishedBefore: Date, limit: Int) async throws -> Int {
        let names = statuses.filter(\.isFinal).map(\.rawValue)
        if names.isEmpty || limit <= 0 { return 0 }
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        var arguments = StatementArguments([SQLiteRow.micros(finishedBefore)])
        arguments += StatementArguments(names)
        arguments += [limit]
        let sql = """
            DELETE FROM jobs WHERE seq IN (
                SELECT seq FROM jobs INDEXED BY jobs_finished
                WHERE finished_at < ? AND finished_at IS NOT NULL AND status IN (\(placeholders))
                ORDER BY finished_at
                LIMIT ?)
            """
        let finalArguments = arguments
        return try await run {
            try await self.pool.write { db in
                try db.execute(sql: sql, arguments: finalArguments)
                return db.changesCount
            }
        }
    }
}
