import Foundation
import HTTPTypes
import Hummingbird
import VesperCore

/// `/jobs`: submit, read, list, retry and cancel jobs.
struct JobRoutes<Context: RequestContext> {
    /// The queue client (not a named queue).
    let client: JobQueue
    let maxBodyBytes: Int
    let maxBatch: Int

    func register(on router: some RouterMethods<Context>) {
        router.post("jobs", use: submit)
        router.post("jobs/batch", use: submitBatch)
        router.get("jobs", use: list)
        router.get("jobs/:id", use: read)
        router.post("jobs/:id/retry", use: retry)
        router.post("jobs/:id/cancel", use: cancel)
    }

    @Sendable func submit(_ request: Request, context: Context) async throws -> Response {
        let members = try await RequestBody.jsonObject(request, maxBytes: maxBodyBytes)
        let now = client.now()
        let headerKey = request.headers[.idempotencyKey]
        var job = try JobRequest.decode(members, client: client, now: now, headerKey: headerKey)
        job.traceContext = Self.traceContext(request)
        let outcome = try await client.enqueue(job)
        let renderedAt = client.now()
        let unique = job.unique != nil
        switch outcome {
        case .created(let created):
            return Response.json(
                JobJSON.render(created, now: renderedAt, duplicate: unique ? false : nil), status: .created,
                headers: [.location: "/jobs/" + created.id.lowercaseText])
        case .existing(let existing):
            return Response.json(
                JobJSON.render(existing, now: renderedAt, duplicate: unique ? false : nil), status: .ok,
                headers: [.location: "/jobs/" + existing.id.lowercaseText])
        case .duplicate(let holder):
            // The unique key is held: the holder answers, with 200 and `"duplicate": true`.
            return Response.json(
                JobJSON.render(holder, now: renderedAt, duplicate: true), status: .ok, headers: [.location: "/jobs/" + holder.id.lowercaseText])
        case .conflict(let key, let existing):
            throw APIError(
                .conflict, code: "idempotency_conflict",
                message: "idempotency key \"\(key)\" was already used for a different request (job \(existing.id.lowercaseText))",
                field: "idempotency_key")
        }
    }

    /// `POST /jobs/batch` with `{"jobs": [...]}`: every job or none. A unique job whose key is held
    /// is not an error: its entry is the holder with `"duplicate": true`, and the others are stored.
    @Sendable func submitBatch(_ request: Request, context: Context) async throws -> Response {
        // One key cannot stand for many jobs: each job of a batch names its own.
        guard request.headers[.idempotencyKey] == nil else {
            throw ValidationError(
                field: "Idempotency-Key", message: "the Idempotency-Key header is not accepted on /jobs/batch; give each job an idempotency_key")
        }
        let members = try await RequestBody.jsonObject(request, maxBytes: maxBodyBytes)
        guard members.count == 1, let list = members.first, list.key == "jobs", list.value.kind == .array else {
            throw ValidationError(field: "jobs", message: "send {\"jobs\": [ ... ]} with 1 to \(maxBatch) job objects")
        }
        let objects: [[(key: String, value: JSONObjectScanner.Value)]]
        do {
            objects = try JSONObjectScanner.arrayOfObjects(Array(list.value.bytes))
        } catch {
            throw ValidationError(field: "jobs", message: "jobs must be an array of job objects")
        }
        guard (1...maxBatch).contains(objects.count) else {
            throw ValidationError(field: "jobs", message: "a batch holds 1 to \(maxBatch) jobs, got \(objects.count)")
        }
        let now = client.now()
        let traceContext = Self.traceContext(request)
        var jobs: [NewJob] = []
        jobs.reserveCapacity(objects.count)
        for (index, object) in objects.enumerated() {
            var job = try JobRequest.decode(object, client: client, now: now, headerKey: nil, fieldPrefix: "jobs[\(index)].")
            job.traceContext = traceContext
            jobs.append(job)
        }
        let outcomes = try await client.enqueueBatch(jobs)
        let renderedAt = client.now()
        var created = false
        var writer = JSONWriter(capacity: 512 * jobs.count)
        writer.beginObject()
        writer.beginArray("jobs")
        for (job, outcome) in zip(jobs, outcomes) {
            let unique: Bool? = job.unique != nil ? false : nil
            switch outcome {
            case .created(let job):
                created = true
                JobJSON.write(job, now: renderedAt, duplicate: unique, to: &writer)
            case .existing(let job), .conflict(_, let job):
                JobJSON.write(job, now: renderedAt, duplicate: unique, to: &writer)
            case .duplicate(let holder):
                JobJSON.write(holder, now: renderedAt, duplicate: true, to: &writer)
            }
        }
        writer.endArray()
        writer.endObject()
        return Response.json(writer.output, status: created ? .created : .ok)
    }

    @Sendable func read(_ request: Request, context: Context) async throws -> Response {
        let id = try context.jobID()
        guard let job = try await client.job(id: id) else { throw VesperError.notFound(id.lowercaseText) }
        return Response.json(JobJSON.render(job, now: client.now()))
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        try JobFilterParameters.rejectUnknown(parameters, allowed: JobFilterParameters.filterNames + ["limit", "cursor"], endpoint: "GET /jobs")
        let query = try JobFilterParameters.query(parameters, now: client.now(), blankIsAbsent: false)
        let jobs = try await client.list(query)
        var writer = JSONWriter(capacity: 256 * max(jobs.count, 1))
        writer.beginObject()
        writer.beginArray("jobs")
        for job in jobs { JobJSON.write(job, now: query.now, to: &writer) }
        writer.endArray()
        writer.field("next_cursor", query.hasMore(after: jobs) ? jobs.last.map { String($0.sequence) } : nil)
        writer.endObject()
        return Response.json(writer.output)
    }

    @Sendable func retry(_ request: Request, context: Context) async throws -> Response {
        let job = try await client.retry(id: try context.jobID())
        return Response.json(JobJSON.render(job, now: client.now()))
    }

    /// A pending or scheduled job is cancelled at once (200). A processing one is asked to stop
    /// (202, `cancel_requested: true`): the node holding it ends it at its next heartbeat.
    @Sendable func cancel(_ request: Request, context: Context) async throws -> Response {
        let job = try await client.cancel(id: try context.jobID())
        let accepted = job.storedStatus == .processing
        return Response.json(JobJSON.render(job, now: client.now()), status: accepted ? .accepted : .ok)
    }

    /// The request's W3C trace context (`traceparent`, `tracestate`), carried to the job's attempts;
    /// `nil` without a valid `traceparent`. Read without a tracer, so a node that exports nothing
    /// still passes the caller's context on to the nodes that run the job.
    static func traceContext(_ request: Request) -> JobTraceContext? {
        guard let traceparent = request.headers[.traceparent] else { return nil }
        // Several `tracestate` fields are one list (RFC 9110 field combination).
        let tracestate = request.headers[values: .tracestate]
        return W3CTraceContext.context(traceparent: traceparent, tracestate: tracestate.isEmpty ? nil : tracestate.joined(separator: ","))
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let traceparent = HTTPField.Name("traceparent")!
    static let tracestate = HTTPField.Name("tracestate")!
}
