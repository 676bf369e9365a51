import Foundation
import PostgresNIO
import VesperCore

/// The core's lifecycle rules (``ClaimOrder``, ``CompletionEffect``, ``LostAttempt``, ``JobFilter``)
/// rendered in PostgreSQL's dialect: the one place this store turns them into SQL.
enum PostgresLifecycleSQL {
    /// `priority DESC, fair_tag, seq`: the claim order, as `jobs_claimable` lists it.
    static let claimOrder = ClaimOrder.keys.map { $0.column.name + ($0.descending ? " DESC" : "") }.joined(separator: ", ")

    /// The plain claim's own filters: no concurrency key (the limited claim takes keyed jobs) and
    /// routed here (``regionFilter(region:failoverBefore:)``).
    ///
    /// Written as `(...) IS DISTINCT FROM false` on purpose: without column statistics (a new or
    /// just-filled table, before autovacuum's first ANALYZE) the planner takes `x IS NULL` to match
    /// 0.5% of rows, expects the walk of `jobs_claimable` to find almost nothing, and sorts the
    /// whole backlog instead (7-13 ms a claim at 20,000 pending jobs, against 0.1 ms). It makes no
    /// such guess for this form. The expression is never NULL (the node's region is never NULL),
    /// so it means exactly the conjunction. (The pool's sessions also run with bitmap scans off,
    /// which covers the other half of the same misjudgement; see `clientConfiguration`.)
    static func unkeyedAndRouted(region: String, failoverBefore: String) -> String {
        "(concurrency_key IS NULL AND \(regionFilter(region: region, failoverBefore: failoverBefore))) IS DISTINCT FROM false"
    }

    /// Routing, as a claim filter: a job without a region is claimable anywhere (the first test,
    /// so such jobs pay one NULL check); a routed job only in its region, or, when it is not
    /// strict and `failoverBefore` is given, in any region once its own was last seen before then
    /// (`regions`, touched by heartbeats; a region never seen has no row and does not fail over).
    /// The subquery is uncorrelated, evaluated at most once per statement. Shared by the claim and
    /// the best-claimable-rank read, which must filter alike.
    static func regionFilter(region: String, failoverBefore: String) -> String {
        """
        (region IS NULL OR region = \(region)::text OR (\(failoverBefore)::timestamptz IS NOT NULL AND NOT region_strict
                        AND region IN (SELECT name FROM regions WHERE last_seen < \(failoverBefore)::timestamptz)))
        """
    }

    // MARK: Finishing an attempt

    /// The column changes of the batched finish statement (``PostgresPreparedStatements/Finish``):
    /// each completion is a row `c(id, attempt, outcome, error, run_at)` whose `outcome` is the
    /// kind's name, and every column takes the value its kind's ``CompletionEffect`` gives it.
    /// `$1` is the time of the finish. Right-hand sides read the row before the change, so they
    /// serve both as `SET` assignments (a row that stays) and as the `RETURNING` list of the
    /// `DELETE` that moves a done row to `finished_jobs` (``finishedRow``). A `NULL` carries its
    /// type: in `RETURNING` nothing else would give it one.
    static let finishChanges: [(column: String, value: String)] = {
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
        let results = list(CompletionEffect.kinds { $0.storesResult })
        // Only a job that goes on gets its attempt appended: a finished job's last attempt is
        // implicit in its row (``ImplicitLastAttempt``).
        let appending = CompletionEffect.kinds { $0.appendsAttempt }
        let recorded = list(appending)
        let recordedNames = appending.compactMap { kind in
            CompletionEffect.of(kind).recordedOutcome.map { "WHEN '\(kind.rawValue)' THEN '\($0)'::text" }
        }
        // Right-hand sides see the row before the update: `attempt` and `worker_id` are the
        // attempt's own; its start is the completion's (a claim leaves `started_at` empty).
        let record = appendAttempt(
            outcome: "CASE c.outcome \(recordedNames.joined(separator: " ")) END",
            error: "CASE WHEN c.outcome IN (\(errors)) THEN c.error ELSE ''::text END", finishedAt: "$1",
            startedAt: "COALESCE(NULLIF(c.started_at, 'epoch'::timestamptz), jobs.started_at)")
        var changes: [(column: String, value: String)] = [
            ("status", "CASE c.outcome \(statuses.joined(separator: " ")) END"),
            ("retries", "CASE WHEN c.outcome IN (\(failures)) THEN jobs.retries + 1 ELSE jobs.retries END"),
            ("error", "CASE WHEN c.outcome IN (\(errors)) THEN c.error WHEN c.outcome IN (\(clearedErrors)) THEN '' ELSE jobs.error END"),
            ("run_at", "CASE c.outcome \(runAts.joined(separator: " ")) ELSE jobs.run_at END"),
            ("finished_at", "CASE WHEN c.outcome IN (\(finishes)) THEN $1 ELSE jobs.finished_at END"),
            ("worker_id", "CASE WHEN c.outcome IN (\(releases)) THEN NULL ELSE jobs.worker_id END"),
            ("result", "CASE WHEN c.outcome IN (\(results)) THEN NULLIF(c.result, '') ELSE jobs.result END"),
            ("attempts", "CASE WHEN c.outcome IN (\(recorded)) THEN \(record) ELSE jobs.attempts END"),
            ("lease_until", "NULL::timestamptz"),
            ("updated_at", "$1"),
        ]
        if recordsStart {
            changes.append(("started_at", "COALESCE(NULLIF(c.started_at, 'epoch'::timestamptz), jobs.started_at)"))
        }
        return changes
    }()

