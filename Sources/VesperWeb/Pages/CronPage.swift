import Foundation
import VesperCore

extension VesperDashboard {
    /// `/ui/cron`: each schedule, its expression and time zone, the next tick, and the job its most
    /// recent tick enqueued (found by that tick's idempotency key, `cron:<name>:<tick>`).
    func cron(_ viewer: Viewer) async throws -> HTML {
        let now = sources.queue.now()
        var rows: [HTML] = []
        for schedule in sources.schedules.sorted(by: { $0.name < $1.name }) {
            let next = schedule.schedule.next(after: now, in: schedule.timeZone)
            let last = Self.lastTick(of: schedule, atOrBefore: now)
            var lastJob: HTML = "—"
            if let last, let lookup = sources.keyLookup {
                if let job = try await lookup.job(idempotencyKey: schedule.key(for: last)) {
                    let status = job.status(at: now)
                    lastJob = """
                        <a href="/ui/jobs/\(job.id.lowercaseText)"><code>\(job.id.lowercaseText)</code></a> \
                        <span class="status \(status.rawValue)">\(status.rawValue)</span>
                        """
                } else {
                    lastJob = "<span class=\"muted\">not stored (not enqueued yet, or pruned)</span>"
                }
            }
            rows.append(
                """
                <tr data-schedule="\(schedule.name)"><td>\(schedule.name)</td><td><code>\(schedule.schedule.source)</code></td>\
                <td>\(schedule.timeZone.identifier)</td><td>\(schedule.type)</td><td>\(schedule.queue)</td>\
                <td>\(Format.time(next))</td><td>\(Format.time(last))</td><td>\(lastJob)</td></tr>
                """)
        }
        let body: HTML = """
            <h1>Cron</h1>
            <section id="cron" data-live>
            <table id="cron-table"><thead><tr><th>name</th><th>schedule</th><th>time zone</th><th>type</th><th>queue</th>\
            <th>next tick</th><th>last tick</th><th>last job</th></tr></thead><tbody>\(rows)</tbody></table>
            \(rows.isEmpty ? "<p class=\"muted\">No schedules on this node (CRON_JOBS, CRON_JOBS_FILE or vesper.schedule).</p>" as HTML : "")
            </section>
            <p class="muted">Every node enqueues each tick with the idempotency key <code>cron:&lt;name&gt;:&lt;tick&gt;</code>, so a tick makes one job across the fleet.</p>
            """
        return Layout.page(title: "Cron", active: "/ui/cron", viewer: viewer, body: body)
    }

    /// The most recent tick at or before `now`: walks forward from a window before `now`, widening
    /// the window (a minute up to a year) until one holds a tick; at most a few thousand steps.
    static func lastTick(of schedule: PeriodicJob, atOrBefore now: Date) -> Date? {
        for window: Double in [60, 3600, 86_400, 31 * 86_400, 366 * 86_400] {
            var cursor = now.addingTimeInterval(-window)
            var last: Date?
            var steps = 0
            while steps < 5000, let tick = schedule.schedule.next(after: cursor, in: schedule.timeZone), tick <= now {
                last = tick
                cursor = tick
                steps += 1
            }
            if let last { return last }
        }
        return nil
    }
}
