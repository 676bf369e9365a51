import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: RankReadingFinish {
    /// The heart of the queue: one statement picks and leases up to `limit` claimable jobs.
    ///
    /// The CTE walks the partial index `jobs_claimable (priority DESC, fair_tag, seq) WHERE status = 'pending'`
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
            if try await self.limitsInPlay() {
                return try await self.client.withTransaction(logger: self.logger) { connection in
                    try await self.claimUnderLimits(request, on: connection)
                }
            }
            var jobs: [Job] = []
            for try await job in try await self.client.execute(statement, logger: self.logger) { jobs.append(job) }
            return jobs
        }
        // RETURNING has no order; hand jobs out in claim order.
        return ClaimOrder.sorted(jobs)
    }

    /// The head of the claim's index walk, read at READ COMMITTED: the statement's snapshot holds
    /// every commit made before it began. Under limits, the head of the limited claim's walk: a
    /// job a limit holds back is not claimable.
    public func bestClaimableRank(_ request: ClaimRequest) async throws -> JobRank? {
        if request.types?.isEmpty == true || request.queues?.isEmpty == true { return nil }
        let statement = PostgresPreparedStatements.BestClaimableRank(request: request)
        return try await perform {
            if try await self.limitsInPlay() {
                let rows = try await self.client.query(PostgresLimitedClaim.rank(request), logger: self.logger)
                for try await (priority, fairTag, sequence) in rows.decode((Int, Int64, Int64).self) {
                    return JobRank(priority: priority, fairTag: fairTag, sequence: sequence)
                }
                return nil
            }
            for try await rank in try await self.client.execute(statement, logger: self.logger) { return rank }
            return nil
        }
    }

    /// Applies a batch of completions in one statement: the batch is unnested into rows and joined
    /// to `jobs` on the fencing token (`id`, `attempt`, still `processing`), so a stale token simply
    /// matches nothing. The per-outcome column changes are the core's ``CompletionEffect``, as in
    /// the SQLite store. Returns the tokens of the rows that matched.
    public func finish(_ completions: [Completion], now: Date) async throws -> Set<LeaseToken> {
        if completions.isEmpty { return [] }
        let statement = PostgresLifecycleSQL.finish(completions, now: now)
        return try await perform {
            var applied = Set<LeaseToken>()
            for try await token in try await self.client.execute(statement, logger: self.logger) { applied.insert(token) }
            return applied
        }
    }

    /// The finish and the rank read in one statement (``PostgresPreparedStatements/FinishReadingRank``).
    public func finish(_ completions: [Completion], now: Date, readingBestRankFor request: ClaimRequest) async throws -> (
        finished: Set<LeaseToken>, best: JobRank?
    ) {
        if request.types?.isEmpty == true || request.queues?.isEmpty == true {
            return (try await finish(completions, now: now), nil)
        }
        if completions.isEmpty { return ([], try await bestClaimableRank(request)) }
        // Under limits the rank is the limited claim's, which is not one statement with the finish.
        // The cached answer first: a completion batch should not pay a round of `perform` for it.
        let knownUnlimited = limitPresence.withLock { $0.current(now: .now) } == false
        if !knownUnlimited, try await perform({ try await self.limitsInPlay() }) {
            return (try await finish(completions, now: now), try await bestClaimableRank(request))
        }
        let statement = PostgresPreparedStatements.FinishReadingRank(finish: PostgresLifecycleSQL.finish(completions, now: now), request: request)
        return try await perform {
            var applied = Set<LeaseToken>()
            var best: JobRank?
            for try await row in try await self.client.execute(statement, logger: self.logger) {
                switch row {
                case .applied(let token): applied.insert(token)
                case .best(let rank): best = rank
                }
            }
            return (applied, best)
        }
    }

    /// Both statements in one transaction: one commit, so one WAL flush, instead of two.
    public func finishAndClaim(_ completions: [Completion], _ request: ClaimRequest) async throws -> (finished: Set<LeaseToken>, claimed: [Job]) {
        let claimable = request.limit > 0 && request.types?.isEmpty != true && request.queues?.isEmpty != true
        if completions.isEmpty && !claimable { return ([], []) }
        let finish = completions.isEmpty ? nil : PostgresLifecycleSQL.finish(completions, now: request.now)
        let claim = PostgresPreparedStatements.Claim(request: request)
        let (finished, jobs) = try await perform {
            let limited = claimable ? try await self.limitsInPlay() : false
            return try await self.client.withTransaction(logger: self.logger) { connection -> (Set<LeaseToken>, [Job]) in
                var applied = Set<LeaseToken>()
                if let finish {
                    for try await token in try await connection.execute(finish, logger: self.logger) { applied.insert(token) }
                }
                var jobs: [Job] = []
                if claimable, limited {
                    jobs = try await self.claimUnderLimits(request, on: connection)
                } else if claimable {
                    for try await job in try await connection.execute(claim, logger: self.logger) { jobs.append(job) }
                }
                return (applied, jobs)
            }
        }
        return (finished, ClaimOrder.sorted(jobs))
    }

    public func renewLeases(_ renewal: LeaseRenewal) async throws -> LeaseRenewalResult {
        if renewal.leases.isEmpty { return LeaseRenewalResult(extended: [], cancelled: []) }
        let query = PostgresLifecycleSQL.renew(renewal)
        return try await perform {
            var result = LeaseRenewalResult(extended: [], cancelled: [])
            for try await (id, cancelled) in try await self.client.query(query, logger: self.logger).decode((UUID, Bool).self) {
                if cancelled { result.cancelled.insert(id) } else { result.extended.insert(id) }
            }
            return result
        }
    }

    public func recoverExpiredLeases(now: Date) async throws -> Int {
        let query = PostgresLifecycleSQL.recover(.leaseEndedBefore(now), .leaseExpired, now: now)
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

    /// The limited claim in the caller's transaction on `connection`: the advisory lock first, so
    /// that the claim's snapshot follows every earlier limited claim's commit (see
    /// ``PostgresLimitedClaim``), then the claim, then the record of its starts.
    func claimUnderLimits(_ request: ClaimRequest, on connection: PostgresConnection) async throws -> [Job] {
        try await connection.query(PostgresLimitedClaim.lock, logger: logger).drain()
        var jobs: [Job] = []
        for try await row in try await connection.query(PostgresLimitedClaim.claim(request), logger: logger) {
            jobs.append(try PostgresJobRow.job(row))
        }
        if !jobs.isEmpty {
            try await connection.query(PostgresLimitedClaim.recordStarts(jobs, now: request.now), logger: logger).drain()
        }
        return jobs
    }

    /// Whether a fleet-wide limit may apply, read again when the last answer is older than
    /// ``LimitPresence/maximumAge``.
    func limitsInPlay() async throws -> Bool {
        let now = ContinuousClock.now
        if let known = limitPresence.withLock({ $0.current(now: now) }) { return known }
        var inPlay = false
        for try await value in try await client.query(PostgresLimitedClaim.inPlaySQL, logger: logger).decode(Bool.self) { inPlay = value }
        limitPresence.withLock { $0.record(inPlay, at: now) }
        return inPlay
    }

    /// A limit was set or a keyed job enqueued through this node: claim under limits from now on.
    func limitsMayApply() {
        limitPresence.withLock { $0.markInPlay(now: .now) }
    }
}
