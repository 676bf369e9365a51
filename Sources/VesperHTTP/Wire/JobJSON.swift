import Foundation
import VesperCore

/// The wire form of a job (README's `GET /jobs/{id}`), with the payload embedded exactly as submitted.
enum JobJSON {
    /// `duplicate` is written as `"duplicate"` when given: on enqueue responses for unique jobs,
    /// whether the job shown was already there (its key was held) rather than created.
    static func write(_ job: Job, now: Date, duplicate: Bool? = nil, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.field("job_id", job.id.lowercaseText)
        writer.field("type", job.type)
        writer.field("queue", job.queue)
        writer.field("region", job.region)
        writer.field("region_strict", job.regionStrict)
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
        writer.field("partition", job.partition)
        // A single job's read and enqueue responses know the unique key; listings do not read it.
        if job.uniqueKey != nil || job.attempts != nil { writer.field("unique_key", job.uniqueKey) }
        if let duplicate { writer.field("duplicate", duplicate) }
        writer.field("attempt", job.attempt)
        writer.field("timeout_seconds", job.timeoutSeconds)
        writer.field("cancel_requested", job.cancelRequested)
        // Progress of an earlier attempt says nothing about the current one.
        if let progress = job.progress, progress.attempt == job.attempt {
            writer.beginObject("progress")
            writer.field("percent", progress.percent)
            writer.field("message", progress.message)
            writer.field("updated_at", RFC3339.format(progress.updatedAt))
            writer.endObject()
        } else {
            writer.rawField("progress", "null")
        }
        // Only a single job's read carries these (``JobStore/job(id:)``); listings omit them.
        if let attempts = job.attempts {
            JobConcurrencyWire.write(job.concurrency, to: &writer)
            writer.rawField("result", job.result ?? "null")
            writer.beginArray("attempts")
            for attempt in attempts {
                writer.beginObject()
                writer.field("attempt", attempt.attempt)
                writer.field("node", attempt.node)
                writer.field("started_at", attempt.startedAt.map(RFC3339.format))
                writer.field("finished_at", RFC3339.format(attempt.finishedAt))
                writer.field("outcome", attempt.outcome)
                writer.field("error", attempt.error)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
    }

    static func render(_ job: Job, now: Date, duplicate: Bool? = nil) -> String {
        var writer = JSONWriter(capacity: 512 + job.payload.utf8.count + (job.result?.utf8.count ?? 0) + 200 * (job.attempts?.count ?? 0))
        write(job, now: now, duplicate: duplicate, to: &writer)
        return writer.output
    }
}
