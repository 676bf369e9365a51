import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: JobPruning {
    /// Arbitrary but fixed key for the pruning lock: "vesper" in ASCII, plus one.
    static let pruneLockKey: Int64 = 0x7665_7370_6573

    /// One short transaction: take the pruning lock if free (`pg_try_advisory_xact_lock`, released
    /// at commit; a node that misses it returns 0 and tries again next round), then delete at most
    /// `limit` of the oldest finished rows through `jobs_finished (finished_at)`, and as many more
    /// from `finished_jobs` as the limit leaves room for (``PostgresFinishedJobs``). `SKIP LOCKED`
    /// keeps it from waiting on a row an operator is retrying at the same moment.
    public func pruneFinishedJobs(statuses: [JobStatus], finishedBefore: Date, limit: Int) async throws -> Int {
        let names = statuses.filter(\.isFinal).map(\.rawValue)
        if names.isEmpty || limit <= 0 { return 0 }
        return try await perform {
            try await self.client.withTransaction(logger: self.logger) { connection in
                let lock = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Self.pruneLockKey))", logger: self.logger)
                var acquired = false
                for try await value in lock.decode(Bool.self) { acquired = value }
                guard acquired else { return 0 }
                var pruned = 0
                for table in ["jobs", PostgresFinishedJobs.table] where pruned < limit {
                    let rows = try await connection.query(
                        """
                        DELETE FROM \(unescaped: table) WHERE seq IN (
                            SELECT seq FROM \(unescaped: table)
                            WHERE finished_at < \(finishedBefore) AND status = ANY(\(names)::text[])
                            ORDER BY finished_at
                            LIMIT \(limit - pruned)
                            FOR UPDATE SKIP LOCKED)
                        RETURNING seq
                        """, logger: self.logger)
                    pruned += try await self.count(rows)
                }
                return pruned
            }
        }
    }
}
