import Foundation
import GRDB
import Synchronization
import VesperCore

extension SQLiteJobStore: RankReadingFinish {
    public func claim(_ request: ClaimRequest) async throws -> [Job] {
        guard let claim = ClaimStatement(request) else { return [] }
        let jobs = try await run {
            try await self.pool.write { db in try claim.run(db, limited: self.limitsInPlay(db)) }
        }
        // `RETURNING` has no order; hand jobs out in claim order.
        return ClaimOrder.sorted(jobs)
    }

    /// The head of the same index walk as the claim, read without the write lock: a read
    /// transaction of the pool sees every commit made before it began.
    public func bestClaimableRank(_ request: ClaimRequest) async throws -> JobRank? {
        guard let read = BestRankStatement(request) else { return nil }
        return try await run {
            try await self.pool.read { db in try read.run(db, limited: self.limitsInPlay(db)) }
        }
    }

    /// ``bestClaimableRank(_:)`` as one statement, for a read transaction or the writer's.
    private struct BestRankStatement {
        let filter: ClaimFilter
        let plain: String
        let now: Int64

        /// `nil` when the request can match nothing.
        init?(_ request: ClaimRequest) {
            var request = request
            request.limit = 1
            guard let filter = ClaimFilter(request) else { return nil }
            self.filter = filter
            plain = """
                SELECT priority, fair_tag, seq FROM jobs INDEXED BY jobs_claimable
                WHERE \(filter.sql)
                        AND \(SQLiteLimitedClaim.unlimitedOnly)
                ORDER BY \(SQLiteLifecycleSQL.claimOrder)
                LIMIT 1
                """
            now = SQLiteRow.micros(request.now)
        }

        /// The same limits as the claim: under them, a job a limit holds back is not claimable.
        func run(_ db: Database, limited: Bool) throws -> JobRank? {
            let sql = limited ? SQLiteLimitedClaim.rankSQL(filter: filter.sql) : plain
            var arguments: StatementArguments = filter.arguments
            if limited {
                arguments = [now]
                arguments += filter.arguments
            }
            return try Row.fetchOne(db.cachedStatement(sql: sql), arguments: arguments).map {
                JobRank(priority: $0[0], fairTag: $0[1], sequence: $0[2])
            }
        }
    }

    public func finish(_ completions: [Completion], now: Date) async throws -> Set<LeaseToken> {
        let now = SQLiteRow.micros(now)
        return try await run {
            try await self.pool.write { db in try Self.apply(completions, now: now, db: db) }
        }
    }

    /// The completions, then the rank read, in one IMMEDIATE transaction: the read is one cached
    /// statement under the write lock already held, with no thread hop of its own.
    public func finish(_ completions: [Completion], now: Date, readingBestRankFor request: ClaimRequest) async throws -> (
        finished: Set<LeaseToken>, best: JobRank?
    ) {
        let read = BestRankStatement(request)
        let now = SQLiteRow.micros(now)
        return try await run {
            try await self.pool.write { db in
                (try Self.apply(completions, now: now, db: db), try read?.run(db, limited: self.limitsInPlay(db)))
            }
        }
    }

    /// Both in one IMMEDIATE transaction: one commit, so one fsync, instead of two.
    public func finishAndClaim(_ completions: [Completion], _ request: ClaimRequest) async throws -> (finished: Set<LeaseToken>, claimed: [Job]) {
        let claim = ClaimStatement(request)
        let now = SQLiteRow.micros(request.now)
        let (finished, jobs) = try await run {
            try await self.pool.write { db in
                (try Self.apply(completions, now: now, db: db), try claim?.run(db, limited: self.limitsInPlay(db)) ?? [])
            }
        }
        // `RETURNING` has no order; hand jobs out in claim order.
        return (finished, ClaimOrder.sorted(jobs))
    }

