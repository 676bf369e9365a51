import Foundation
import Logging
import PostgresNIO
import VesperCore

/// Unique keys on PostgreSQL: the `unique_locks` row of a key names the job holding it.
///
/// Runs inside the enqueue's transaction (READ COMMITTED), before the jobs are inserted, in three
/// statements that each see what committed before them:
/// 1. `INSERT ... ON CONFLICT DO NOTHING`: a free key is ours. If another transaction is inserting
///    the same key, this waits for it to end (the primary key's speculative insertion).
/// 2. Otherwise a fresh read of the holder job decides (``UniqueConstraint/isHeld(by:runAt:createdAt:now:)``):
///    still held, the new job is a duplicate, and nothing was locked, so many duplicates of one
///    key do not queue behind each other.
/// 3. Not held: `SELECT ... FOR UPDATE` locks the row, waiting for any transaction that is taking
///    it over, and the holder is read again; still not held, the row is updated to the new job.
/// A single `INSERT ... ON CONFLICT DO UPDATE ... WHERE <holder not held>` is not enough: its
/// `WHERE` would read `jobs` with the statement's snapshot, taken before the holder's transaction
/// committed, and take over a key whose job it cannot see yet.
///
/// Keys are locked in sorted order, so two batches sharing keys cannot deadlock. The row lock is
/// held to the commit, when the new job becomes visible with it.
enum PostgresUniqueLocks {
    /// Who answers for a job that is not inserted.
    enum Holder {
        /// A stored job holds the key.
        case stored(Job)
        /// An earlier job of the same batch took the key.
        case batch(index: Int)
    }

    /// Takes the keys of `jobs`' unique constraints; returns, by index, the jobs not to insert.
    static func acquire(_ jobs: [NewJob], now: Date, on connection: PostgresConnection, logger: Logger) async throws -> [Int: Holder] {
        var indexesByKey: [String: [Int]] = [:]
        for (index, job) in jobs.enumerated() {
            if let unique = job.unique { indexesByKey[unique.key, default: []].append(index) }
        }
        var holders: [Int: Holder] = [:]
        for key in indexesByKey.keys.sorted() {
            var takenBy: Int?
            for index in indexesByKey[key]! {
                let job = jobs[index]
                let unique = job.unique!
                if let earlier = takenBy {
                    // The key is already ours in this transaction: the earlier job, created now, decides.
                    let runAt = max(jobs[earlier].runAt ?? now, now)
                    if unique.isHeld(by: .pending, runAt: runAt, createdAt: now, now: now) {
                        holders[index] = .batch(index: earlier)
                        continue
                    }
                    _ = try await connection.query("UPDATE unique_locks SET job_id = \(job.id) WHERE key = \(key)", logger: logger).collect()
                    takenBy = index
                    continue
                }
                if let holder = try await take(key, for: job.id, unique: unique, now: now, on: connection, logger: logger) {
                    holders[index] = .stored(holder)
                } else {
                    takenBy = index
                }
            }
        }
        return holders
    }

    /// Makes `jobID` the holder of `key` and returns `nil`, or returns the job that still holds it.
    ///
    /// The holder is first read without a lock: a duplicate, the common case when many submit one
    /// key at once, then waits for nobody. Only a take-over locks the row and reads again.
    private static func take(
        _ key: String, for jobID: UUID, unique: UniqueConstraint, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> Job? {
        // A row deleted between the insert and the read (its job was deleted) means: try again.
        retry: while true {
            let inserted = try await connection.query(
                "INSERT INTO unique_locks (key, job_id) VALUES (\(key), \(jobID)) ON CONFLICT (key) DO NOTHING RETURNING job_id",
                logger: logger)
            if try await inserted.collect().count == 1 { return nil }
            for locking in [false, true] {
                guard let current = try await holderID(of: key, locking: locking, on: connection, logger: logger) else { continue retry }
                let holder = try await job(current, on: connection, logger: logger)
                if let holder, unique.isHeld(by: holder.storedStatus, runAt: holder.runAt, createdAt: holder.createdAt, now: now) {
                    return holder
                }
            }
            _ = try await connection.query("UPDATE unique_locks SET job_id = \(jobID) WHERE key = \(key)", logger: logger).collect()
            return nil
        }
    }

    /// The job named by `key`'s row, `nil` when there is none; with `locking`, the row stays locked
    /// to the commit.
    private static func holderID(of key: String, locking: Bool, on connection: PostgresConnection, logger: Logger) async throws -> UUID? {
        let query: PostgresQuery =
            locking
            ? "SELECT job_id FROM unique_locks WHERE key = \(key) FOR UPDATE"
            : "SELECT job_id FROM unique_locks WHERE key = \(key)"
        var found: UUID?
        for try await id in try await connection.query(query, logger: logger).decode(UUID.self) { found = id }
        return found
    }

    /// A fresh read of the job `id`, with its unique key, from whichever table holds it: a done
    /// holder in `finished_jobs` (``PostgresFinishedJobs``) holds the key when `done` is among the
    /// states.
    private static func job(_ id: UUID, on connection: PostgresConnection, logger: Logger) async throws -> Job? {
        var found: Job?
        for try await row in try await connection.query(
            """
            SELECT \(unescaped: PostgresJobRow.columns()), jobs.unique_key FROM \(unescaped: PostgresLifecycleSQL.bothTables) WHERE id = \(id)
            """, logger: logger)
        {
            var job = try PostgresJobRow.job(row)
            job.uniqueKey = try row.makeRandomAccess()[PostgresJobRow.columnCount].decode(String?.self)
            found = job
        }
        return found
    }
}
