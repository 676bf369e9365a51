import Foundation
import VesperCore

extension VesperDashboard {
    /// `/ui/enqueue`: a form for one job (producers and admins).
    func enqueueForm(_ viewer: Viewer, form: FormData, error: String?) -> HTML {
        let errorHTML: HTML = error.map { "<p class=\"error\" id=\"error-message\">\($0)</p>" } ?? ""
        let body: HTML = """
            <h1>Enqueue a job</h1>
            \(errorHTML)
            <form method="post" action="/ui/enqueue" class="stack" id="enqueue-form">
            <input type="hidden" name="csrf" value="\(viewer.csrf)">
            <label>type <input name="type" required value="\(form["type"] ?? "")" placeholder="send_email"></label>
            <label>queue <input name="queue" value="\(form["queue"] ?? "default")"></label>
            <label>priority (0-10) <input name="priority" type="number" min="0" max="10" value="\(form["priority"] ?? "0")"></label>
            <label>payload (JSON) <textarea name="payload">\(form["payload"] ?? "{}")</textarea></label>
            <label>max retries (empty: the node's default) <input name="max_retries" type="number" min="0" max="100" value="\(form["max_retries"] ?? "")"></label>
            <label>delay (30s, 5m; empty: now) <input name="delay" value="\(form["delay"] ?? "")"></label>
            <label>idempotency key (optional) <input name="idempotency_key" value="\(form["idempotency_key"] ?? "")"></label>
            <div><button type="submit" id="enqueue-submit">Enqueue</button></div>
            </form>
            """
        return Layout.page(title: "Enqueue", active: "/ui/enqueue", viewer: viewer, body: body)
    }

    func enqueue(_ viewer: Viewer, form: FormData) async throws -> ActionResult {
        do {
            let job = try newJob(from: form)
            switch try await sources.queue.enqueue(job) {
            case .created(let created), .existing(let created), .duplicate(let created):
                return .redirect("/ui/jobs/\(created.id.lowercaseText)?notice=enqueued")
            case .conflict(let key, _):
                throw VesperError(.idempotencyConflict, "idempotency key \"\(key)\" was already used for a different request")
            }
        } catch let error as ValidationError {
            return .page(enqueueForm(viewer, form: form, error: "\(error.field): \(error.message)"), .badRequest)
        }
    }

    private func newJob(from form: FormData) throws -> NewJob {
        guard let type = form.value("type") else { throw ValidationError(field: "type", message: "type is required") }
        let payload = form.value("payload") ?? "{}"
        guard (try? JSONSerialization.jsonObject(with: Data(payload.utf8), options: [.fragmentsAllowed])) != nil else {
            throw ValidationError(field: "payload", message: "payload must be JSON")
        }
        var priority = 0
        if let text = form.value("priority") {
            guard let value = Int(text) else { throw ValidationError(field: "priority", message: "priority must be an integer from 0 to 10") }
            priority = value
        }
        var maxRetries: Int?
        if let text = form.value("max_retries") {
            guard let value = Int(text) else { throw ValidationError(field: "max_retries", message: "max_retries must be an integer") }
            maxRetries = value
        }
        var runAt: Date?
        if let text = form.value("delay") {
            guard let delay = DurationParser.parse(text) else {
                throw ValidationError(field: "delay", message: "delay must be a duration such as 30s or 5m, at most \(DurationParser.maximumText)")
            }
            runAt = sources.queue.now().addingTimeInterval(delay.secondsDouble)
        }
        return sources.queue.newJob(
            type: type, queue: form.value("queue") ?? "default", priority: priority, payloadJSON: payload, maxRetries: maxRetries, runAt: runAt,
            idempotencyKey: form.value("idempotency_key"))
    }
}
