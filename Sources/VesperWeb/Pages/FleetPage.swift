import Foundation
import VesperCore

extension VesperDashboard {
    /// `/ui/fleet`: every node with its slots, heartbeat age, counters and job types (as `GET /workers`).
    func fleet(_ viewer: Viewer) async throws -> HTML {
        guard let registry = sources.fleet else {
            return Layout.page(title: "Fleet", active: "/ui/fleet", viewer: viewer, body: "<h1>Fleet</h1><p class=\"muted\">No fleet registry.</p>")
        }
        let nodes = try await registry.listNodes().sorted { ($0.hostname, $0.id) < ($1.hostname, $1.id) }
        let now = Date()
        let rows = nodes.map { node -> HTML in
            """
            <tr data-node="\(node.id)"><td><code>\(node.id)</code></td><td>\(node.hostname)</td><td class="num">\(node.pid)</td>\
            <td>\(node.apiAddress)</td><td class="num slots">\(node.busy) / \(node.workers)</td>\
            <td class="num">\(Format.age(now.timeIntervalSince(node.lastHeartbeat)))</td>\
            <td class="num">\(Format.number(node.jobsDone))</td><td class="num">\(Format.number(node.jobsFailed))</td>\
            <td>\(node.types.joined(separator: ", "))</td><td>\(node.version)</td><td>\(Format.time(node.startedAt))</td></tr>
            """
        }
        let view = FleetView(nodes: nodes)
        let body: HTML = """
            <h1>Fleet</h1>
            <section id="fleet" data-live>
            <p><span id="fleet-node-count">\(nodes.count)</span> nodes · <span id="fleet-slots">\(view.busyWorkers) / \(view.totalWorkers)</span> slots busy</p>
            <table id="fleet-table"><thead><tr><th>node</th><th>host</th><th class="num">pid</th><th>API</th><th class="num">busy / slots</th>\
            <th class="num">heartbeat age</th><th class="num">done</th><th class="num">failed</th><th>types</th><th>version</th><th>started</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            </section>
            <p class="muted">Done and failed count attempts since each node started.</p>
            """
        return Layout.page(title: "Fleet", active: "/ui/fleet", viewer: viewer, body: body)
    }
}
