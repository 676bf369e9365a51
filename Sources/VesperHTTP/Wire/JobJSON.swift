import Foundation
import VesperCore

/// The wire form of a job (README's `GET /jobs/{id}`), with the payload embedded exactly as submitted.
enum JobJSON {
    static func write(_ job: Job, now: Date, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("job_id", job.id.lowercaseText)
        writer.field("type", job.type)
        writer.field("queue", job.queue)
        writer.field("priority", job.priority)
        writer.rawField("payload", job.payload)
        writer.field("status", job.status(at: now).rawValue)
        writer.field("retries", job.retries)
        writer.field("max_retries", job.maxRetries)
        writer.field("error", job.error)
        writer.field("run_at", RFC3339.format(job.runAt))
        writer.field("created_at", RFC3339.format(job.createdAt))
        writer.field("updated_at", RFC3339.format(job.updatedAt))
        writer.field("started_at", job.startedAt.map(RFC3339.format))
        writer.field("finished_at", job.finishedAt.map(RFC3339.format))
        writer.field("idempotency_key", job.idempotencyKey)
        writer.field("attempt", job.attempt)
        writer.field("timeout_seconds", job.timeoutSeconds)
        writer.endObject()
    }

    static func render(_ job: Job, now: Date) -> String {
        var writer = JSONWriter(capacity: 512 + job.payload.utf8.count)
        write(job, now: now, to: &writer)
        return writer.output
    }
}
