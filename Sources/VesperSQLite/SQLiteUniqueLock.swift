import Foundation
import GRDB
import VesperCore

/// Unique keys on SQLite: the `unique_locks` row of a key names the job holding it.
///
/// Called inside the enqueue's write transaction, which SQLite runs alone (one writer per file,
/// across processes), so reading the holder and then writing the row cannot interleave with
/// another enqueue of the same key. The primary key on `key` keeps one holder per key regardless.
enum SQLiteUniqueLock {
    /// The job holding `unique.key` at `now` by ``UniqueConstraint/isHeld(by:runAt:createdAt:now:)``,
    /// or `nil` when the key is free: no row, its job gone, finished out of the states, or too old.
    static func holder(of unique: UniqueConstraint, db: Database, now: Date) throws -> Job? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT \(SQLiteRow.columns), jobs.unique_key FROM unique_locks JOIN jobs ON jobs.id = unique_locks.job_id
                    WHERE unique_locks.key = ?
                    """,
                arguments: [unique.key])
        else { return nil }
        var job = try SQLiteRow.job(row)
        job.uniqueKey = row["unique_key"]
        return unique.isHeld(by: job.storedStatus, runAt: job.runAt, createdAt: job.createdAt, now: now) ? job : nil
    }

    /// Makes `jobID` the holder of `key`, taking over a row whose holder no longer holds it.
    static func take(_ key: String, jobID: UUID, db: Database) throws {
        try db.execute(
            sql: "INSERT INTO unique_locks (key, job_id) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET job_id = excluded.job_id",
            arguments: [key, jobID.lowercaseText])
    }
}
