import Foundation
import GRDB
import VesperCore

/// The core's lifecycle rules (``ClaimOrder``, ``CompletionEffect``, ``LostAttempt``, ``JobFilter``)
/// rendered in SQLite's dialect: the one place this store turns them into SQL.
enum SQLiteLifecycleSQL {
    /// `priority DESC, fair_tag, seq`: the claim order, as `jobs_claimable` lists it.
    static let claimOrder = ClaimOrder.keys.map { $0.column.name + ($0.descending ? " DESC" : "") }.joined(separator: ", ")

    // MARK: Finishing an attempt

    /// The finish statement of each kind of outcome, fenced by the attempt token. Binds what
    /// ``finishArguments(_:now:)`` returns. Texts are fixed per kind, so each is prepared once and
    /// cached by the connection.
    static let finishStatements: [Completion.Outcome.Kind: String] = Dictionary(
        uniqueKeysWithValues: Completion.Outcome.Kind.allCases.map { ($0, finishSQL($0)) })

    private static func finishSQL(_ kind: Completion.Outcome.Kind) -> String {
        let effect = CompletionEffect.of(kind)
        var assignments = ["status = '\(effect.status.rawValue)'"]
        if effect.countsFailure { assignments.append("retries = retries + 1") }
        if effect.recordsError { assignments.append("error = ?") }
        if effect.clearsError { assignments.append("error = ''") }
        if effect.runAt != .keep { assignments.append("run_at = ?") }
        if effect.finishes { assignments.append("finished_at = ?") }
        assignments.append("updated_at = ?")
        if effect.storesResult { assignments.append("result = ?") }
        if effect.appendsAttempt, let outcome = effect.recordedOutcome {
            // Only for a job that goes on: a finished job's last attempt is implicit in its row
            // (``ImplicitLastAttempt``). Right-hand sides see the row before the update: `attempt` and `worker_id` are the
            // attempt's own; its start is the completion's (a claim leaves `started_at` empty).
            assignments.append(
                "attempts = " + appendAttempt(outcome: "'\(outcome)'", error: effect.recordsError ? "?" : "''", finishedAt: "?", startedAt: "COALESCE(?, started_at)"))
        }
        if effect.clearsWorker { assignments.append("worker_id = NULL") }
        if effect.clearsLease { assignments.append("lease_until = NULL") }
        if effect.recordsStart { assignments.append("started_at = COALESCE(?, started_at)") }
        return "UPDATE jobs SET \(assignments.joined(separator: ", ")) WHERE id = ? AND attempt = ? AND status = 'processing'"
    }

    /// `attempts` with one more ``AttemptRecord`` for the row's current attempt: `json_insert` at
    /// `$[#]` (the end), in the keys of ``AttemptRecord/StoredKey``; arguments are SQL expressions.
    static func appendAttempt(outcome: String, error: String, finishedAt: String, startedAt: String = "started_at") -> String {
        typealias Key = AttemptRecord.StoredKey
        return """
            json_insert(attempts, '$[#]', json_object('\(Key.attempt)', attempt, '\(Key.node)', worker_id, \
            '\(Key.startedAt)', \(startedAt), '\(Key.finishedAt)', \(finishedAt), '\(Key.outcome)', \(outcome), '\(Key.error)', \(error)))
            """
    }

    /// The assignment that writes a finished job's implicit last attempt (``ImplicitLastAttempt``)
    /// into its stored history, for a statement about to take the job back to the queue; rows
    /// whose history is complete keep it. Right-hand sides see the row before the update.
    static let recordImplicitLastAttempt: String = {
        let outcomes = ImplicitLastAttempt.outcomes.sorted { $0.key.rawValue < $1.key.rawValue }
        let states = outcomes.map { "'\($0.key.rawValue)'" }.joined(separator: ", ")
        let names = outcomes.map { "WHEN '\($0.key.rawValue)' THEN '\($0.value)'" }.joined(separator: " ")
        let implicit = """
            status IN (\(states)) AND attempt > 0 AND finished_at IS NOT NULL \
            AND json_extract(attempts, '$[#-1].\(AttemptRecord.StoredKey.attempt)') IS NOT attempt
            """
        let record = appendAttempt(outcome: "CASE status \(names) END", error: "error", finishedAt: "finished_at")
        return "attempts = CASE WHEN \(implicit) THEN \(record) ELSE attempts END"
    }()

    /// The values for ``finishStatements``, in placeholder order; `now` in stored microseconds.
    static func finishArguments(_ completion: Completion, now: Int64) -> StatementArguments {
        let outcome = completion.outcome
        let effect = outcome.effect
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(10)
        if effect.recordsError { values.append(outcome.error ?? "") }
        switch effect.runAt {
        case .keep: break
        case .now: values.append(now)
        case .given: values.append(outcome.runAt.map(SQLiteRow.micros) ?? now)
        }
        if effect.finishes { values.append(now) }
        values.append(now)
        if effect.storesResult { values.append(completion.result) }
        let started = completion.startedAt.map(SQLiteRow.micros)
        if effect.appendsAttempt {
            // In ``appendAttempt``'s order: the start, the finish time, then the error.
            values.append(started)
            values.append(now)
            if effect.recordsError { values.append(outcome.error ?? "") }
        }
        if effect.recordsStart { values.append(started) }
        values.append(completion.token.id.lowercaseText)
        values.append(completion.token.attempt)
        return StatementArguments(values)
    }

    // MARK: Lost attempts

