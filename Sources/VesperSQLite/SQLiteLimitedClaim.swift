import Foundation
import GRDB
import VesperCore

/// Fleet-wide limits on SQLite: queue concurrency and rate limits (table `queues`) and per-job
/// concurrency keys, honoured by the claim under the write lock.
///
/// SQLite has one writer, so the claim's counts of leased jobs and recent starts cannot change
/// under it: nothing else serialises limited claims. The plain claim never takes a job a limit
/// applies to (``unlimitedOnly``), so when no queue has a limit and no keyed job waits (as the
/// store last read it, ``LimitPresence``) the claim is the plain statement and pays no read for
/// the limits at all.
enum SQLiteLimitedClaim {
    /// Whether any limit can hold a job back: a queue with a limit, or a keyed job waiting.
    static let inPlaySQL = """
        SELECT EXISTS (SELECT 1 FROM queues WHERE concurrency IS NOT NULL OR rate_limit IS NOT NULL)
            OR EXISTS (SELECT 1 FROM jobs INDEXED BY jobs_keyed WHERE status = 'pending' AND concurrency_key IS NOT NULL)
        """

    static func inPlay(_ db: Database) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: inPlaySQL)) ?? false
    }

    /// The plain claim's own filter: no keyed job and no job of a limited queue, which only the
    /// limited claim takes. With it, a node that has not yet seen a new limit or keyed job
    /// (``LimitPresence/maximumAge``) leaves them alone instead of overshooting.
    static let unlimitedOnly = """
        concurrency_key IS NULL
                AND queue NOT IN (SELECT name FROM queues WHERE concurrency IS NOT NULL OR rate_limit IS NOT NULL)
        """

    /// The room each limited queue has now: its concurrency less its leased jobs, its rate less the
    /// claims of the last period, whichever is smaller. One `?`: now (microseconds).
    static let roomCTE = """
        room AS (
            SELECT q.name AS name, MIN(
                COALESCE(q.concurrency - (
                    SELECT COUNT(*) FROM jobs AS r INDEXED BY jobs_leased WHERE r.status = 'processing' AND r.queue = q.name),
                    9000000000000000000),
                COALESCE(q.rate_limit - (
                    SELECT COALESCE(SUM(s.started), 0) FROM queue_starts AS s
                    WHERE s.queue = q.name AND s.started_at > ? - q.rate_period_ms * 1000),
                    9000000000000000000)) AS room
            FROM queues AS q WHERE q.concurrency IS NOT NULL OR q.rate_limit IS NOT NULL)
        """

    /// Leased jobs of the concurrency key of `alias`'s row.
    static func keyUse(_ keyColumn: String) -> String {
        "(SELECT COUNT(*) FROM jobs AS p INDEXED BY jobs_keyed WHERE p.status = 'processing' AND p.concurrency_key = \(keyColumn))"
    }

    /// The claim's filter plus the limits: no job of a queue without room, none whose key is at its limit.
    static func limitedWhere(_ filter: String) -> String {
        """
        \(filter)
                AND queue NOT IN (SELECT name FROM room WHERE room <= 0)
                AND (concurrency_key IS NULL OR concurrency_limit > \(keyUse("jobs.concurrency_key")))
        """
    }

    /// The limited claim: the first candidates of the `jobs_claimable` walk that no limit holds
    /// back, ranked within their queue and their key so that one statement takes no more than each
    /// has room for, then the best `limit` of them in claim order. Candidates are capped at
    /// `scan` rows: a queue or key with less room than its share of them can make a claim come
    /// back short once; the next claim no longer sees that queue or key at all.
    static func claimSQL(filter: String) -> String {
        """
        WITH \(roomCTE),
        candidates AS (
            SELECT seq, queue, priority, fair_tag, concurrency_key AS ckey, concurrency_limit AS climit FROM jobs INDEXED BY jobs_claimable
            WHERE \(limitedWhere(filter))
            ORDER BY \(SQLiteLifecycleSQL.claimOrder)
            LIMIT ?),
        ranked AS (
            SELECT seq, queue, priority, fair_tag, ckey, climit,
                row_number() OVER (PARTITION BY queue ORDER BY \(SQLiteLifecycleSQL.claimOrder)) AS in_queue,
                row_number() OVER (PARTITION BY ckey ORDER BY \(SQLiteLifecycleSQL.claimOrder)) AS in_key
            FROM candidates)
        UPDATE jobs
        SET status = 'processing', attempt = attempt + 1, worker_id = ?, lease_until = ?, started_at = ?, updated_at = ?, claimed_at = ?
        WHERE seq IN (
            SELECT ranked.seq FROM ranked LEFT JOIN room ON room.name = ranked.queue
            WHERE (room.room IS NULL OR ranked.in_queue <= room.room)
                AND (ranked.ckey IS NULL OR ranked.in_key + \(keyUse("ranked.ckey")) <= ranked.climit)
            ORDER BY ranked.priority DESC, ranked.fair_tag, ranked.seq
            LIMIT ?)
        RETURNING \(SQLiteRow.claimedColumns)
        """
    }

    /// The best claimable rank under the limits (the head of ``claimSQL(filter:)``'s walk).
    static func rankSQL(filter: String) -> String {
        """
        WITH \(roomCTE)
        SELECT priority, fair_tag, seq FROM jobs INDEXED BY jobs_claimable
        WHERE \(limitedWhere(filter))
        ORDER BY \(SQLiteLifecycleSQL.claimOrder)
        LIMIT 1
        """
    }

    /// How many candidates a claim for `limit` jobs ranks.
    static func scanLimit(_ limit: Int) -> Int { limit * 2 + 100 }

    /// Records the claims of rate-limited queues in their window, and forgets claims older than
    /// their queue's period. Runs in the claim's transaction.
    static func recordStarts(_ jobs: [Job], now: Int64, db: Database) throws {
        let rated = try Set(String.fetchAll(db.cachedStatement(sql: "SELECT name FROM queues WHERE rate_limit IS NOT NULL")))
        try db.execute(
            sql: """
                DELETE FROM queue_starts WHERE started_at <= ? - 1000 * COALESCE(
                    (SELECT rate_period_ms FROM queues WHERE queues.name = queue_starts.queue AND rate_limit IS NOT NULL), 0)
                """, arguments: [now])
        if rated.isEmpty { return }
        var started: [String: Int] = [:]
        for job in jobs where rated.contains(job.queue) { started[job.queue, default: 0] += 1 }
        let insert = try db.cachedStatement(sql: "INSERT INTO queue_starts (queue, started_at, started) VALUES (?, ?, ?)")
        for (queue, count) in started { try insert.execute(arguments: [queue, now, count]) }
    }
}
