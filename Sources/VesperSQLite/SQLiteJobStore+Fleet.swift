import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: NodeRegistry {
    public func registerNode(_ node: NodeInfo) async throws {
        try await run {
            try await self.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO nodes (id, hostname, pid, api_addr, workers, busy, version, types, started_at,
                            last_heartbeat, jobs_done, jobs_failed, region)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        node.id, node.hostname, node.pid, node.apiAddress, node.workers, node.busy, node.version,
                        node.types.joined(separator: ","), SQLiteRow.micros(node.startedAt), SQLiteRow.micros(node.lastHeartbeat),
                        node.jobsDone, node.jobsFailed, node.region,
                    ])
                try Self.touchRegion(node.region, at: SQLiteRow.micros(node.lastHeartbeat), db: db)
            }
        }
    }

    public func heartbeat(nodeID: String, _ beat: NodeHeartbeat, at now: Date) async throws -> Bool {
        try await run {
            try await self.pool.write { db in
                try db.execute(
                    sql: "UPDATE nodes SET last_heartbeat = ?, api_addr = ?, busy = ?, jobs_done = ?, jobs_failed = ? WHERE id = ?",
                    arguments: [SQLiteRow.micros(now), beat.apiAddress, beat.busy, beat.jobsDone, beat.jobsFailed, nodeID])
                guard db.changesCount == 1 else { return false }
                if let region = try String.fetchOne(db, sql: "SELECT region FROM nodes WHERE id = ?", arguments: [nodeID]) {
                    try Self.touchRegion(region, at: SQLiteRow.micros(now), db: db)
                }
                return true
            }
        }
    }

    /// Marks `region` as having had a live node at `micros` (the `regions` table that
    /// `REGION_FAILOVER_AFTER` counts from); never moves `last_seen` back.
    private static func touchRegion(_ region: String, at micros: Int64, db: Database) throws {
        try db.execute(
            sql: """
                INSERT INTO regions (name, last_seen) VALUES (?, ?)
                ON CONFLICT (name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
                """,
            arguments: [region, micros])
    }

    public func deregisterNode(id: String) async throws {
        try await run {
            try await self.pool.write { db in try db.execute(sql: "DELETE FROM nodes WHERE id = ?", arguments: [id]) }
        }
    }

    public func listNodes() async throws -> [NodeInfo] {
        try await run {
            try await self.pool.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, hostname, pid, api_addr, workers, busy, version, types, started_at, last_heartbeat, jobs_done, jobs_failed,
                            region
                        FROM nodes
                        """
                ).map { row in
                    NodeInfo(
                        id: row[0], hostname: row[1], pid: row[2], apiAddress: row[3], workers: row[4], busy: row[5], version: row[6],
                        types: (row[7] as String).split(separator: ",").map(String.init), startedAt: SQLiteRow.date(row[8]),
                        lastHeartbeat: SQLiteRow.date(row[9]), jobsDone: row[10], jobsFailed: row[11], region: row[12])
                }
            }
        }
    }

    public func reapNodes(silentSince: Date, now: Date) async throws -> ReapResult {
        let cutoff = SQLiteRow.micros(silentSince)
        let now = SQLiteRow.micros(now)
        return try await run {
            try await self.pool.write { db in
                // One IMMEDIATE transaction: concurrent reapers are serialised by SQLite's write lock,
                // so each dead node is deleted, and its jobs released, by exactly one of them.
                let dead = try String.fetchAll(db, sql: "DELETE FROM nodes WHERE last_heartbeat < ? RETURNING id", arguments: [cutoff])
                var released = 0
                for node in dead {
                    let lost = SQLiteLifecycleSQL.lostAttempt(.nodeStopped(node), now: now)
                    try db.execute(
                        sql: "UPDATE jobs INDEXED BY jobs_leased SET \(lost.assignments) WHERE status = 'processing' AND worker_id = ?",
                        arguments: lost.arguments + [node])
                    released += db.changesCount
                }
                return ReapResult(nodes: dead.sorted(), releasedJobs: released)
            }
        }
    }
}
