import Foundation
import PostgresNIO
import VesperCore

/// The hot path's statements, prepared once per connection and then executed by name, so the
/// server parses and plans them once instead of on every claim and every completion batch.
/// Optional filters are parameters (`NULL` means "no filter"), so each is one fixed text.
enum PostgresPreparedStatements {
    /// The queues the plain claim leaves alone: paused ones, and those with a fleet-wide limit,
    /// which only the limited claim takes (``PostgresLimitedClaim``), as it does keyed jobs.
    static let unclaimableQueue = "paused OR concurrency IS NOT NULL OR rate_limit IS NOT NULL"

    /// Leases up to `limit` claimable jobs; see ``PostgresJobStore/claim(_:)`` for the isolation
    /// argument. Walks `jobs_claimable (priority DESC, fair_tag, seq) WHERE status = 'pending'`. Leaves
    /// `started_at` empty: a leased job has not started until its handler does (its completion
    /// records when). Takes no job a fleet-wide limit applies to (keyed, or of a limited queue).
    struct Claim: PostgresPreparedStatement {
        static let name = "vesper_claim_v4"
        static let sql = """
            WITH picked AS (
                SELECT seq FROM jobs
                WHERE status = 'pending' AND run_at <= $1
                    AND ($2::text[] IS NULL OR type = ANY($2::text[]))
                    AND ($3::text[] IS NULL OR queue = ANY($3::text[]))
                    AND queue <> ALL($4::text[])
                    AND queue NOT IN (SELECT name FROM queues WHERE \(PostgresPreparedStatements.unclaimableQueue))
                    AND \(PostgresLifecycleSQL.unkeyedAndRouted(region: "$9", failoverBefore: "$10"))
                ORDER BY \(PostgresLifecycleSQL.claimOrder)
                LIMIT $5
                FOR UPDATE SKIP LOCKED)
            UPDATE jobs SET status = 'processing', attempt = jobs.attempt + 1, worker_id = $6,
                lease_until = $7, started_at = CASE WHEN $8 THEN $1 END, updated_at = $1
            FROM picked WHERE jobs.seq = picked.seq
            RETURNING \(PostgresJobRow.claimedColumns())
            """

        typealias Row = Job

