import GRDB

/// Start tags for partitioned jobs on SQLite (see ``ClaimOrder``): the one place this store keeps
/// the `partitions` table. Runs inside the enqueue's write transaction, which SQLite serialises, so
/// reading a partition's last tag and writing the next one cannot race.
enum SQLiteFairShare {
    /// The queue's virtual time: the lowest tag among its pending partitioned jobs (`jobs_fair_pending`,
    /// a min lookup), or, when none is pending, one past the highest tag any of its partitions
    /// handed out (`partitions_last_tag`).
    private static let virtualTimeSQL = """
        SELECT coalesce(
            (SELECT min(fair_tag) FROM jobs INDEXED BY jobs_fair_pending WHERE queue = ?1 AND status = 'pending' AND fair_tag > 0),
            (SELECT max(last_tag) + 1 FROM partitions WHERE queue = ?1),
            1)
        """

    private static let lastTagSQL = "SELECT last_tag FROM partitions WHERE queue = ? AND partition_key = ?"

    private static let recordSQL = """
        INSERT INTO partitions (queue, partition_key, last_tag) VALUES (?1, ?2, ?3)
        ON CONFLICT (queue, partition_key) DO UPDATE SET last_tag = ?3
        """

    /// The tag of the next job of `partition` in `queue`, recorded as the partition's last:
    /// `max(last tag + 1, virtual time)`. A partition that was idle starts at the queue's current
    /// turn instead of where it left off (or at the start, which would jump the queue).
    static func nextTag(queue: String, partition: String, db: Database) throws -> Int64 {
        let virtualTime = try Int64.fetchOne(db.cachedStatement(sql: virtualTimeSQL), arguments: [queue]) ?? 1
        let last = try Int64.fetchOne(db.cachedStatement(sql: lastTagSQL), arguments: [queue, partition])
        let tag = max((last ?? 0) + 1, virtualTime)
        try db.cachedStatement(sql: recordSQL).execute(arguments: [queue, partition, tag])
        return tag
    }
}
