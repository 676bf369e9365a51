import Foundation
import Synchronization
import Hummingbird
import VesperCore

extension VesperDashboard {
    /// `/ui/queues`: depth per queue, paused or not, fleet-wide limits and their use, and
    /// pause/resume buttons.
    func queues(_ viewer: Viewer, request: Request) async throws -> HTML {
        guard let control = sources.queues else {
            return Layout.page(title: "Queues", active: "/ui/queues", viewer: viewer, body: "<h1>Queues</h1><p class=\"muted\">This store has no queue control.</p>")
        }
        let queues = try await queueOverviewCache.overview(control, now: sources.queue.now())
        let rows = queues.map { queue -> HTML in
            let button: HTML =
                viewer.canAdmin
                ? actionButton(
                    "/ui/queues/\(FormData.encode(queue.name))/\(queue.paused ? "resume" : "pause")", label: queue.paused ? "Resume" : "Pause",
                    id: "\(queue.paused ? "resume" : "pause")-\(queue.name)", viewer: viewer, style: queue.paused ? "" : "secondary")
                : ""
            let state: HTML = queue.paused ? "<span class=\"paused\">paused</span>" : "running"
            return """
                <tr data-queue="\(queue.name)"><td><a href="/ui/jobs?queue=\(FormData.encode(queue.name))">\(queue.name)</a></td>\
                <td class="num">\(Format.number(queue.pending))</td><td class="num">\(Format.number(queue.scheduled))</td>\
                <td class="num">\(Format.number(queue.processing))</td><td class="state">\(state)</td>\
                \(Self.limitCells(queue))<td>\(button)</td></tr>
                """
        }
        let body: HTML = """
            <h1>Queues</h1>
            <section id="queues" data-live>
            <table id="queues-table"><thead><tr><th>queue</th><th class="num">pending</th><th class="num">scheduled</th>\
            <th class="num">processing</th><th>state</th><th>concurrency limit</th><th>rate limit</th>\
            <th class="num">held back</th><th></th></tr></thead><tbody>\(rows)</tbody></table>
            \(queues.isEmpty ? "<p class=\"muted\">No queue has live jobs or a pause state.</p>" as HTML : "")
            </section>
            <p class="muted">A pause holds for the whole fleet: no node claims from a paused queue; running jobs finish.
            A concurrency limit shows processing jobs against the limit, a rate limit the starts in the last period
            against the limit; held back counts due jobs a limit keeps waiting (queue or concurrency key).</p>
            """
        let url = FormData(encoded: Substring(request.uri.query ?? ""))
        return Layout.page(title: "Queues", active: "/ui/queues", viewer: viewer, notice: Self.notice(url), body: body)
    }

    /// The limit cells of a queue's row: `processing / limit`, `starts / limit per period`, held back.
    static func limitCells(_ queue: QueueOverview) -> HTML {
        let concurrency: HTML =
            queue.limits.concurrency.map { "<td class=\"limit-concurrency\">\(Format.number(queue.processing)) / \(Format.number($0))</td>" }
            ?? "<td class=\"limit-concurrency muted\">none</td>"
        let rate: HTML =
            queue.limits.rate.map {
                "<td class=\"limit-rate\">\(Format.number(queue.startsInWindow)) / \(Format.number($0.limit)) per \(Self.periodText($0.period))</td>"
            } ?? "<td class=\"limit-rate muted\">none</td>"
        return concurrency + rate + "<td class=\"num limited\">\(Format.number(queue.limited))</td>"
    }

    /// A rate period as people write it: `1s`, `500ms`, `1m`.
    static func periodText(_ period: Duration) -> String {
        let milliseconds = RateLimit(limit: 1, period: period).periodMilliseconds
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    func setPaused(_ name: String, paused: Bool) async throws -> ActionResult {
        guard let control = sources.queues else { throw VesperError(.invalidState, "this store has no queue control") }
        try NewJob.validateQueueName(name)
        try await control.setQueuePaused(name, paused: paused, now: sources.queue.now())
        queueOverviewCache.invalidate()
        return .redirect("/ui/queues?notice=\(paused ? "paused" : "resumed")")
    }
}

/// `QueueControl.queueOverview` counts every live row by queue (hundreds of milliseconds with a
/// hundred thousand pending jobs), so the page reuses one answer for a few seconds; this node's own
/// pause or resume drops it at once, another node's shows within `maxAge`.
final class QueueOverviewCache: Sendable {
    private let maxAge: Duration
    private let cached = Mutex<(at: ContinuousClock.Instant, queues: [QueueOverview])?>(nil)

    init(maxAge: Duration = .seconds(5)) {
        self.maxAge = maxAge
    }

    func overview(_ control: any QueueControl, now: Date) async throws -> [QueueOverview] {
        if let hit = cached.withLock({ $0 }), ContinuousClock.now - hit.at < maxAge { return hit.queues }
        let queues = try await control.queueOverview(now: now)
        cached.withLock { $0 = (.now, queues) }
        return queues
    }

    func invalidate() {
        cached.withLock { $0 = nil }
    }
}
