import Hummingbird
import VesperCore

/// `GET /workers`: the whole fleet as every node sees it.
struct FleetRoutes<Context: RequestContext> {
    let registry: any NodeRegistry

    func register(on router: some RouterMethods<Context>) {
        router.get("workers") { _, _ in
            Response.json(FleetJSON.render(FleetView(nodes: try await registry.listNodes())))
        }
    }
}

/// The wire form of ``FleetView`` (`jq '.total_workers'` and `jq '.machines'` work on it).
enum FleetJSON {
    static func render(_ view: FleetView) -> String {
        var writer = JSONWriter(capacity: 256 + 256 * view.nodes.count)
        writer.beginObject()
        writer.field("total_workers", view.totalWorkers)
        writer.field("busy_workers", view.busyWorkers)
        writer.beginArray("machines")
        for machine in view.machines {
            writer.beginObject()
            writer.field("hostname", machine.hostname)
            writer.field("nodes", machine.nodes)
            writer.field("workers", machine.workers)
            writer.field("busy", machine.busy)
            writer.endObject()
        }
        writer.endArray()
        writer.beginArray("regions")
        for region in view.regions {
            writer.beginObject()
            writer.field("name", region.name)
            writer.field("nodes", region.nodes)
            writer.field("slots", region.slots)
            writer.field("busy", region.busy)
            writer.endObject()
        }
        writer.endArray()
        writer.beginArray("nodes")
        for node in view.nodes {
            writer.beginObject()
            writer.field("id", node.id)
            writer.field("hostname", node.hostname)
            writer.field("pid", node.pid)
            writer.field("api_addr", node.apiAddress)
            writer.field("region", node.region)
            writer.field("workers", node.workers)
            writer.field("busy", node.busy)
            writer.field("version", node.version)
            writer.beginArray("types")
            for type in node.types { writer.element(type) }
            writer.endArray()
            writer.field("started_at", RFC3339.format(node.startedAt))
            writer.field("last_heartbeat", RFC3339.format(node.lastHeartbeat))
            writer.field("jobs_done", node.jobsDone)
            writer.field("jobs_failed", node.jobsFailed)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.output
    }
}
