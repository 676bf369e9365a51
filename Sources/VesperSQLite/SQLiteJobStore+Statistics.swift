import Foundation
import GRDB
import Synchronization
import VesperCore

extension SQLiteJobStore: QueueStatisticsSource {
    public func statistics(now: Date) async throws -> QueueStatistics {
        let nowMicros = SQLiteRow.micros(now)
        return try await run {
            try await self.pool.read { db in
                var statistics = QueueStatistics(sampledAt: now)
                // Each state from its own partial index, index-only: no index on `status` itself
                // (it would be rewritten twice per job).
                statistics.counts[.pending] = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM jobs INDEXED BY jobs_claimable WHERE status = 'pending'") ?? 0
                statistics.counts[.processing] = try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM jobs INDEXED BY jobs_leased WHERE status = 'processing'") ?? 0
                let history = try self.historyCounts(db: db, now: nowMicros)
                statistics.counts.merge(history.byState) { $1 }
                statistics.doneLastMinute = history.doneLastMinute
                statistics.doneLast5Minutes = history.doneLast5Minutes
                let pending = statistics.counts[.pending] ?? 0
                var due = 0
                var oldestDue: Int64?
                // Only the pending rows, through the partial index jobs_claimable.
                for row in try Row.fetchAll(
                    db,
                    sql: "SELECT priority, COUNT(*), MIN(run_at) FROM jobs WHERE status = 'pending' AND run_at <= ? GROUP BY priority",
                    arguments: [nowMicros])
                {
                    let count: Int = row[1]
                    statistics.pendingByPriority[row[0]] = count
                    due += count
                    let runAt: Int64 = row[2]
                    oldestDue = min(oldestDue ?? runAt, runAt)
                }
                statistics.counts[.pending] = due
                statistics.counts[.scheduled] = pending - due
                statistics.oldestPendingAge = oldestDue.map { Double(nowMicros - $0) / 1_000_000 }
                let fleet = try Row.fetchAll(
                    db, sql: "SELECT region, COUNT(*), COALESCE(SUM(workers), 0), COALESCE(SUM(busy), 0) FROM nodes GROUP BY region")
                for row in fleet {
                    let figures = FleetFigures(nodes: row[1], slots: row[2], busy: row[3])
                    statistics.fleetByRegion[row[0]] = figures
                    statistics.fleetNodes += figures.nodes
                    statistics.fleetWorkers += figures.slots
                    statistics.fleetBusy += figures.busy
                }
                statistics.limitedByQueue = try Self.heldBack(db: db, now: nowMicros)
                return statistics
            }
        }
    }

    /// The finished jobs' counts, reused while fresh enough (``HistoryCounts``): they read every
    /// retained finished job through `jobs_finished`.
    private func historyCounts(db: Database, now: Int64) throws -> HistoryCounts {
        let start = ContinuousClock.now
        if let reusable = historyCache.withLock({ $0.reusable(now: start) }) { return reusable }
        var counts = HistoryCounts()
        for row in try Row.fetchAll(
            db, sql: "SELECT status, COUNT(*) FROM jobs INDEXED BY jobs_finished WHERE finished_at IS NOT NULL GROUP BY status")
        {
            if let status = JobStatus(rawValue: row[0] as String) { counts.byState[status] = row[1] }
        }
        let recent = """
            SELECT COUNT(*) FROM jobs INDEXED BY jobs_finished
            WHERE finished_at >= ? AND finished_at IS NOT NULL AND status = 'done'
            """
        counts.doneLastMinute = try Int.fetchOne(db, sql: recent, arguments: [now - 60_000_000]) ?? 0
        counts.doneLast5Minutes = try Int.fetchOne(db, sql: recent, arguments: [now - 300_000_000]) ?? 0
        historyCache.withLock { $0.record(counts, start: start, end: .now) }
        return counts
    }
}
