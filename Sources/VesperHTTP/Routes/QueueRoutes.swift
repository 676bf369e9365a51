import Hummingbird
import VesperCore

/// `/queues`: depth per queue, fleet-wide pause/resume, and fleet-wide limits.
struct QueueRoutes<Context: RequestContext> {
    let control: any QueueControl
    let clock: WallClock

    func register(on router: some RouterMethods<Context>) {
        router.get("queues", use: list)
        router.post("queues/:name/pause") { request, context in try await setPaused(true, context: context) }
        router.post("queues/:name/resume") { request, context in try await setPaused(false, context: context) }
        router.put("queues/:name", use: setLimits)
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
            QueueLimitsWire.write(queue.limits, to: &writer)
            writer.field("starts_in_window", queue.startsInWindow)
            writer.field("limited", queue.limited)
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

    /// `PUT /queues/{name}`: replaces the queue's fleet-wide limits (absent or `null` clears one).
    @Sendable func setLimits(_ request: Request, context: Context) async throws -> Response {
        let name = context.parameters.get("name") ?? ""
        try NewJob.validateQueueName(name)
        guard let limitControl = control as? any QueueLimitControl else {
            throw APIError(.notImplemented, code: "not_implemented", message: "this store does not support queue limits")
        }
        let limits = try QueueLimitsWire.decode(try await RequestBody.jsonObject(request, maxBytes: 4096))
        try await limitControl.setQueueLimits(name, limits: limits, now: clock.now())
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("queue", name)
        QueueLimitsWire.write(limits, to: &writer)
        writer.endObject()
        return Response.json(writer.output)
    }
}
