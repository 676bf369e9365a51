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
/// 2. Otherwise `SELECT ... FOR UPDATE` locks the row, waiting for any transaction that is taking
///    it over, and reads the current holder.
/// 3. A fresh read of the holder job decides (``UniqueConstraint/isHeld(by:runAt:createdAt:now:)``):
///    still held, the new job is a duplicate; otherwise the row is updated to the new job.
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
    private static func take(
        _ key: String, for jobID: UUID, unique: UniqueConstraint, now: Date, on connection: PostgresConnection, logger: Logger
    ) async throws -> Job? {
        // A row deleted between the insert and the lock (its job was deleted) means: try again.
        while true {
            let inserted = try await connection.query(
                "INSERT INTO unique_locks (key, job_id) VALUES (\(key), \(jobID)) ON CONFLICT (key) DO NOTHING RETURNING job_id",
                logger: logger)
            if try await inserted.collect().count == 1 { return nil }
            var current: UUID?
            for try await id in try await connection.query(
                "SELECT job_id FROM unique_locks WHERE key = \(key) FOR UPDATE", logger: logger
            ).decode(UUID.self) {
                current = id
            }
            guard let current else { continue }
            var holder: Job?
            for try await row in try await connection.query(
                "SELECT \(unescaped: PostgresJobRow.columns()), jobs.unique_key FROM jobs WHERE id = \(current)", logger: logger)
            {
                var job = try PostgresJobRow.job(row)
                job.uniqueKey = try row.makeRandomAccess()[PostgresJobRow.columnCount].decode(String?.self)
                holder = job
            }
            if let holder, unique.isHeld(by: holder.storedStatus, runAt: holder.runAt, createdAt: holder.createdAt, now: now) {
                return holder
            }
            _ = try await connection.query("UPDATE unique_locks SET job_id = \(jobID) WHERE key = \(key)", logger: logger).collect()
            return nil
        }
    }
}
