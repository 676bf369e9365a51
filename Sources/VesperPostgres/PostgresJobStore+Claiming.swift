import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore {
    /// The heart of the queue: one statement picks and leases up to `limit` claimable jobs.
    ///
    /// The CTE walks the partial index `jobs_claimable (priority DESC, seq) WHERE status = 'pending'`
    /// in claim order and stops after `limit` rows. It runs at READ COMMITTED and relies on
    /// `FOR UPDATE SKIP LOCKED`: a row another claimer has locked is skipped rather than waited for,
    /// and a row changed by a transaction that committed after our snapshot (a concurrent cancel or
    /// claim) is re-checked against the `WHERE` clause on its newest version before we lock it, so a
    /// job is never leased twice and claimers never block one another.
    ///
    /// Queue selection and exclusion are further row filters on the same index walk; paused queues
    /// are excluded by an uncorrelated subquery on the small `queues` table (a hashed NOT IN), so a
    /// pause stored by any node takes effect in every node's next claim.
    public func claim(_ request: ClaimRequest) async throws -> [Job] {
        if request.limit <= 0 { return [] }
        if request.types?.isEmpty == true || request.queues?.isEmpty == true { return [] }
        // Only placeholders and fixed SQL are concatenated; every value is a bind parameter.
        var binds = PostgresBindings()
        func placeholder<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        let now = placeholder(request.now)
        var filters = ""
        if let types = request.types { filters += " AND type = ANY(\(placeholder(types))::text[])" }
        if let queues = request.queues { filters += " AND queue = ANY(\(placeholder(queues))::text[])" }
        if !request.excludedQueues.isEmpty { filters += " AND queue <> ALL(\(placeholder(request.excludedQueues))::text[])" }
        let sql = """
            WITH picked AS (
                SELECT seq FROM jobs
                WHERE status = 'pending' AND run_at <= \(now)\(filters)
                    AND queue NOT IN (SELECT name FROM queues WHERE paused)
                ORDER BY priority DESC, seq
                LIMIT \(placeholder(request.limit))
                FOR UPDATE SKIP LOCKED)
            UPDATE jobs SET status = 'processing', attempt = jobs.attempt + 1, worker_id = \(placeholder(request.workerID)),
                lease_until = \(placeholder(request.leaseUntil)), started_at = \(now), updated_at = \(now)
            FROM picked WHERE jobs.seq = picked.seq
            RETURNING \(PostgresJobRow.columns())
            """
        let query = PostgresQuery(unsafeSQL: sql, binds: binds)
        let jobs = try await perform {
            try await PostgresJobRow.jobs(try await self.client.query(query, logger: self.logger))
        }
        // RETURNING has no order; hand jobs out in claim order.
        return jobs.sorted { ($0.priority, -$0.sequence) > ($1.priority, -$1.sequence) }
    }

    /// Applies a batch of completions in one statement: the batch is unnested into rows and joined
    /// to `jobs` on the fencing token (`id`, `attempt`, still `processing`), so a stale token simply
    /// matches nothing. The per-outcome column changes are exactly the SQLite store's.
    public func finish(_ completions: [Completion], now: Date) async throws -> Int {
        if completions.isEmpty { return 0 }
        var outcomes: [String] = []
        var errors: [String] = []
        var runAts: [Date] = []
        for completion in completions {
            let (outcome, error, runAt): (String, String, Date) =
                switch completion.outcome {
                case .done: ("done", "", now)
                case .retry(let error, let runAt): ("retry", error, runAt)
                case .deadLetter(let error): ("dlq", error, now)
                case .failed(let error): ("failed", error, now)
                case .release: ("release", "", now)
                }
            outcomes.append(outcome)
            errors.append(error)
            runAts.append(runAt)
        }
        let query: PostgresQuery = """
            UPDATE jobs SET
                status = CASE c.outcome WHEN 'retry' THEN 'pending' WHEN 'release' THEN 'pending' ELSE c.outcome END,
                retries = CASE WHEN c.outcome IN ('retry', 'dlq', 'failed') THEN jobs.retries + 1 ELSE jobs.retries END,
                error = CASE WHEN c.outcome IN ('retry', 'dlq', 'failed') THEN c.error ELSE jobs.error END,
                run_at = CASE c.outcome WHEN 'retry' THEN c.run_at WHEN 'release' THEN \(now) ELSE jobs.run_at END,
                finished_at = CASE WHEN c.outcome IN ('done', 'dlq', 'failed') THEN \(now) ELSE jobs.finished_at END,
                worker_id = CASE WHEN c.outcome IN ('retry', 'release') THEN NULL ELSE jobs.worker_id END,
                lease_until = NULL,
                updated_at = \(now)
            FROM unnest(\(completions.map(\.token.id))::uuid[], \(completions.map(\.token.attempt))::int8[],
                \(outcomes)::text[], \(errors)::text[], \(runAts)::timestamptz[]) AS c(id, attempt, outcome, error, run_at)
            WHERE jobs.id = c.id AND jobs.attempt = c.attempt AND jobs.status = 'processing'
            RETURNING jobs.seq
            """
        return try await perform {
            try await self.count(try await self.client.query(query, logger: self.logger))
        }
    }

    public func extendLeases(_ leases: [LeaseToken], until: Date, now: Date) async throws -> Set<UUID> {
        if leases.isEmpty { return [] }
        let query: PostgresQuery = """
            UPDATE jobs SET lease_until = \(until)
            FROM unnest(\(leases.map(\.id))::uuid[], \(leases.map(\.attempt))::int8[]) AS l(id, attempt)
            WHERE jobs.id = l.id AND jobs.attempt = l.attempt AND jobs.status = 'processing'
            RETURNING jobs.id
            """
        return try await perform {
            var extended = Set<UUID>()
            for try await id in try await self.client.query(query, logger: self.logger).decode(UUID.self) {
                extended.insert(id)
            }
            return extended
        }
    }

    public func recoverExpiredLeases(now: Date) async throws -> Int {
        // Right-hand sides see the row before the update, so `retries` is the old count.
        // Served by the partial index `jobs_leased (lease_until) WHERE status = 'processing'`.
        let query: PostgresQuery = """
            UPDATE jobs SET
                status = CASE WHEN retries >= max_retries THEN 'dlq' ELSE 'pending' END,
                finished_at = CASE WHEN retries >= max_retries THEN \(now) ELSE NULL END,
                retries = retries + 1, error = 'lease expired', run_at = \(now), updated_at = \(now),
                worker_id = NULL, lease_until = NULL
            WHERE status = 'processing' AND lease_until < \(now)
            RETURNING seq
            """
        return try await perform {
            try await self.count(try await self.client.query(query, logger: self.logger))
        }
    }

    /// Counts the rows of a result, reading it to the end.
    func count(_ rows: PostgresRowSequence) async throws -> Int {
        var count = 0
        for try await _ in rows { count += 1 }
        return count
    }
}
