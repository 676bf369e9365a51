import Foundation
import PostgresNIO
import VesperCore

/// Fleet-wide limits on PostgreSQL: queue concurrency and rate limits (table `queues`) and
/// per-job concurrency keys, honoured by the claim.
///
/// Counting leased rows is racy at READ COMMITTED: two nodes' claims could each see room for the
/// last slot. So every limited claim runs in a transaction that first takes one transaction-level
/// advisory lock, and only then runs its statement: the statement's snapshot is taken after the
/// previous limited claim committed, so its counts are exact. Plain claims never take a job a
/// limit applies to (they exclude limited queues and keyed jobs), so they need no lock and keep
/// their cost; limited claims are serialised fleet-wide, one short statement each.
enum PostgresLimitedClaim {
    /// The advisory lock key of limited claims ("vesperLM" in ASCII).
    static let lockKey: Int64 = 0x7665_7370_6572_4C4D

    static let inPlaySQL: PostgresQuery = """
        SELECT EXISTS (SELECT 1 FROM queues WHERE concurrency IS NOT NULL OR rate_limit IS NOT NULL)
            OR EXISTS (SELECT 1 FROM jobs WHERE status = 'pending' AND concurrency_key IS NOT NULL)
        """

    static var lock: PostgresQuery { "SELECT pg_advisory_xact_lock(\(lockKey))" }

    /// The room each limited queue has at `$1`: its concurrency less its leased jobs, its rate less
    /// the claims of the last period, whichever is smaller.
    static let roomCTE = """
        room AS MATERIALIZED (
            SELECT q.name, LEAST(
                COALESCE(q.concurrency - (SELECT count(*) FROM jobs r WHERE r.status = 'processing' AND r.queue = q.name),
                    9000000000000000000),
                COALESCE(q.rate_limit - (
                    SELECT COALESCE(sum(s.started), 0) FROM queue_starts s
                    WHERE s.queue = q.name AND s.started_at > $1 - q.rate_period_ms * interval '1 millisecond'),
                    9000000000000000000)) AS room
            FROM queues q WHERE q.concurrency IS NOT NULL OR q.rate_limit IS NOT NULL)
        """

    /// Leased jobs of the concurrency key `column`.
    static func keyUse(_ column: String) -> String {
        "(SELECT count(*) FROM jobs p WHERE p.status = 'processing' AND p.concurrency_key = \(column))"
    }

    /// The plain claim's filter (`$1` now, `$2` types, `$3` queues, `$4` excluded queues, routing
    /// by `region` and `failoverBefore`) plus the limits.
    static func limitedWhere(region: String, failoverBefore: String) -> String {
        """
        status = 'pending' AND run_at <= $1
                AND ($2::text[] IS NULL OR type = ANY($2::text[]))
                AND ($3::text[] IS NULL OR queue = ANY($3::text[]))
                AND queue <> ALL($4::text[])
                AND queue NOT IN (SELECT name FROM queues WHERE paused)
                AND queue NOT IN (SELECT name FROM room WHERE room <= 0)
                AND (concurrency_key IS NULL OR concurrency_limit > \(keyUse("jobs.concurrency_key")))
                AND (\(PostgresLifecycleSQL.regionFilter(region: region, failoverBefore: failoverBefore))) IS DISTINCT FROM false
        """
    }

    /// The limited claim (`$5` limit, `$6` node, `$7` lease end, `$8` starts now, `$9` candidates):
    /// the first `$9` jobs of the `jobs_claimable` walk that no limit holds back, ranked within
    /// their queue and key so that one statement takes no more than each has room for, then the
    /// best `$5` of them in claim order, locked `SKIP LOCKED` as in the plain claim. A queue or key
    /// with less room than its share of the candidates can make a claim come back short once; the
    /// next claim no longer sees it at all.
    static let claimSQL = """
        WITH \(roomCTE),
        candidates AS MATERIALIZED (
            SELECT seq, queue, priority, fair_tag, concurrency_key AS ckey, concurrency_limit AS climit FROM jobs
            WHERE \(limitedWhere(region: "$10", failoverBefore: "$11"))
            ORDER BY \(PostgresLifecycleSQL.claimOrder)
            LIMIT $9),
        ranked AS (
            SELECT c.*, row_number() OVER (PARTITION BY c.queue ORDER BY c.priority DESC, c.fair_tag, c.seq) AS in_queue,
                row_number() OVER (PARTITION BY c.ckey ORDER BY c.priority DESC, c.fair_tag, c.seq) AS in_key
            FROM candidates c),
        picked AS (
            SELECT jobs.seq FROM jobs JOIN ranked r ON r.seq = jobs.seq LEFT JOIN room ON room.name = r.queue
            WHERE jobs.status = 'pending'
                AND (room.room IS NULL OR r.in_queue <= room.room)
                AND (r.ckey IS NULL OR r.in_key + \(keyUse("r.ckey")) <= r.climit)
            ORDER BY r.priority DESC, r.fair_tag, r.seq
            LIMIT $5
            FOR UPDATE OF jobs SKIP LOCKED)
        UPDATE jobs SET status = 'processing', attempt = jobs.attempt + 1, worker_id = $6,
            lease_until = $7, started_at = CASE WHEN $8 THEN $1 END, updated_at = $1, claimed_at = $1
        FROM picked WHERE jobs.seq = picked.seq
        RETURNING \(PostgresJobRow.claimedColumns())
        """

    static func claim(_ request: ClaimRequest) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: 11)
        bindings.appendClaimFilter(request)
        bindings.appendLease(request)
        bindings.append(Int64(request.limit * 2 + 100))
        bindings.appendRouting(request)
        return PostgresQuery(unsafeSQL: claimSQL, binds: bindings)
    }

    /// The best claimable rank under the limits: the head of the limited claim's walk.
    static func rank(_ request: ClaimRequest) -> PostgresQuery {
        var bindings = PostgresBindings(capacity: 6)
        bindings.appendClaimFilter(request)
        bindings.appendRouting(request)
        return PostgresQuery(
            unsafeSQL: """
                WITH \(roomCTE)
                SELECT priority, fair_tag, seq FROM jobs
                WHERE \(limitedWhere(region: "$5", failoverBefore: "$6"))
                ORDER BY \(PostgresLifecycleSQL.claimOrder)
                LIMIT 1
                """, binds: bindings)
    }

    /// Records the claims of rate-limited queues in their window (one row per queue and claim)
    /// and forgets rows older than their queue's period; in the claim's transaction.
    static func recordStarts(_ jobs: [Job], now: Date) -> PostgresQuery {
        var counts: [String: Int64] = [:]
        for job in jobs { counts[job.queue, default: 0] += 1 }
        let queues = Array(counts.keys)
        let started = queues.map { counts[$0]! }
        return """
            WITH pruned AS (
                DELETE FROM queue_starts s WHERE s.started_at <= \(now) - COALESCE(
                    (SELECT q.rate_period_ms FROM queues q WHERE q.name = s.queue AND q.rate_limit IS NOT NULL), 0)
                    * interval '1 millisecond')
            INSERT INTO queue_starts (queue, started_at, started)
            SELECT c.queue, \(now), c.started FROM unnest(\(queues)::text[], \(started)::int8[]) AS c(queue, started)
            WHERE c.queue IN (SELECT name FROM queues WHERE rate_limit IS NOT NULL)
            """
    }
}
