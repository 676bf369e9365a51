import Foundation
import GRDB
import VesperCore

/// The core's lifecycle rules (``ClaimOrder``, ``CompletionEffect``, ``LostAttempt``, ``JobFilter``)
/// rendered in SQLite's dialect: the one place this store turns them into SQL.
enum SQLiteLifecycleSQL {
    /// `priority DESC, seq`: the claim order, as `jobs_claimable` lists it.
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
        if effect.clearsWorker { assignments.append("worker_id = NULL") }
        if effect.clearsLease { assignments.append("lease_until = NULL") }
        if effect.recordsStart { assignments.append("started_at = COALESCE(?, started_at)") }
        return "UPDATE jobs SET \(assignments.joined(separator: ", ")) WHERE id = ? AND attempt = ? AND status = 'processing'"
    }

    /// The values for ``finishStatements``, in placeholder order; `now` in stored microseconds.
    static func finishArguments(_ completion: Completion, now: Int64) -> StatementArguments {
        let outcome = completion.outcome
        let effect = outcome.effect
        var values: [(any DatabaseValueConvertible)?] = []
        values.reserveCapacity(7)
        if effect.recordsError { values.append(outcome.error ?? "") }
        switch effect.runAt {
        case .keep: break
        case .now: values.append(now)
        case .given: values.append(outcome.runAt.map(SQLiteRow.micros) ?? now)
        }
        if effect.finishes { values.append(now) }
        values.append(now)
        if effect.recordsStart { values.append(completion.startedAt.map(SQLiteRow.micros)) }
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
        let assignments = """
            status = CASE WHEN \(exhausted) THEN '\(lost.exhaustedStatus.rawValue)' ELSE '\(lost.retryStatus.rawValue)' END,
            finished_at = CASE WHEN \(exhausted) THEN ? ELSE NULL END,
            retries = retries + 1, error = ?, run_at = ?, updated_at = ?, worker_id = NULL, lease_until = NULL
            """
        return (assignments, [now, lost.error, now, now])
    }

    // MARK: Listing

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
