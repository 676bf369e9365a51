import Foundation
import PostgresNIO
import VesperCore

/// The core's lifecycle rules (``ClaimOrder``, ``CompletionEffect``, ``LostAttempt``, ``JobFilter``)
/// rendered in PostgreSQL's dialect: the one place this store turns them into SQL.
enum PostgresLifecycleSQL {
    /// `priority DESC, seq`: the claim order, as `jobs_claimable` lists it.
    static let claimOrder = ClaimOrder.keys.map { $0.column.name + ($0.descending ? " DESC" : "") }.joined(separator: ", ")

    // MARK: Finishing an attempt

    /// The assignments of the batched finish statement (``PostgresPreparedStatements/Finish``):
    /// each completion is a row `c(id, attempt, outcome, error, run_at)` whose `outcome` is the
    /// kind's name, and every column takes the value its kind's ``CompletionEffect`` gives it.
    /// `$1` is the time of the finish. One fixed text, so it stays a prepared statement.
    static let finishAssignments: String = {
        typealias Kind = Completion.Outcome.Kind
        func list(_ kinds: [Kind]) -> String { kinds.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
        let statuses = Kind.allCases.map { "WHEN '\($0.rawValue)' THEN '\(CompletionEffect.of($0).status.rawValue)'" }
        let runAts = Kind.allCases.compactMap { kind -> String? in
            switch CompletionEffect.of(kind).runAt {
            case .keep: nil
            case .now: "WHEN '\(kind.rawValue)' THEN $1"
            case .given: "WHEN '\(kind.rawValue)' THEN c.run_at"
            }
        }
        let failures = list(CompletionEffect.kinds { $0.countsFailure })
        let errors = list(CompletionEffect.kinds { $0.recordsError })
        let clearedErrors = list(CompletionEffect.kinds { $0.clearsError })
        let finishes = list(CompletionEffect.kinds { $0.finishes })
        let releases = list(CompletionEffect.kinds { $0.clearsWorker })
        return """
            status = CASE c.outcome \(statuses.joined(separator: " ")) END,
                retries = CASE WHEN c.outcome IN (\(failures)) THEN jobs.retries + 1 ELSE jobs.retries END,
                error = CASE WHEN c.outcome IN (\(errors)) THEN c.error WHEN c.outcome IN (\(clearedErrors)) THEN '' ELSE jobs.error END,
                run_at = CASE c.outcome \(runAts.joined(separator: " ")) ELSE jobs.run_at END,
                finished_at = CASE WHEN c.outcome IN (\(finishes)) THEN $1 ELSE jobs.finished_at END,
                worker_id = CASE WHEN c.outcome IN (\(releases)) THEN NULL ELSE jobs.worker_id END,
                lease_until = NULL,
                updated_at = $1\(recordsStart ? ",\n        started_at = COALESCE(NULLIF(c.started_at, 'epoch'::timestamptz), jobs.started_at)" : "")
            """
    }()

    /// ``CompletionEffect/recordsStart``; the batch's `started_at` array holds the Unix epoch for a
    /// completion without a start (a hand-back), which keeps the stored value.
    private static let recordsStart = Completion.Outcome.Kind.allCases.allSatisfy { CompletionEffect.of($0).recordsStart }

    /// The finish statement for `completions`, its per-completion columns filled as
    /// ``finishAssignments`` reads them.
    static func finish(_ completions: [Completion], now: Date) -> PostgresPreparedStatements.Finish {
        var outcomes: [String] = []
        var errors: [String] = []
        var runAts: [Date] = []
        var startedAts: [Date] = []
        outcomes.reserveCapacity(completions.count)
        startedAts.reserveCapacity(completions.count)
        errors.reserveCapacity(completions.count)
        runAts.reserveCapacity(completions.count)
        for completion in completions {
            outcomes.append(completion.outcome.kind.rawValue)
            errors.append(completion.outcome.error ?? "")
            runAts.append(completion.outcome.runAt ?? now)
            startedAts.append(completion.startedAt ?? Date(timeIntervalSince1970: 0))
        }
        return PostgresPreparedStatements.Finish(
            now: now, ids: completions.map(\.token.id), attempts: completions.map { Int64($0.token.attempt) }, outcomes: outcomes,
            errors: errors, runAts: runAts, startedAts: startedAts)
    }

    // MARK: Lost attempts

    /// Which running jobs have lost their attempt.
    enum LostJobs {
        /// Those whose lease ended before this time; served by the partial index
        /// `jobs_leased (lease_until) WHERE status = 'processing'`.
        case leaseEndedBefore(Date)
        /// Those held by this node.
        case heldBy(nodeID: String)
    }

    /// Applies `lost` at `now` to the `jobs` running jobs, returning each row's `seq`. Right-hand
    /// sides see the row before the update, so `retries` is the old count: `retries >= max_retries`
    /// is "no retries left".
    static func recover(_ jobs: LostJobs, _ lost: LostAttempt, now: Date) -> PostgresQuery {
        var binds = PostgresBindings(capacity: 3)
        binds.append(now)
        binds.append(lost.error)
        let condition: String
        switch jobs {
        case .leaseEndedBefore(let time):
            binds.append(time)
            condition = "lease_until < $3"
        case .heldBy(let nodeID):
            binds.append(nodeID)
            condition = "worker_id = $3"
        }
        let exhausted = "retries >= max_retries"
        return PostgresQuery(
            unsafeSQL: """
                UPDATE jobs SET
                    status = CASE WHEN \(exhausted) THEN '\(lost.exhaustedStatus.rawValue)' ELSE '\(lost.retryStatus.rawValue)' END,
                    finished_at = CASE WHEN \(exhausted) THEN $1 ELSE NULL END,
                    retries = retries + 1, error = $2, run_at = $1, updated_at = $1, worker_id = NULL, lease_until = NULL
                WHERE status = 'processing' AND \(condition)
                RETURNING seq
                """, binds: binds)
    }

    // MARK: Listing

    /// The listing statement for `filter`: newest first, every value a bind parameter (only fixed
    /// SQL and a state's own name are written into the text).
    static func list(_ filter: JobFilter) -> PostgresQuery {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func placeholder<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        for condition in filter.conditions {
            let column = "\(condition.column.name) \(condition.comparison.symbol)"
            switch condition.value {
            case .status(let status):
                // A literal: the planner picks a partial index only when the query names its state.
                conditions.append("\(column) '\(status.rawValue)'")
            case .text(let text): conditions.append("\(column) \(placeholder(text))")
            case .integer(let value): conditions.append("\(column) \(placeholder(value))")
            case .time(let time): conditions.append("\(column) \(placeholder(time))")
            }
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = placeholder(filter.limit)
        let budget = placeholder(filter.payloadBudget)
        // The page is chosen from sizes alone (the inner select, on the same index walk as before),
        // and only the rows whose earlier payloads stay under the budget are read whole.
        let sql = """
            SELECT \(PostgresJobRow.columns()) FROM jobs WHERE seq IN (
                SELECT seq FROM (
                    SELECT seq, SUM(size) OVER (ORDER BY seq DESC) - size AS earlier FROM (
                        SELECT seq, octet_length(payload)::bigint AS size FROM jobs \(whereClause) ORDER BY seq DESC LIMIT \(limit)) page) sized
                WHERE earlier < \(budget))
            ORDER BY seq DESC
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }
}
