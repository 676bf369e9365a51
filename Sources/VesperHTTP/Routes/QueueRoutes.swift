import Hummingbird
import VesperCore

/// `/queues`: depth per queue, and fleet-wide pause/resume.
struct QueueRoutes<Context: RequestContext> {
    let control: any QueueControl
    let clock: WallClock

    func register(on router: some RouterMethods<Context>) {
        router.get("queues", use: list)
        router.post("queues/:name/pause") { request, context in try await setPaused(true, context: context) }
        router.post("queues/:name/resume") { request, context in try await setPaused(false, context: context) }
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let queues = try await control.queueOverview(now: clock.now())
        var writer = JSONWriter(capacity: 128 * max(queues.count, 1))
        writer.beginObject()
        writer.beginArray("queues")
        for queue in queues {
            writer.beginObject()
            writer.field("name", queue.name)
            writer.field("pending", queue.pending)
            writer.field("scheduled", queue.scheduled)
            writer.field("processing", queue.processing)
            writer.field("paused", queue.paused)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return Response.json(writer.output)
    }

    func setPaused(_ paused: Bool, context: Context) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        try NewJob.validateQueueName(name)
        try await control.setQueuePaused(name, paused: paused, now: clock.now())
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("queue", name)
        writer.field("paused", paused)
        writer.endObject()
        return Response.json(writer.output)
    }
}