    /// The assignments that apply `lost` to every row an `UPDATE` selects, and their values
    /// (`now` in stored microseconds). Right-hand sides see the row before the update, so `retries`
    /// is the old count: `retries >= max_retries` is "no retries left".
    static func lostAttempt(_ lost: LostAttempt, now: Int64) -> (assignments: String, arguments: StatementArguments) {
        let exhausted = "retries >= max_retries"
        let cancelled = "cancel_requested = 1"
        let error = "CASE WHEN \(cancelled) THEN '\(CancelRequest.error)' ELSE ?2 END"
        let assignments = """
            status = CASE WHEN \(cancelled) THEN '\(lost.cancelRequestedStatus.rawValue)' \
            WHEN \(exhausted) THEN '\(lost.exhaustedStatus.rawValue)' ELSE '\(lost.retryStatus.rawValue)' END,
            finished_at = CASE WHEN \(cancelled) OR \(exhausted) THEN ?1 ELSE NULL END,
            attempts = \(appendAttempt(outcome: "'\(lost.recordedOutcome)'", error: "?2", finishedAt: "?1")),
            retries = retries + 1, error = \(error), run_at = ?1, updated_at = ?1, worker_id = NULL, lease_until = NULL
            """
        return (assignments, [now, lost.error])
    }

    // MARK: Renewing leases

    /// One lease of a renewal, bound as `(until, now, progress or NULL, id, attempt)`: extends it,
    /// stores the progress, or, when `cancel_requested` is set, ends the job by the
    /// ``CancelRequest`` rule instead. Returns `cancel_requested`, so the caller knows which.
    static let renewStatement: String = {
        let cancelled = "cancel_requested = 1"
        return """
            UPDATE jobs SET
                lease_until = CASE WHEN \(cancelled) THEN NULL ELSE ?1 END,
                progress = coalesce(?3, progress),
                status = CASE WHEN \(cancelled) THEN '\(CancelRequest.status.rawValue)' ELSE status END,
                error = CASE WHEN \(cancelled) THEN '\(CancelRequest.error)' ELSE error END,
                finished_at = CASE WHEN \(cancelled) THEN ?2 ELSE finished_at END,
                updated_at = CASE WHEN \(cancelled) THEN ?2 ELSE updated_at END,
                attempts = CASE WHEN \(cancelled) THEN \(appendAttempt(outcome: "'\(CancelRequest.recordedOutcome)'", error: "'\(CancelRequest.error)'", finishedAt: "?2")) ELSE attempts END
            WHERE id = ?4 AND attempt = ?5 AND status = 'processing'
            RETURNING cancel_requested
            """
    }()

    // MARK: Listing

    /// The listing statement for `filter`, newest first, and its values.
    static func list(_ filter: JobFilter) -> (sql: String, arguments: StatementArguments) {
        let (whereClause, arguments) = whereClause(filter)
        // The page is chosen from sizes alone (the inner select, on the same index walk as before),
        // and only the rows whose earlier payloads stay under the budget are read whole.
        let sql = """
            SELECT \(SQLiteRow.columns) FROM jobs WHERE seq IN (
                SELECT seq FROM (
                    SELECT seq, SUM(size) OVER (ORDER BY seq DESC) - size AS earlier FROM (
                        SELECT seq, length(CAST(payload AS BLOB)) AS size FROM \(listingSource(filter)) \(whereClause)
                        ORDER BY seq DESC LIMIT ?))
                WHERE earlier < ?)
            ORDER BY seq DESC
            """
        return (sql, arguments + [filter.limit, filter.payloadBudget])
    }

    /// The table a listing of `filter` reads, with the index it must walk when it names a state
    /// that has one.
    ///
    /// Without a hint SQLite walks the whole table newest first and filters by state, which is
    /// quick only while the state is common. `pending` and `processing` rows are few beside a
    /// retained history (a drained queue keeping a week of `done` jobs), and listing them, as a
    /// dashboard or a "has it settled?" check does, read every row: 0.13 s a call with a million
    /// finished jobs, 1.3 s with ten million. Through their partial indexes (`jobs_claimable`,
    /// `jobs_leased`) a listing reads the rows of that state and sorts them, which costs what the
    /// backlog costs, not the history: a page of a million-job backlog takes 0.3 s this way and
    /// next to nothing by the walk, but a backlog drains and a retained history stays. The rarer
    /// finished states have partial indexes in `seq` order the planner finds by itself, and `done`
    /// rows are the table's bulk.
    static func listingSource(_ filter: JobFilter) -> String {
        for condition in filter.conditions where condition.column == .status && condition.comparison == .equal {
            guard case .status(let status) = condition.value else { continue }
            switch status {
            case .pending: return "jobs INDEXED BY jobs_claimable"
            case .processing: return "jobs INDEXED BY jobs_leased"
            default: return "jobs"
            }
        }
        return "jobs"
    }

    /// The `WHERE` clause (empty when nothing is filtered) and its values.
    static func whereClause(_ filter: JobFilter) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        for condition in filter.conditions {
            let column = "\(condition.column.name) \(condition.comparison.symbol)"
            switch condition.value {
            case .status(let status):
                // A literal: SQLite picks a partial index only when the query names its state.
                conditions.append("\(column) '\(status.rawValue)'")
            case .text(let text):
                conditions.append("\(column) ?")
                arguments += [text]
            case .integer(let value):
                conditions.append("\(column) ?")
                arguments += [value]
            case .time(let time):
                conditions.append("\(column) ?")
                arguments += [SQLiteRow.micros(time)]
            }
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), arguments)
    }
}
