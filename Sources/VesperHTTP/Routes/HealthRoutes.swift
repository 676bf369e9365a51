import Hummingbird
import VesperCore

/// `/health` (the process is up) and `/ready` (the database answers).
struct HealthRoutes<Context: RequestContext> {
    let store: any JobStore

    func register(on router: some RouterMethods<Context>) {
        router.get("health") { _, _ in Response.json(#"{"status":"ok"}"#) }
        router.get("ready") { _, _ in
            do {
                try await store.ping()
                return Response.json(#"{"status":"ready"}"#)
            } catch {
                var writer = JSONWriter()
                writer.beginObject()
                writer.field("status", "unavailable")
                writer.field("reason", "database did not answer: \(error)")
                writer.endObject()
                return Response.json(writer.output, status: .serviceUnavailable)
            }
        }
    }
}