    /// The heart of the queue: one statement under the write lock (IMMEDIATE transaction) picks
    /// the claimable jobs through the partial index `jobs_claimable` (priority DESC, fair_tag, seq) and
    /// leases them, bumping `attempt`, the fencing token. SQLite serialises writers, so two claims
    /// can never select the same row. Queue selection and the paused-queue filter are row filters
    /// on that index walk; the paused set is an uncorrelated subquery on the tiny `queues` table,
    /// evaluated once per statement, so a pause needs no cooperation from nodes.
    ///
    /// `INDEXED BY` is required: without statistics the planner preferred a status index and
    /// sorted every pending row in a temp B-tree on each claim, O(backlog) instead of O(limit)
    /// (a 100k backlog drained at ~700 jobs/s instead of tens of thousands).
    ///
    /// `started_at` stays empty: a leased job has not started until its handler does, which its
    /// completion records.
    ///
    /// When a limit can apply (``limitsInPlay(_:)``), the limited form runs instead; with none the
    /// claim is this one statement, which leaves keyed jobs and limited queues alone.
    private struct ClaimStatement {
        let sql: String
        let arguments: StatementArguments

        /// `nil` when the request can match nothing (an empty type or queue selection).
        init?(_ request: ClaimRequest) {
            guard let filter = ClaimFilter(request) else { return nil }
            let startedAt: Int64? = request.startsNow ? SQLiteRow.micros(request.now) : nil
            self.arguments = [request.workerID, SQLiteRow.micros(request.leaseUntil), startedAt, SQLiteRow.micros(request.now)] + filter.arguments
                + [request.limit]
            sql = """
                UPDATE jobs
                SET status = 'processing', attempt = attempt + 1, worker_id = ?, lease_until = ?, started_at = ?, updated_at = ?
                WHERE seq IN (
                    SELECT seq FROM jobs INDEXED BY jobs_claimable
                    WHERE \(filter.sql)
                        AND \(SQLiteLimitedClaim.unlimitedOnly)
                    ORDER BY \(SQLiteLifecycleSQL.claimOrder)
                    LIMIT ?)
                RETURNING \(SQLiteRow.claimedColumns)
                """
            self.request = request
            self.filter = filter
        }

        private let request: ClaimRequest
        private let filter: ClaimFilter

        func run(_ db: Database, limited: Bool) throws -> [Job] {
            if limited { return try runLimited(db) }
            return try SQLiteRow.claimedJobs(db.cachedStatement(sql: sql), arguments: arguments, request: request)
        }

        /// The claim under the limits, and the record of its starts for rate windows.
        private func runLimited(_ db: Database) throws -> [Job] {
            let now = SQLiteRow.micros(request.now)
            let startedAt: Int64? = request.startsNow ? now : nil
            var arguments: StatementArguments = [now]
            arguments += filter.arguments
            arguments += [SQLiteLimitedClaim.scanLimit(request.limit)]
            arguments += [request.workerID]
            let leaseUntil: Int64 = SQLiteRow.micros(request.leaseUntil)
            arguments += [leaseUntil, startedAt, now, now]
            arguments += [request.limit]
            let jobs = try SQLiteRow.claimedJobs(
                db.cachedStatement(sql: SQLiteLimitedClaim.claimSQL(filter: filter.sql)), arguments: arguments, request: request)
            try SQLiteLimitedClaim.recordStarts(jobs, now: now, db: db)
            return jobs
        }
    }

    /// Which rows are claimable for a request: the `WHERE` clause of the `jobs_claimable` walk
    /// shared by the claim and ``bestClaimableRank(_:)`` (and the read after a finish), and its values.
    private struct ClaimFilter {
        let sql: String
        let arguments: StatementArguments

