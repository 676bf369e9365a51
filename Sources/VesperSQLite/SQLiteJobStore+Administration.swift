import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: JobAdministration {
    public func delete(id: UUID) async throws -> Job {
        try await guardedChange(
            id: id,
            sql: "DELETE FROM jobs WHERE id = ? AND \(Self.condition(.delete)) RETURNING \(SQLiteRow.columns)",
            arguments: [id.lowercaseText],
            refusal: { "job \(id.lowercaseText) is \($0); a running job cannot be deleted (cancel it or wait for it to finish)" })
    }

    public func runNow(id: UUID, now: Date) async throws -> Job {
        let now = SQLiteRow.micros(now)
        return try await guardedChange(
            id: id,
            sql: """
                UPDATE jobs SET run_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND run_at > ?
                RETURNING \(SQLiteRow.columns)
                """,
            arguments: [now, now, id.lowercaseText, now],
            // A pending job the update did not take is due already: it reads `pending`, not `scheduled`.
            refusal: { "job \(id.lowercaseText) is \($0); only scheduled jobs can be run now" })
    }

    /// One write transaction: counts the batch the filter lists (through the listing's index walk),
    /// then changes those of its rows in a state the action applies to. Under SQLite's write lock
    /// nothing moves between the two statements.
    public func apply(_ action: BulkAction, toBatchOf filter: JobFilter, now: Date) async throws -> BulkBatch {
        let (whereClause, filterArguments) = SQLiteLifecycleSQL.whereClause(filter)
        let batch = "SELECT seq FROM \(SQLiteLifecycleSQL.listingSource(filter)) \(whereClause) ORDER BY seq DESC LIMIT ?"
        let batchArguments = filterArguments + [filter.limit]
        let change: String
        var changeArguments: StatementArguments
        switch action {
        case .retry:
            let now = SQLiteRow.micros(now)
            change = """
                UPDATE jobs SET \(SQLiteLifecycleSQL.recordImplicitLastAttempt),
                    status = 'pending', retries = 0, run_at = ?, updated_at = ?, finished_at = NULL, started_at = NULL, worker_id = NULL
                WHERE seq IN (\(batch)) AND \(Self.condition(.retry))
                """
            changeArguments = [now, now]
        case .delete:
            change = "DELETE FROM jobs WHERE seq IN (\(batch)) AND \(Self.condition(.delete))"
            changeArguments = []
        }
        changeArguments += batchArguments
        let finalChangeArguments = changeArguments
        return try await run {
            try await self.pool.write { db in
                let row = try Row.fetchOne(db, sql: "SELECT count(*), min(seq) FROM (\(batch))", arguments: batchArguments)
                let matched: Int = row?[0] ?? 0
                let last: Int64? = row.flatMap { $0[1] as Int64? }
                try db.execute(sql: change, arguments: finalChangeArguments)
                return BulkBatch(matched: matched, acted: db.changesCount, lastSequence: last)
            }
        }
    }

    /// `status IN (...)` for the states `action` applies to, as literals (so partial indexes apply).
    static func condition(_ action: BulkAction) -> String {
        "status IN (" + action.appliesTo.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"
    }

    /// Runs a single-row change that returns the row, telling "no such job" from "wrong state"
    /// (`refusal` turns the stored state into the message).
    private func guardedChange(
        id: UUID, sql: String, arguments: StatementArguments, refusal: @escaping @Sendable (String) -> String
    ) async throws -> Job {
        let result = try await run {
            try await self.pool.write { db -> Result<Job, VesperError> in
                if let row = try Row.fetchOne(db, sql: sql, arguments: arguments) {
                    return .success(try SQLiteRow.job(row))
                }
                guard let status = try String.fetchOne(db, sql: "SELECT status FROM jobs WHERE id = ?", arguments: [id.lowercaseText])
                else {
                    return .failure(.notFound(id.lowercaseText))
                }
                return .failure(VesperError(.invalidState, refusal(status)))
            }
        }
        return try result.get()
    }
}
