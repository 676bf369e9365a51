import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: NodeRegistry {
    public func registerNode(_ node: NodeInfo) async throws {
        let types = node.types.joined(separator: ",")
        try await perform {
            try await self.client.query(
                """
                INSERT INTO nodes (id, hostname, pid, api_addr, workers, busy, version, types, started_at, last_heartbeat,
                    jobs_done, jobs_failed, region)
                VALUES (\(node.id), \(node.hostname), \(node.pid), \(node.apiAddress), \(node.workers), \(node.busy), \(node.version),
                    \(types), \(node.startedAt), \(node.lastHeartbeat), \(node.jobsDone), \(node.jobsFailed), \(node.region))
                ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, pid = EXCLUDED.pid, api_addr = EXCLUDED.api_addr,
                    workers = EXCLUDED.workers, busy = EXCLUDED.busy, version = EXCLUDED.version, types = EXCLUDED.types,
                    started_at = EXCLUDED.started_at, last_heartbeat = EXCLUDED.last_heartbeat, jobs_done = EXCLUDED.jobs_done,
                    jobs_failed = EXCLUDED.jobs_failed, region = EXCLUDED.region
                """, logger: self.logger
            ).drain()
            try await self.client.query(
                """
                INSERT INTO regions (name, last_seen) VALUES (\(node.region), \(node.lastHeartbeat))
                ON CONFLICT (name) DO UPDATE SET last_seen = GREATEST(regions.last_seen, EXCLUDED.last_seen)
                """, logger: self.logger
            ).drain()
        }
    }

    /// Also marks the node's region as seen at `now` (the `regions` table that
    /// `REGION_FAILOVER_AFTER` counts from), in the same statement.
    public func heartbeat(nodeID: String, _ beat: NodeHeartbeat, at now: Date) async throws -> Bool {
        try await perform {
            let rows = try await self.client.query(
                """
                WITH beat AS (
                    UPDATE nodes SET last_heartbeat = \(now), api_addr = \(beat.apiAddress), busy = \(beat.busy),
                        jobs_done = \(beat.jobsDone), jobs_failed = \(beat.jobsFailed)
                    WHERE id = \(nodeID)
                    RETURNING id, region),
                seen AS (
                    INSERT INTO regions (name, last_seen) SELECT region, \(now) FROM beat
                    ON CONFLICT (name) DO UPDATE SET last_seen = GREATEST(regions.last_seen, EXCLUDED.last_seen))
                SELECT id FROM beat
                """, logger: self.logger)
            var found = false
            for try await _ in rows { found = true }
            return found
        }
    }

    public func deregisterNode(id: String) async throws {
        try await perform {
            try await self.client.query("DELETE FROM nodes WHERE id = \(id)", logger: self.logger).drain()
        }
    }

    public func listNodes() async throws -> [NodeInfo] {
        try await perform {
            let rows = try await self.client.query(
                """
                SELECT id, hostname, pid, api_addr, workers, busy, version, types, started_at, last_heartbeat, jobs_done, jobs_failed,
                    region
                FROM nodes
                """, logger: self.logger)
            var nodes: [NodeInfo] = []
            for try await (id, hostname, pid, api, workers, busy, version, types, startedAt, lastHeartbeat, done, failed, region)
                in rows.decode((String, String, Int, String, Int, Int, String, String, Date, Date, Int, Int, String).self)
            {
                nodes.append(
                    NodeInfo(
                        id: id, hostname: hostname, pid: pid, apiAddress: api, workers: workers, busy: busy, version: version,
                        types: types.split(separator: ",").map(String.init), startedAt: startedAt, lastHeartbeat: lastHeartbeat,
                        jobsDone: done, jobsFailed: failed, region: region))
            }
            return nodes
        }
    }

    public func reapNodes(silentSince: Date, now: Date) async throws -> ReapResult {
        try await perform {
            try await self.client.withTransaction(logger: self.logger) { connection in
                // DELETE ... RETURNING hands each dead node to exactly one reaper: a concurrent
                // reaper blocks on the row lock, then finds the row gone and returns nothing.
                var dead: [String] = []
                let rows = try await connection.query(
                    "DELETE FROM nodes WHERE last_heartbeat < \(silentSince) RETURNING id", logger: self.logger)
                for try await id in rows.decode(String.self) { dead.append(id) }
                guard !dead.isEmpty else { return ReapResult(nodes: [], releasedJobs: 0) }
                var released = 0
                for node in dead {
                    let rows = try await connection.query(
                        PostgresLifecycleSQL.recover(.heldBy(nodeID: node), .nodeStopped(node), now: now), logger: self.logger)
                    for try await _ in rows { released += 1 }
                }
                return ReapResult(nodes: dead.sorted(), releasedJobs: released)
            }
        }
    }
}