        /// `nil` when the request can match nothing (an empty type or queue selection).
        init?(_ request: ClaimRequest) {
            if request.limit <= 0 || request.types?.isEmpty == true || request.queues?.isEmpty == true { return nil }
            var filters = ""
            var arguments: StatementArguments = [SQLiteRow.micros(request.now)]
            func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
            if let types = request.types {
                filters += " AND type IN (\(placeholders(types.count)))"
                arguments += StatementArguments(types)
            }
            if let queues = request.queues {
                filters += " AND queue IN (\(placeholders(queues.count)))"
                arguments += StatementArguments(queues)
            }
            if !request.excludedQueues.isEmpty {
                filters += " AND queue NOT IN (\(placeholders(request.excludedQueues.count)))"
                arguments += StatementArguments(request.excludedQueues)
            }
            // Routing (see `PostgresLifecycleSQL.regionFilter`): a job without a region is claimable
            // anywhere, a routed one in its region, or, when not strict, anywhere once its region
            // was last seen before the failover cutoff (a region never seen does not fail over).
            arguments += [request.region]
            var failover = ""
            if let cutoff = request.regionFailoverBefore {
                failover = " OR (region_strict = 0 AND region IN (SELECT name FROM regions WHERE last_seen < ?))"
                arguments += [SQLiteRow.micros(cutoff)]
            }
            self.arguments = arguments
            sql = """
                status = 'pending' AND run_at <= ?\(filters)
                        AND queue NOT IN (SELECT name FROM queues WHERE paused = 1)
                        AND (region IS NULL OR region = ?\(failover))
                """
        }
    }

    /// Applies completions inside the caller's transaction; returns the tokens of those applied
    /// (each statement is fenced, so it changed one row or none). Each kind of outcome has one
    /// statement (``SQLiteLifecycleSQL/finishStatements``), looked up once per batch: on a busy
    /// node nearly every completion is `done`.
    private static func apply(_ completions: [Completion], now: Int64, db: Database) throws -> Set<LeaseToken> {
        var applied = Set<LeaseToken>()
        var statements: [Completion.Outcome.Kind: Statement] = [:]
        for completion in completions {
            let kind = completion.outcome.kind
            let statement: Statement
            if let prepared = statements[kind] {
                statement = prepared
            } else {
                statement = try db.cachedStatement(sql: SQLiteLifecycleSQL.finishStatements[kind]!)
                statements[kind] = statement
            }
            statement.setUncheckedArguments(SQLiteLifecycleSQL.finishArguments(completion, now: now))
            try statement.execute()
            if db.changesCount == 1 { applied.insert(completion.token) }
        }
        return applied
    }

    /// Whether a fleet-wide limit may apply, read again (in the caller's transaction) when the last
    /// answer is older than ``LimitPresence/maximumAge``.
    func limitsInPlay(_ db: Database) throws -> Bool {
        let now = ContinuousClock.now
        if let known = limitPresence.withLock({ $0.current(now: now) }) { return known }
        let inPlay = try SQLiteLimitedClaim.inPlay(db)
        limitPresence.withLock { $0.record(inPlay, at: now) }
        return inPlay
    }

    /// A limit was set or a keyed job enqueued through this node: claim under limits from now on.
    func limitsMayApply() {
        limitPresence.withLock { $0.markInPlay(now: .now) }
    }

    public func renewLeases(_ renewal: LeaseRenewal) async throws -> LeaseRenewalResult {
        let until = SQLiteRow.micros(renewal.until)
        let now = SQLiteRow.micros(renewal.now)
        return try await run {
            try await self.pool.write { db in
                var result = LeaseRenewalResult(extended: [], cancelled: [])
                let statement = try db.cachedStatement(sql: SQLiteLifecycleSQL.renewStatement)
                for lease in renewal.leases {
                    let progress = renewal.progress[lease]?.storedText
                    let arguments: StatementArguments = [until, now, progress, lease.id.lowercaseText, lease.attempt]
                    guard let cancelled = try Bool.fetchOne(statement, arguments: arguments) else { continue }
                    if cancelled { result.cancelled.insert(lease.id) } else { result.extended.insert(lease.id) }
                }
                return result
            }
        }
    }

    public func recoverExpiredLeases(now: Date) async throws -> Int {
        let now = SQLiteRow.micros(now)
        return try await run {
            try await self.pool.write { db in
                let lost = SQLiteLifecycleSQL.lostAttempt(.leaseExpired, now: now)
                try db.execute(
                    sql: "UPDATE jobs SET \(lost.assignments) WHERE status = 'processing' AND lease_until < ?",
                    arguments: lost.arguments + [now])
                return db.changesCount
            }
        }
    }
}