    /// ``finishChanges`` as the `SET` list of the finish's `UPDATE`.
    static let finishAssignments = finishChanges.map { "\($0.column) = \($0.value)" }.joined(separator: ",\n    ")

    /// The condition, on a `jobs` row joined to its completion `c`, under which the finish moves the
    /// row to `finished_jobs` instead of updating it in place (``PostgresFinishedJobs``).
    static let finishMoves =
        "c.outcome IN (\(PostgresFinishedJobs.movingKinds.map { "'\($0.rawValue)'" }.joined(separator: ", "))) AND jobs.\(PostgresFinishedJobs.keepsInPlace) IS NULL"

    /// The finished row a moving finish writes to `finished_jobs`: every stored column, as
    /// ``finishChanges`` sets it or else as it was; the `RETURNING` list of the moving `DELETE`.
    static let finishedRow: String = {
        let changed = Dictionary(finishChanges.map { ($0.column, $0.value) }, uniquingKeysWith: { first, _ in first })
        return PostgresJobRow.storedNames.map { name in
            changed[name].map { "\($0) AS \(name)" } ?? "jobs.\(name)"
        }.joined(separator: ", ")
    }()

    /// Both tables as one relation named `jobs`, every stored column: the `FROM` of a read that can
    /// return a finished job. PostgreSQL pulls a `UNION ALL` of plain columns up into an append of
    /// the two tables, so conditions and `ORDER BY seq ... LIMIT` reach each table's own indexes.
    static let bothTables: String = {
        let columns = PostgresJobRow.storedNames.joined(separator: ", ")
        return "(SELECT \(columns) FROM jobs UNION ALL SELECT \(columns) FROM \(PostgresFinishedJobs.table)) AS jobs"
    }()

    /// ``bothTables`` when rows of `filter` may be in `finished_jobs`, else `jobs` alone.
    static func source(_ filter: JobFilter) -> String {
        PostgresFinishedJobs.mayHold(filter) ? bothTables : "jobs"
    }

