import Foundation
import PostgresNIO
import VesperCore

/// The hot path's statements, prepared once per connection and then executed by name, so the
/// server parses and plans them once instead of on every claim and every completion batch.
/// Optional filters are parameters (`NULL` means "no filter"), so each is one fixed text.
enum PostgresPreparedStatements {
    /// Leases up to `limit` claimable jobs; see ``PostgresJobStore/claim(_:)`` for the isolation
    /// argument. Walks `jobs_claimable (priority DESC, seq) WHERE status = 'pending'`.
    struct Claim: PostgresPreparedStatement {
        static let name = "vesper_claim_v2"
        static let sql = """
            WITH picked AS (
                SELECT seq FROM jobs
                WHERE status = 'pending' AND run_at <= $1
                    AND ($2::text[] IS NULL OR type = ANY($2::text[]))
                    AND ($3::text[] IS NULL OR queue = ANY($3::text[]))
                    AND queue <> ALL($4::text[])
                    AND queue NOT IN (SELECT name FROM queues WHERE paused)
                ORDER BY \(PostgresLifecycleSQL.claimOrder)
                LIMIT $5
                FOR UPDATE SKIP LOCKED)
            UPDATE jobs SET status = 'processing', attempt = jobs.attempt + 1, worker_id = $6,
                lease_until = $7, started_at = $1, updated_at = $1
            FROM picked WHERE jobs.seq = picked.seq
            RETURNING \(PostgresJobRow.claimedColumns())
            """

        typealias Row = Job

        var request: ClaimRequest

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(request.now)
            bindings.append(request.types)
            bindings.append(request.queues)
            bindings.append(request.excludedQueues)
            bindings.append(Int64(request.limit))
            bindings.append(request.workerID)
            bindings.append(request.leaseUntil)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Job {
            try PostgresJobRow.job(row)
        }
    }

    /// Applies a batch of completions, each fenced by `id`, `attempt` and `status = 'processing'`,
    /// as the core's ``CompletionEffect`` says (see ``PostgresLifecycleSQL/finishAssignments``).
    struct Finish: PostgresPreparedStatement {
        static let name = "vesper_finish_v4"
        static let sql = """
            UPDATE jobs SET
                \(PostgresLifecycleSQL.finishAssignments)
            FROM unnest($2::uuid[], $3::int8[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
                AS c(id, attempt, outcome, error, run_at, result)
            WHERE jobs.id = c.id AND jobs.attempt = c.attempt AND jobs.status = 'processing'
            RETURNING jobs.id, jobs.attempt
            """

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

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 7)
            bindings.append(now)
            bindings.append(ids)
            bindings.append(attempts)
            bindings.append(outcomes)
            bindings.append(errors)
            bindings.append(runAts)
            bindings.append(results)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> LeaseToken {
            let (id, attempt) = try row.decode((UUID, Int).self)
            return LeaseToken(id: id, attempt: attempt)
        }
    }
}
