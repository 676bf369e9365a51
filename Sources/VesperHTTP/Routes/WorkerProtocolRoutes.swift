import Foundation
import Hummingbird
import VesperCore

/// The worker protocol, for workers in any language: `POST /claims` (a long poll that leases jobs),
/// then per job `POST /jobs/{id}/heartbeat`, `/complete` or `/fail`, each fenced by the attempt
/// the claim returned. A stale attempt is a `409` that changes nothing.
struct WorkerProtocolRoutes<Context: RequestContext> {
    let gateway: RemoteWorkerGateway
    let clock: WallClock
    let maxBodyBytes: Int

    func register(on router: some RouterMethods<Context>) {
        router.post("claims", use: claim)
        router.post("jobs/:id/heartbeat", use: heartbeat)
        router.post("jobs/:id/complete", use: complete)
        router.post("jobs/:id/fail", use: fail)
    }

    @Sendable func claim(_ request: Request, context: Context) async throws -> Response {
        let body = try ProtocolBody(
            try await RequestBody.jsonObject(request, maxBytes: maxBodyBytes), allowed: ["worker", "types", "queues", "max", "wait"])
        guard let worker = try body.string("worker") else { throw ValidationError(field: "worker", message: "worker is required") }
        var wait = Duration.zero
        if let text = try body.string("wait") {
            guard let parsed = DurationParser.parse(text), parsed >= .zero, parsed <= RemoteClaim.maxWait else {
                throw ValidationError(field: "wait", message: "wait must be a duration like 30s or 500ms, from 0s to 60s")
            }
            wait = parsed
        }
        let claim = RemoteClaim(
            worker: worker, types: try body.strings("types"), queues: try body.strings("queues"), max: try body.integer("max") ?? 1, wait: wait)
        let leases = try await gateway.claim(claim)
        let now = clock.now()
        var writer = JSONWriter(capacity: 256 + 640 * leases.count)
        writer.beginObject()
        writer.beginArray("jobs")
        for lease in leases {
            writer.beginObject()
            writer.rawField("job", JobJSON.render(lease.job, now: now))
            writer.field("attempt", lease.job.attempt)
            writer.field("lease_expires_at", RFC3339.format(lease.leaseExpiresAt))
            writer.field("deadline", RFC3339.format(lease.deadline))
            writer.endObject()
        }
        writer.endArray()
        writer.field("heartbeat_interval_seconds", gateway.options.heartbeatInterval.secondsDouble)
        writer.field("lease_duration_seconds", gateway.options.leaseDuration.secondsDouble)
        writer.endObject()
        return Response.json(writer.output)
    }

    @Sendable func heartbeat(_ request: Request, context: Context) async throws -> Response {
        let id = try context.jobID()
        let body = try ProtocolBody(try await RequestBody.jsonObject(request, maxBytes: maxBodyBytes), allowed: ["attempt", "progress"])
        let attempt = try body.attempt()
        let progress = try body.progress()
        let job = try Self.accepted(try await gateway.heartbeat(id: id, attempt: attempt, progress: progress), id: id, attempt: attempt)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("job_id", job.id.lowercaseText)
        writer.field("attempt", job.attempt)
        writer.field("lease_expires_at", job.leaseUntil.map(RFC3339.format))
        writer.field("deadline", RFC3339.format(RemoteWorkerGateway.deadline(of: job, claimedAt: clock.now())))
        writer.endObject()
        return Response.json(writer.output)
    }

    @Sendable func complete(_ request: Request, context: Context) async throws -> Response {
        let id = try context.jobID()
        let body = try ProtocolBody(try await RequestBody.jsonObject(request, maxBytes: maxBodyBytes), allowed: ["attempt", "result"])
        let attempt = try body.attempt()
        let result = body.json("result").map(JobResult.init(json:))
        let job = try Self.accepted(try await gateway.complete(id: id, attempt: attempt, result: result), id: id, attempt: attempt)
        return Response.json(JobJSON.render(job, now: clock.now()))
    }

    @Sendable func fail(_ request: Request, context: Context) async throws -> Response {
        let id = try context.jobID()
        let body = try ProtocolBody(try await RequestBody.jsonObject(request, maxBytes: maxBodyBytes), allowed: ["attempt", "error", "retryable"])
        let attempt = try body.attempt()
        guard let message = try body.string("error") else { throw ValidationError(field: "error", message: "error is required") }
        // PostgreSQL's text cannot hold U+0000: refuse it rather than store a different text.
        guard !message.utf8.contains(0) else {
            throw ValidationError(field: "error", message: "error must not contain the NUL character (U+0000)")
        }
        let retryable = try body.bool("retryable") ?? true
        let job = try Self.accepted(
            try await gateway.fail(id: id, attempt: attempt, error: message, retryable: retryable), id: id, attempt: attempt)
        return Response.json(JobJSON.render(job, now: clock.now()))
    }

