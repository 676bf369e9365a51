import Foundation
import NIOCore
import PostgresNIO
import VesperCore

/// The job an enqueue stored, assembled from the request rather than read back.
///
/// The insert returns only what the database assigns (`seq`, with `id` to match rows to requests);
/// everything else is known to the caller. Returning and decoding all twenty columns per row cost
/// both the server (formatting) and the client (decoding strings and dates it already had).
/// The result must equal what ``PostgresJobStore/job(id:)`` reads later; the conformance tests
/// compare the two.
enum PostgresInsertedJob {
    /// What the batch's `now` (bound once) reads back as.
    struct Clock {
        let now: Date
        let storedNow: Date

        init(now: Date) {
            self.now = now
            storedNow = PostgresInsertedJob.stored(now)
        }
    }

    /// What the database assigned to one inserted job.
    struct Assigned {
        var sequence: Int64
        /// 0 for a job without a partition.
        var fairTag: Int64
    }

    /// The job stored for `job` by the enqueue statement at `clock.now`, with sequence `sequence`
    /// and fair-share tag `fairTag`.
    /// Mirrors the statement in `PostgresJobStore+Enqueue.swift`: run time `max(runAt, now)`,
    /// `NULLIF(key, '')`, timeout in whole milliseconds, column defaults for the rest.
    static func job(_ job: NewJob, sequence: Int64, fairTag: Int64 = 0, clock: Clock) -> Job {
        let runAt = job.runAt.map { $0 > clock.now ? stored($0) : clock.storedNow } ?? clock.storedNow
        let key = job.idempotencyKey.flatMap { $0.isEmpty ? nil : $0 }
        return Job(
            id: job.id, type: job.type, queue: job.queue, priority: job.priority, payload: job.payloadJSON,
            storedStatus: .pending, retries: 0, maxRetries: job.maxRetries, error: "",
            runAt: runAt, createdAt: clock.storedNow, updatedAt: clock.storedNow, startedAt: nil, finishedAt: nil,
            idempotencyKey: key, attempt: 0, timeoutSeconds: Double(timeoutMilliseconds(job)) / 1000,
            workerID: nil, leaseUntil: nil, sequence: sequence, traceContext: job.traceContext, region: job.region,
            regionStrict: job.regionStrict, partition: job.partition, fairTag: fairTag, concurrency: job.concurrency,
            uniqueKey: job.unique?.key)
    }

    /// The `timeout_ms` column of `job`.
    static func timeoutMilliseconds(_ job: NewJob) -> Int64 {
        Int64((job.timeoutSeconds * 1000).rounded())
    }

    /// `date` as a `timestamptz` reads it back. postgres-nio sends whole microseconds since 2000
    /// (truncated, not rounded) and decodes them as a `Double` offset; going through its own codec
    /// reproduces both steps exactly.
    static func stored(_ date: Date) -> Date {
        var buffer = ByteBuffer()
        date.encode(into: &buffer, context: .default)
        return (try? Date(from: &buffer, type: .timestamptz, format: .binary, context: .default)) ?? date
    }
}
