import Foundation
import VesperCore

extension VesperDashboard {
    /// `/ui`: counts by status, pending by priority, the last hour's throughput, the oldest pending
    /// job's age, the fleet's size, and a link to Grafana.
    func overview(_ viewer: Viewer) async throws -> HTML {
        let now = sources.queue.now()
        var body: HTML = "<h1>Overview</h1>"
        if let statistics = try await sources.statistics?.latest(now: now) {
            let cards = JobStatus.allCases.map { status -> HTML in
                let count = statistics.counts[status] ?? 0
                return """
                    <div class="card"><a href="/ui/jobs?status=\(status.rawValue)"><div class="label">\(status.rawValue)</div>\
                    <div class="value" id="count-\(status.rawValue)" data-count="\(count)">\(Format.number(count))</div></a></div>
                    """
            }
            let total = statistics.counts.values.reduce(0, +)
            let oldest = statistics.oldestPendingAge.map { Format.age($0) } ?? "none waiting"
            let priorities = JobLimits.priorities.reversed().map { priority -> HTML in
                "<tr><td>\(priority)</td><td class=\"num\" id=\"pending-priority-\(priority)\">\(Format.number(statistics.pendingByPriority[priority] ?? 0))</td></tr>"
            }
            let grafana: HTML = settings.grafanaURL.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }.map { "<p><a id=\"grafana-link\" href=\"\($0)\" rel=\"noopener noreferrer\">Open the Grafana dashboard</a></p>" } ?? ""
            body = body + """
                <section id="overview-counts" data-live>
                <div class="cards">\(cards)\
                <div class="card"><div class="label">total</div><div class="value" id="count-total">\(Format.number(total))</div></div></div>
                <div class="cards">
                <div class="card"><div class="label">oldest pending</div><div class="value" id="oldest-pending">\(oldest)</div></div>
                <div class="card"><div class="label">done last minute</div><div class="value" id="done-last-minute">\(Format.number(statistics.doneLastMinute))</div></div>
                <div class="card"><a href="/ui/fleet"><div class="label">fleet nodes</div><div class="value" id="fleet-nodes">\(statistics.fleetNodes)</div></a></div>
                <div class="card"><div class="label">slots busy</div><div class="value" id="fleet-busy">\(statistics.fleetBusy) / \(statistics.fleetWorkers)</div></div>
                </div>
                <p class="muted">Sampled \(Format.time(statistics.sampledAt)).</p>
                </section>
                \(grafana)
                """
            if let throughputCache {
                let minutes = try await throughputCache.lastHour(now: now)
                body = body + "<h2>Throughput, last hour</h2><section id=\"overview-throughput\" data-live>\(ThroughputChart.svg(minutes))</section>"
            }
            body = body + """
                <h2>Pending by priority</h2>
                <section id="overview-priorities" data-live>
                <table class="narrow-table"><thead><tr><th>priority</th><th class="num">pending</th></tr></thead><tbody>\(priorities)</tbody></table>
                </section>
                """
        } else {
            body = body + "<p class=\"muted\">This store reports no statistics.</p>"
        }
        return Layout.page(title: "Overview", active: "/ui", viewer: viewer, body: body)
    }
}