    /// `jobs.attempts` with one more ``AttemptRecord`` for the row's current attempt, in the keys
    /// of ``AttemptRecord/StoredKey`` (times in microseconds); arguments are SQL expressions, and
    /// `startedAt` defaults to the row's `started_at`.
    static func appendAttempt(outcome: String, error: String, finishedAt: String, startedAt: String = "jobs.started_at") -> String {
        typealias Key = AttemptRecord.StoredKey
        func micros(_ time: String) -> String { "(extract(epoch FROM \(time)) * 1000000)::bigint" }
        return """
            jobs.attempts || jsonb_build_array(jsonb_build_object('\(Key.attempt)', jobs.attempt, '\(Key.node)', jobs.worker_id, \
            '\(Key.startedAt)', \(micros(startedAt)), '\(Key.finishedAt)', \(micros(finishedAt + "::timestamptz")), \
            '\(Key.outcome)', \(outcome), '\(Key.error)', \(error)))
            """
    }
    /// The assignment that writes a finished job's implicit last attempt (``ImplicitLastAttempt``)
    /// into its stored history, for a statement about to take the job back to the queue; rows
    /// whose history is complete keep it. Right-hand sides see the row before the update.
    static let recordImplicitLastAttempt: String = {
        let outcomes = ImplicitLastAttempt.outcomes.sorted { $0.key.rawValue < $1.key.rawValue }
        let states = outcomes.map { "'\($0.key.rawValue)'" }.joined(separator: ", ")
        let names = outcomes.map { "WHEN '\($0.key.rawValue)' THEN '\($0.value)'::text" }.joined(separator: " ")
        let implicit = """
            jobs.status IN (\(states)) AND jobs.attempt > 0 AND jobs.finished_at IS NOT NULL \
            AND (jobs.attempts->-1->>'\(AttemptRecord.StoredKey.attempt)')::int IS DISTINCT FROM jobs.attempt
            """
        let record = appendAttempt(outcome: "CASE jobs.status \(names) END", error: "jobs.error", finishedAt: "jobs.finished_at")
        return "attempts = CASE WHEN \(implicit) THEN \(record) ELSE jobs.attempts END"
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
        var results: [String] = []
        results.reserveCapacity(completions.count)
        var startedAts: [Date] = []
        outcomes.reserveCapacity(completions.count)
        startedAts.reserveCapacity(completions.count)
        errors.reserveCapacity(completions.count)
        runAts.reserveCapacity(completions.count)
        for completion in completions {
            outcomes.append(completion.outcome.kind.rawValue)
            errors.append(completion.outcome.error ?? "")
            runAts.append(completion.outcome.runAt ?? now)
            // A result is a JSON text, never empty: '' stands for none (the array has no NULLs).
            results.append(completion.result ?? "")
            startedAts.append(completion.startedAt ?? Date(timeIntervalSince1970: 0))
        }
        return PostgresPreparedStatements.Finish(
            now: now, ids: completions.map(\.token.id), attempts: completions.map { Int64($0.token.attempt) }, outcomes: outcomes,
            errors: errors, runAts: runAts, results: results, startedAts: startedAts)
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
        let exhausted = "jobs.retries >= jobs.max_retries"
        let cancelled = "jobs.cancel_requested"
        return PostgresQuery(
            unsafeSQL: """
                UPDATE jobs SET
                    status = CASE WHEN \(cancelled) THEN '\(lost.cancelRequestedStatus.rawValue)' \
                WHEN \(exhausted) THEN '\(lost.exhaustedStatus.rawValue)' ELSE '\(lost.retryStatus.rawValue)' END,
                    finished_at = CASE WHEN \(cancelled) OR \(exhausted) THEN $1 ELSE NULL END,
                    attempts = \(appendAttempt(outcome: "'\(lost.recordedOutcome)'::text", error: "$2::text", finishedAt: "$1")),
                    retries = jobs.retries + 1, error = CASE WHEN \(cancelled) THEN '\(CancelRequest.error)' ELSE $2 END,
                    run_at = $1, updated_at = $1, worker_id = NULL, lease_until = NULL
                WHERE status = 'processing' AND \(condition)
                RETURNING seq
                """, binds: binds)
    }

    // MARK: Renewing leases

    /// The lease keeper's beat in one statement: each held lease (`id`, `attempt`, and the
    /// progress to store or '') is extended, or, when `cancel_requested` is set, ended by the
    /// ``CancelRequest`` rule instead. Returns each matched id with `cancel_requested`.
    /// The `locked` CTE: the leased rows among the jobs `ids` (an array) names, locked in `seq`
    /// order. A statement that changes several leased rows lists it in its `WITH` and adds
    /// ``lockedFirst`` to each change's `WHERE`, so every lock is taken, in this order, before the
    /// first row changes.
    ///
    /// A node's lease renewal and its completion batches change overlapping sets of its rows from
    /// two connections. Left to the join, each locked rows in the order of its own array, so two
    /// of them could each hold a row the other wanted next: a deadlock, which PostgreSQL detects
    /// only after `deadlock_timeout` (1 s), stalling both and failing one. Claims lock with
    /// `SKIP LOCKED` and never wait.
    static func lockedInOrder(ids: String) -> String {
        """
        locked AS MATERIALIZED (
            SELECT seq FROM jobs WHERE id = ANY(\(ids)) AND status = 'processing'
            ORDER BY seq
            FOR UPDATE)
        """
    }