        var request: ClaimRequest

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 10)
            bindings.appendClaimFilter(request)
            bindings.appendLease(request)
            bindings.appendRouting(request)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Job {
            try PostgresJobRow.job(row)
        }
    }

    /// The rank of the first job the claim would take, read without locking: the head of the same
    /// `jobs_claimable` walk with the same filters (`$1` now, `$2` types, `$3` queues, `$4`
    /// excluded queues, `$5` region, `$6` region failover cutoff). A row another claimer has locked still counts, which only errs towards a
    /// claim.
    struct BestClaimableRank: PostgresPreparedStatement {
        static let name = "vesper_best_claimable_v3"
        static let sql = bestRankSQL(now: 1)

        /// The read, its six parameters numbered from `$\(now)`.
        static func bestRankSQL(now: Int) -> String {
            """
            SELECT priority, fair_tag, seq FROM jobs
            WHERE status = 'pending' AND run_at <= $\(now)
                AND ($\(now + 1)::text[] IS NULL OR type = ANY($\(now + 1)::text[]))
                AND ($\(now + 2)::text[] IS NULL OR queue = ANY($\(now + 2)::text[]))
                AND queue <> ALL($\(now + 3)::text[])
                AND queue NOT IN (SELECT name FROM queues WHERE \(PostgresPreparedStatements.unclaimableQueue))
                AND \(PostgresLifecycleSQL.unkeyedAndRouted(region: "$\(now + 4)", failoverBefore: "$\(now + 5)"))
            ORDER BY \(PostgresLifecycleSQL.claimOrder)
            LIMIT 1
            """
        }

        typealias Row = JobRank

        var request: ClaimRequest

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 6)
            bindings.appendClaimFilter(request)
            bindings.appendRouting(request)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> JobRank {
            let (priority, fairTag, sequence) = try row.decode((Int, Int64, Int64).self)
            return JobRank(priority: priority, fairTag: fairTag, sequence: sequence)
        }
    }

    /// Applies a batch of completions, each fenced by `id`, `attempt` and `status = 'processing'`,
    /// as the core's ``CompletionEffect`` says (see ``PostgresLifecycleSQL/finishChanges``). A
    /// completion that ends its job `done` (without an idempotency key) moves the row to
    /// `finished_jobs` instead (``PostgresFinishedJobs``): a `DELETE` that returns the finished
    /// row, fed to an `INSERT`, in the same statement, so the move is atomic and costs no extra
    /// round trip. The rest are updated in place; the two sets of rows are disjoint.
    struct Finish: PostgresPreparedStatement {
        static let name = "vesper_finish_v8"
        static let sql = """
            WITH \(ctes)
            \(applied)
            """

        /// The statement's `WITH` list, without `WITH`: PostgreSQL allows data-modifying `WITH`
        /// only at the top level, so ``FinishReadingRank`` puts these in its own list.
        static let ctes = """
            c AS (
                SELECT * FROM unnest($2::uuid[], $3::int8[], $4::text[], $5::text[], $6::timestamptz[], $7::text[], $8::timestamptz[])
                    AS c(id, attempt, outcome, error, run_at, result, started_at)),
            \(PostgresLifecycleSQL.lockedInOrder(ids: "$2::uuid[]")),
            moved AS (
                DELETE FROM jobs USING c
                WHERE jobs.id = c.id AND jobs.attempt = c.attempt AND jobs.status = 'processing' AND \(PostgresLifecycleSQL.finishMoves)
                    AND \(PostgresLifecycleSQL.lockedFirst)
                RETURNING \(PostgresLifecycleSQL.finishedRow)),
            archived AS (
                INSERT INTO \(PostgresFinishedJobs.table) (\(PostgresJobRow.storedNames.joined(separator: ", ")))
                SELECT \(PostgresJobRow.storedNames.joined(separator: ", ")) FROM moved
                RETURNING id, attempt),
            updated AS (
                UPDATE jobs SET
                    \(PostgresLifecycleSQL.finishAssignments)
                FROM c
                WHERE jobs.id = c.id AND jobs.attempt = c.attempt AND jobs.status = 'processing' AND NOT (\(PostgresLifecycleSQL.finishMoves))
                    AND \(PostgresLifecycleSQL.lockedFirst)
                RETURNING jobs.id, jobs.attempt)
            """

        /// The tokens of the applied completions, moved or updated (the two sets are disjoint).
        static let applied = "SELECT id, attempt FROM archived UNION ALL SELECT id, attempt FROM updated"

        /// The token of an applied completion.
        typealias Row = LeaseToken

        var now: Date
        var ids: [UUID]
        var attempts: [Int64]
        var outcomes: [String]
        var errors: [String]
        var runAts: [Date]
        /// Each completion's result, '' for none.
        var results: [String]
        var startedAts: [Date]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(now)
            bindings.append(ids)
            bindings.append(attempts)
            bindings.append(outcomes)
            bindings.append(errors)
            bindings.append(runAts)
            bindings.append(results)
            bindings.append(startedAts)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> LeaseToken {
            let (id, attempt) = try row.decode((UUID, Int).self)
            return LeaseToken(id: id, attempt: attempt)
        }
    }

    /// ``Finish`` and ``BestClaimableRank`` in one statement, one round trip: the applied tokens
    /// (rank columns `NULL`), then one row with the rank (token columns `NULL`) when anything is
    /// claimable. The read sees the snapshot the statement began with, so every commit made before
    /// it was sent; not the finish's own changes, which is why the pool asks for it only when no
    /// completion puts a job back in the queue.
    struct FinishReadingRank: PostgresPreparedStatement {
        static let name = "vesper_finish_rank_v4"
        static let sql = """
            WITH \(Finish.ctes),
            finished AS (\(Finish.applied))
            SELECT id, attempt, NULL::int AS priority, NULL::int8 AS fair_tag, NULL::int8 AS seq FROM finished
            UNION ALL
            SELECT NULL::uuid, NULL::int, priority, fair_tag, seq FROM (\(BestClaimableRank.bestRankSQL(now: 9))) best
            """

        /// A row of either kind.
        typealias Row = Either

        enum Either {
            case applied(LeaseToken)
            case best(JobRank)
        }

        var finish: Finish
        var request: ClaimRequest

        func makeBindings() throws -> PostgresBindings {
            var bindings = try finish.makeBindings()
            bindings.appendClaimFilter(request)
            bindings.appendRouting(request)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Either {
            let (id, attempt, priority, fairTag, sequence) = try row.decode((UUID?, Int?, Int?, Int64?, Int64?).self)
            if let id, let attempt { return .applied(LeaseToken(id: id, attempt: attempt)) }
            return .best(JobRank(priority: priority ?? 0, fairTag: fairTag ?? 0, sequence: sequence ?? 0))
        }
    }
}

extension PostgresBindings {
    /// A claim's or rank read's filter, in the order the statements number it: now, types, queues,
    /// excluded queues.
    mutating func appendClaimFilter(_ request: ClaimRequest) {
        append(request.now)
        append(request.types)
        append(request.queues)
        append(request.excludedQueues)
    }

    /// A claim's lease: how many, the node, the lease end, and whether the jobs start now.
    mutating func appendLease(_ request: ClaimRequest) {
        append(Int64(request.limit))
        append(request.workerID)
        append(request.leaseUntil)
        append(request.startsNow)
    }

    /// A claim's routing (``PostgresLifecycleSQL/regionFilter(region:failoverBefore:)``): the
    /// node's region and the failover cutoff.
    mutating func appendRouting(_ request: ClaimRequest) {
        append(request.region)
        append(request.regionFailoverBefore)
    }
}
