import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: QueueStatisticsSource {
    public func statistics(now: Date) async throws -> QueueStatistics {
        try await perform {
            var statistics = QueueStatistics(sampledAt: now)
            // Each state from its own partial index (index-only where the visibility map allows):
            // there is no index on `status` itself, which every claim and finish would rewrite.
            let counts = try await self.client.query(
                """
                SELECT 'pending', COUNT(*)::BIGINT FROM jobs WHERE status = 'pending'
                UNION ALL SELECT 'processing', COUNT(*)::BIGINT FROM jobs WHERE status = 'processing'
                """, logger: self.logger)
            for try await (status, count) in counts.decode((String, Int).self) {
                if let status = JobStatus(rawValue: status) { statistics.counts[status] = count }
            }
            let history = try await self.historyCounts(now: now)
            statistics.counts.merge(history.byState) { $1 }
            statistics.doneLastMinute = history.doneLastMinute
            statistics.doneLast5Minutes = history.doneLast5Minutes
            let pending = statistics.counts[.pending] ?? 0
            var due = 0
            var oldestDue: Date?
            // Only the pending rows, through the partial index jobs_claimable.
            let byPriority = try await self.client.query(
                """
                SELECT priority, COUNT(*)::BIGINT, MIN(run_at) FROM jobs
                WHERE status = 'pending' AND run_at <= \(now) GROUP BY priority
                """, logger: self.logger)
            for try await (priority, count, runAt) in byPriority.decode((Int, Int, Date).self) {
                statistics.pendingByPriority[priority] = count
                due += count
                oldestDue = min(oldestDue ?? runAt, runAt)
            }
            statistics.counts[.pending] = due
            statistics.counts[.scheduled] = pending - due
            statistics.oldestPendingAge = oldestDue.map { now.timeIntervalSince($0) }
            let fleet = try await self.client.query(
                "SELECT region, COUNT(*)::BIGINT, COALESCE(SUM(workers), 0)::BIGINT, COALESCE(SUM(busy), 0)::BIGINT FROM nodes GROUP BY region",
                logger: self.logger)
            for try await (region, nodes, workers, busy) in fleet.decode((String, Int, Int, Int).self) {
                statistics.fleetByRegion[region] = FleetFigures(nodes: nodes, slots: workers, busy: busy)
                statistics.fleetNodes += nodes
                statistics.fleetWorkers += workers
                statistics.fleetBusy += busy
            }
            if try await self.limitsInPlay() { statistics.limitedByQueue = try await self.heldBack(now: now) }
            return statistics
        }
    }

    /// The finished jobs' counts, reused while fresh enough (``HistoryCounts``): they read every
    /// retained finished job, in both tables (``PostgresFinishedJobs``).
    private func historyCounts(now: Date) async throws -> HistoryCounts {
        let start = ContinuousClock.now
        if let reusable = historyCache.withLock({ $0.reusable(now: start) }) { return reusable }
        var counts = HistoryCounts()
        let byState = try await client.query(
            """
            SELECT status, COUNT(*)::BIGINT FROM jobs WHERE finished_at IS NOT NULL GROUP BY status
            UNION ALL SELECT status, COUNT(*)::BIGINT FROM \(unescaped: PostgresFinishedJobs.table) GROUP BY status
            """, logger: logger)
        for try await (status, count) in byState.decode((String, Int).self) {
            // `done` comes from both tables.
            if let status = JobStatus(rawValue: status) { counts.byState[status, default: 0] += count }
        }
        let lastMinute = now.addingTimeInterval(-60)
        let last5Minutes = now.addingTimeInterval(-300)
        let recent = try await client.query(
            """
            SELECT COUNT(*) FILTER (WHERE finished_at >= \(lastMinute))::BIGINT, COUNT(*)::BIGINT
            FROM \(unescaped: PostgresLifecycleSQL.bothTables)
            WHERE finished_at >= \(last5Minutes) AND status = 'done'
            """, logger: logger)
        for try await (minute, five) in recent.decode((Int, Int).self) {
            counts.doneLastMinute = minute
            counts.doneLast5Minutes = five
        }
        historyCache.withLock { $0.record(counts, start: start, end: .now) }
        return counts
    }
}