    /// Runs ``lockedInOrder(ids:)`` to the end before the change it guards touches a row: an
    /// uncorrelated subquery is a one-time filter, evaluated before the first row. The change
    /// keeps its own join (an index lookup per id), and only ever changes rows `locked` holds.
    static let lockedFirst = "(SELECT count(*) FROM locked) >= 0"

    static func renew(_ renewal: LeaseRenewal) -> PostgresQuery {
        let leases = renewal.leases
        let cancelled = "jobs.cancel_requested"
        let record = appendAttempt(
            outcome: "'\(CancelRequest.recordedOutcome)'::text", error: "'\(CancelRequest.error)'::text", finishedAt: "$2")
        var binds = PostgresBindings(capacity: 5)
        binds.append(renewal.until)
        binds.append(renewal.now)
        binds.append(leases.map(\.id))
        binds.append(leases.map { Int64($0.attempt) })
        binds.append(leases.map { renewal.progress[$0]?.storedText ?? "" })
        return PostgresQuery(
            unsafeSQL: """
                WITH \(lockedInOrder(ids: "$3::uuid[]"))
                UPDATE jobs SET
                    lease_until = CASE WHEN \(cancelled) THEN NULL ELSE $1 END,
                    progress = COALESCE(NULLIF(l.progress, ''), jobs.progress),
                    status = CASE WHEN \(cancelled) THEN '\(CancelRequest.status.rawValue)' ELSE jobs.status END,
                    error = CASE WHEN \(cancelled) THEN '\(CancelRequest.error)' ELSE jobs.error END,
                    finished_at = CASE WHEN \(cancelled) THEN $2 ELSE jobs.finished_at END,
                    updated_at = CASE WHEN \(cancelled) THEN $2 ELSE jobs.updated_at END,
                    attempts = CASE WHEN \(cancelled) THEN \(record) ELSE jobs.attempts END
                FROM unnest($3::uuid[], $4::int8[], $5::text[]) AS l(id, attempt, progress)
                WHERE jobs.id = l.id AND jobs.attempt = l.attempt AND jobs.status = 'processing' AND \(lockedFirst)
                RETURNING jobs.id, jobs.cancel_requested
                """, binds: binds)
    }

    // MARK: Listing

    /// The listing statement for `filter`: newest first, every value a bind parameter (only fixed
    /// SQL and a state's own name are written into the text).
    static func list(_ filter: JobFilter) -> PostgresQuery {
        var binds = PostgresBindings()
        let whereClause = self.whereClause(filter, binds: &binds)
        binds.append(filter.limit)
        let limit = "$\(binds.count)"
        binds.append(filter.payloadBudget)
        let budget = "$\(binds.count)"
        let source = self.source(filter)
        // The page is chosen from sizes alone (the inner select, on the same index walk as before),
        // and only the rows whose earlier payloads stay under the budget are read whole.
        let sql = """
            SELECT \(PostgresJobRow.columns()) FROM \(source) WHERE seq IN (
                SELECT seq FROM (
                    SELECT seq, SUM(size) OVER (ORDER BY seq DESC) - size AS earlier FROM (
                        SELECT seq, octet_length(payload)::bigint AS size FROM \(source) \(whereClause) ORDER BY seq DESC LIMIT \(limit)) page) sized
                WHERE earlier < \(budget))
            ORDER BY seq DESC
            """
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The `WHERE` clause of `filter`'s conditions (empty when nothing is filtered), its values
    /// appended to `binds` and numbered after those already there.
    static func whereClause(_ filter: JobFilter, binds: inout PostgresBindings) -> String {
        var conditions: [String] = []
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
        return conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
    }
}