    /// The job of an applied verdict; every other verdict as the API error it is.
    static func accepted(_ verdict: RemoteAttemptVerdict, id: UUID, attempt: Int) throws -> Job {
        switch verdict {
        case .applied(let job):
            return job
        case .notFound:
            throw VesperError.notFound(id.lowercaseText)
        case .stale(let job):
            throw APIError(
                .conflict, code: "stale_attempt",
                message:
                    "attempt \(attempt) of job \(id.lowercaseText) is not current "
                    + "(the job is \(job.status().rawValue) at attempt \(job.attempt)); nothing was changed",
                field: "attempt")
        case .cancelled(let job):
            throw APIError(
                .conflict, code: "cancelled",
                message:
                    "job \(id.lowercaseText) was cancelled by request (the job is \(job.status().rawValue)); stop working on it, "
                    + "nothing more will be recorded for attempt \(attempt)",
                field: "attempt")
        case .deadlinePassed(let job):
            throw APIError(
                .conflict, code: "deadline_exceeded",
                message:
                    "attempt \(attempt) of job \(id.lowercaseText) ran past its deadline and was recorded as failed "
                    + "with error \"timeout\" (the job is \(job.status().rawValue))",
                field: "attempt")
        }
    }
}

/// The members of a worker-protocol body, read by field with errors that name the field.
/// Unknown fields are rejected; `null` counts as absent.
struct ProtocolBody {
    private var values: [String: JSONObjectScanner.Value] = [:]

    init(_ members: [(key: String, value: JSONObjectScanner.Value)], allowed: Set<String>) throws(ValidationError) {
        for (key, value) in members {
            guard allowed.contains(key) else { throw ValidationError(field: key, message: "unknown field \"\(key)\"") }
            if value.kind != .null { values[key] = value }
        }
    }

    func string(_ field: String) throws(ValidationError) -> String? {
        guard let value = values[field] else { return nil }
        guard value.kind == .string, let text = try? JSONObjectScanner.string(value) else {
            throw ValidationError(field: field, message: "\(field) must be a string")
        }
        return text
    }

    func integer(_ field: String) throws(ValidationError) -> Int? {
        guard let value = values[field] else { return nil }
        guard value.kind == .number, let number = Int(value.text) else { throw ValidationError(field: field, message: "\(field) must be an integer") }
        return number
    }

    func bool(_ field: String) throws(ValidationError) -> Bool? {
        guard let value = values[field] else { return nil }
        guard value.kind == .bool else { throw ValidationError(field: field, message: "\(field) must be true or false") }
        return value.text == "true"
    }

    func strings(_ field: String) throws(ValidationError) -> [String]? {
        guard let value = values[field] else { return nil }
        guard value.kind == .array,
            let array = try? JSONSerialization.jsonObject(with: Data(value.bytes), options: []) as? [Any],
            array.allSatisfy({ $0 is String }), let strings = array as? [String]
        else {
            throw ValidationError(field: field, message: "\(field) must be an array of strings")
        }
        return strings
    }

    /// A member's JSON text as sent (any JSON value), `nil` when absent or `null`.
    func json(_ field: String) -> String? {
        values[field].map { String(decoding: $0.bytes, as: UTF8.self) }
    }

    /// The optional `progress` of a heartbeat: `{"percent": 0-100, "message": "..."}`.
    func progress() throws(ValidationError) -> (percent: Int, message: String)? {
        guard let value = values["progress"] else { return nil }
        guard value.kind == .object, let members = try? JSONObjectScanner.members(of: Array(value.bytes)) else {
            throw ValidationError(field: "progress", message: "progress must be an object like {\"percent\": 40, \"message\": \"resizing\"}")
        }
        guard let object = try? ProtocolBody(members, allowed: ["percent", "message"]) else {
            throw ValidationError(field: "progress", message: "progress has only the fields percent and message")
        }
        guard let percent = try? object.integer("percent"), (0...100).contains(percent) else {
            throw ValidationError(field: "progress.percent", message: "progress.percent must be an integer from 0 to 100")
        }
        guard let message = try? object.string("message") ?? "" else {
            throw ValidationError(field: "progress.message", message: "progress.message must be a string")
        }
        guard !message.utf8.contains(0) else {
            throw ValidationError(field: "progress.message", message: "progress.message must not contain the NUL character (U+0000)")
        }
        return (percent, message)
    }

    /// The required `attempt`, a positive integer.
    func attempt() throws(ValidationError) -> Int {
        guard let attempt = try integer("attempt") else {
            throw ValidationError(field: "attempt", message: "attempt is required: the attempt number the claim returned")
        }
        guard attempt >= 1 else { throw ValidationError(field: "attempt", message: "attempt must be a positive integer, got \(attempt)") }
        return attempt
    }
}
