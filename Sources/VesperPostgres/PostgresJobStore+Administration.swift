import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: JobAdministration {
    /// The job is in `jobs` or in `finished_jobs` (``PostgresFinishedJobs``): one statement deletes
    /// it from whichever holds it.
    public func delete(id: UUID) async throws -> Job {
        try await guardedChange(
            id: id,
            PostgresQuery(
                unsafeSQL: """
                    WITH live AS (DELETE FROM jobs WHERE id = $1 AND \(Self.condition(.delete)) RETURNING \(PostgresJobRow.columns())),
                    archived AS (
                        DELETE FROM \(PostgresFinishedJobs.table) AS jobs WHERE id = $1 AND \(Self.condition(.delete))
                        RETURNING \(PostgresJobRow.columns()))
                    SELECT * FROM live UNION ALL SELECT * FROM archived
                    """,
                binds: Self.bindings(id)),
            refusal: { "job \(id.lowercaseText) is \($0); a running job cannot be deleted (cancel it or wait for it to finish)" })
    }

    public func runNow(id: UUID, now: Date) async throws -> Job {
        try await guardedChange(
            id: id,
            """
            UPDATE jobs SET run_at = \(now), updated_at = \(now) WHERE id = \(id) AND status = 'pending' AND run_at > \(now)
            RETURNING \(unescaped: PostgresJobRow.columns())
            """,
            // A pending job the update did not take is due already: it reads `pending`, not `scheduled`.
            refusal: { "job \(id.lowercaseText) is \($0); only scheduled jobs can be run now" })
    }

    /// One statement: the batch the filter lists (a CTE on the listing's index walk, read once),
    /// the change of its rows in a state the action applies to, and the batch's count and smallest
    /// `seq`. Under READ COMMITTED a row another transaction changed meanwhile (a claim) is judged
    /// again by its new state, so a job that started running is skipped, never deleted. The batch
    /// is read from both tables when the filter may match a finished job
    /// (``PostgresFinishedJobs``), and a delete removes its rows from both; a retry changes only
    /// `jobs`, which holds every job it applies to.
    public func apply(_ action: BulkAction, toBatchOf filter: JobFilter, now: Date) async throws -> BulkBatch {
        var binds = PostgresBindings()
        binds.append(now)
        let whereClause = PostgresLifecycleSQL.whereClause(filter, binds: &binds)
        binds.append(filter.limit)
        let change: String
        switch action {
        case .retry:
            change = """
                UPDATE jobs SET \(PostgresLifecycleSQL.recordImplicitLastAttempt),
                    status = 'pending', retries = 0, run_at = $1, updated_at = $1, finished_at = NULL, started_at = NULL, worker_id = NULL
                WHERE seq IN (SELECT seq FROM batch) AND \(Self.condition(.retry)) RETURNING 1
                """
        case .delete:
            change = """
                DELETE FROM jobs WHERE seq IN (SELECT seq FROM batch) AND \(Self.condition(.delete)) RETURNING 1),
                changed_archive AS (
                    DELETE FROM \(PostgresFinishedJobs.table) WHERE seq IN (SELECT seq FROM batch) AND \(Self.condition(.delete)) RETURNING 1
                """
        }
        let acted = action == .delete ? "(SELECT count(*) FROM changed) + (SELECT count(*) FROM changed_archive)" : "(SELECT count(*) FROM changed)"
        let query = PostgresQuery(
            unsafeSQL: """
                WITH batch AS MATERIALIZED (SELECT seq FROM \(PostgresLifecycleSQL.source(filter)) \(whereClause) ORDER BY seq DESC LIMIT $\(binds.count)),
                changed AS (\(change))
                SELECT (SELECT count(*) FROM batch), \(acted), (SELECT min(seq) FROM batch)
                """, binds: binds)
        return try await perform {
            let rows = try await self.client.query(query, logger: self.logger)
            for try await (matched, acted, last) in rows.decode((Int64, Int64, Int64?).self) {
                return BulkBatch(matched: Int(matched), acted: Int(acted), lastSequence: last)
            }
            return BulkBatch(matched: 0, acted: 0, lastSequence: nil)
        }
    }

    /// `status IN (...)` for the states `action` applies to, as literals (so partial indexes apply).
    static func condition(_ action: BulkAction) -> String {
        "status IN (" + action.appliesTo.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }

    private static func bindings(_ id: UUID) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(id)
        return binds
    }

    /// Runs a single-row change that returns the row, telling "no such job" from "wrong state"
    /// (`refusal` turns the stored state into the message).
    private func guardedChange(id: UUID, _ change: PostgresQuery, refusal: @escaping @Sendable (String) -> String) async throws -> Job {
        let result = try await perform {
            try await self.client.withTransaction(logger: self.logger) { connection -> Result<Job, VesperError> in
                if let job = try await PostgresJobRow.jobs(try await connection.query(change, logger: self.logger)).first {
                    return .success(job)
                }
                let rows = try await connection.query(
                    "SELECT status FROM \(unescaped: PostgresLifecycleSQL.bothTables) WHERE id = \(id)", logger: self.logger)
                for try await status in rows.decode(String.self) {
                    return .failure(VesperError(.invalidState, refusal(status)))
                }
                return .failure(.notFound(id.lowercaseText))
            }
        }
        return try result.get()
    }
}
