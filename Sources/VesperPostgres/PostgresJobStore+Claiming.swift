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
        let statement = PostgresPreparedStatements.Claim(request: request)
        let jobs = try await perform {
            var jobs: [Job] = []
            for try await job in try await self.client.execute(statement, logger: self.logger) { jobs.append(job) }
            return jobs
        }
        // RETURNING has no order; hand jobs out in claim order.
        return jobs.sorted { ($0.priority, -$0.sequence) > ($1.priority, -$1.sequence) }
    }

    /// Applies a batch of completions in one statement: the batch is unnested into rows and joined
    /// to `jobs` on the fencing token (`id`, `attempt`, still `processing`), so a stale token simply
    /// matches nothing. The per-outcome column changes are exactly the SQLite store's. Returns the
    /// tokens of the rows that matched.
    public func finish(_ completions: [Completion], now: Date) async throws -> Set<LeaseToken> {
        if completions.isEmpty { return [] }
        let statement = Self.finishStatement(completions, now: now)
        return try await perform {
            var applied = Set<LeaseToken>()
            for try await token in try await self.client.execute(statement, logger: self.logger) { applied.insert(token) }
            return applied
        }
    }

    /// Both statements in one transaction: one commit, so one WAL flush, instead of two.
    public func finishAndClaim(_ completions: [Completion], _ request: ClaimRequest) async throws -> (finished: Set<LeaseToken>, claimed: [Job]) {
        let claimable = request.limit > 0 && request.types?.isEmpty != true && request.queues?.isEmpty != true
        if completions.isEmpty && !claimable { return ([], []) }
        let finish = completions.isEmpty ? nil : Self.finishStatement(completions, now: request.now)
        let claim = PostgresPreparedStatements.Claim(request: request)
        let (finished, jobs) = try await perform {
            try await self.client.withTransaction(logger: self.logger) { connection -> (Set<LeaseToken>, [Job]) in
                var applied = Set<LeaseToken>()
                if let finish {
                    for try await token in try await connection.execute(finish, logger: self.logger) { applied.insert(token) }
                }
                var jobs: [Job] = []
                if claimable {
                    for try await job in try await connection.execute(claim, logger: self.logger) { jobs.append(job) }
                }
                return (applied, jobs)
            }
        }
        return (finished, jobs.sorted { ($0.priority, -$0.sequence) > ($1.priority, -$1.sequence) })
    }

    private static func finishStatement(_ completions: [Completion], now: Date) -> PostgresPreparedStatements.Finish {
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
        return PostgresPreparedStatements.Finish(
            now: now, ids: completions.map(\.token.id), attempts: completions.map { Int64($0.token.attempt) }, outcomes: outcomes,
            errors: errors, runAts: runAts)
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
