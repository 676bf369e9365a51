import Hummingbird
import VesperCore

/// `GET /stats`: JSON counters for dashboards and scripts, read fresh from the store.
struct StatsRoutes<Context: RequestContext> {
    let source: any QueueStatisticsSource
    let clock: WallClock

    func register(on router: some RouterMethods<Context>) {
        router.get("stats") { _, _ in
            Response.json(StatsJSON.render(try await source.statistics(now: clock.now())))
        }
    }
}

enum StatsJSON {
    static func render(_ statistics: QueueStatistics) -> String {
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        writer.beginObject("jobs")
        var total = 0
        for status in JobStatus.allCases {
            let count = statistics.counts[status] ?? 0
            total += count
            writer.field(status.rawValue, count)
        }
        writer.field("total", total)
        writer.endObject()
        writer.beginObject("pending_by_priority")
        for priority in JobLimits.priorities { writer.field(String(priority), statistics.pendingByPriority[priority] ?? 0) }
        writer.endObject()
        writer.beginObject("throughput")
        writer.field("done_last_1m", statistics.doneLastMinute)
        writer.field("done_last_5m", statistics.doneLast5Minutes)
        writer.field("per_second_1m", (Double(statistics.doneLastMinute) / 60 * 100).rounded() / 100)
        writer.field("per_second_5m", (Double(statistics.doneLast5Minutes) / 300 * 100).rounded() / 100)
        writer.endObject()
        if let age = statistics.oldestPendingAge {
            writer.field("oldest_pending_age_seconds", (age * 1000).rounded() / 1000)
        } else {
            writer.rawField("oldest_pending_age_seconds", "null")
        }
        writer.beginObject("fleet")
        writer.field("nodes", statistics.fleetNodes)
        writer.field("workers", statistics.fleetWorkers)
        writer.field("busy_workers", statistics.fleetBusy)
        writer.endObject()
        writer.field("sampled_at", RFC3339.format(statistics.sampledAt))
        writer.endObject()
        return writer.output
    }
}
