import Foundation
import PostgresNIO
import VesperCore

/// Conversions between `Job` and PostgreSQL rows.
enum PostgresJobRow {
    /// The columns every job-returning statement selects, in this order, qualified by `table` so they
    /// stay unambiguous in `UPDATE ... FROM`.
    static func columns(_ table: String = "jobs") -> String {
        (claimedNames + ["cancel_requested", "progress"]).map { "\(table).\($0)" }.joined(separator: ", ")
    }

    /// The columns a claim returns: a claimed job has no cancel request and no progress yet, so
    /// the hot path reads two columns fewer.
    static func claimedColumns(_ table: String = "jobs") -> String {
        claimedNames.map { "\(table).\($0)" }.joined(separator: ", ")
    }

    /// ``columns(_:)`` and the ones only a single job's read returns: its result and attempt history.
    static func detailColumns(_ table: String = "jobs") -> String {
        columns(table) + ", \(table).result, \(table).attempts::text, \(table).concurrency_key, \(table).concurrency_limit, \(table).unique_key"
    }

    private static let claimedNames = [
        "seq", "id", "type", "queue", "priority", "payload", "status", "retries", "max_retries", "error", "run_at",
        "created_at", "updated_at", "started_at", "finished_at", "idempotency_key", "attempt", "timeout_ms",
        "worker_id", "lease_until", "trace_context", "region", "region_strict", "partition_key", "fair_tag",
    ]

    /// Every stored column of `jobs`, which `finished_jobs` has too: what a finish moves and what
    /// a read of both tables selects. A column added to `jobs` is added here (a test compares this
    /// list with both tables' columns). Every column ``detailColumns(_:)`` reads must be here.
    static let storedNames =
        claimedNames + [
            "cancel_requested", "progress", "result", "attempts", "concurrency_key", "concurrency_limit", "unique_key",
            "claimed_at", "fingerprint",
        ]

    /// How many columns ``columns(_:)`` lists; extra columns may follow them.
    static let columnCount = 27

    /// A row that cannot be read throws a ``VesperError`` naming it (see ``StoredJobRow``).
    static func job(_ row: PostgresRow) throws -> Job {
        try job(row, detail: false)
    }

    /// A row of ``claimedColumns(_:)``, ``columns(_:)`` or (with `detail`) ``detailColumns(_:)`` (the
    /// attempt history as readers see it, ``ImplicitLastAttempt``).
    static func job(_ row: PostgresRow, detail: Bool) throws -> Job {
        let cells = row.makeRandomAccess()
        let full = cells.count >= columnCount
        let sequence = try cells[0].decode(Int64.self)
        let id = try cells[1].decode(UUID.self)
        let job = Job(
            id: id,
            type: try cells[2].decode(String.self),
            queue: try cells[3].decode(String.self),
            priority: try cells[4].decode(Int.self),
            payload: try cells[5].decode(String.self),
            storedStatus: try StoredJobRow.status(try cells[6].decode(String.self), sequence: sequence, id: id),
            retries: try cells[7].decode(Int.self),
            maxRetries: try cells[8].decode(Int.self),
            error: try cells[9].decode(String.self),
            runAt: try cells[10].decode(Date.self),
            createdAt: try cells[11].decode(Date.self),
            updatedAt: try cells[12].decode(Date.self),
            startedAt: try cells[13].decode(Date?.self),
            finishedAt: try cells[14].decode(Date?.self),
            idempotencyKey: try cells[15].decode(String?.self),
            attempt: try cells[16].decode(Int.self),
            timeoutSeconds: Double(try cells[17].decode(Int64.self)) / 1000,
            workerID: try cells[18].decode(String?.self),
            leaseUntil: try cells[19].decode(Date?.self),
            sequence: sequence,
            cancelRequested: try full ? cells[25].decode(Bool.self) : false,
            result: try detail ? cells[27].decode(String?.self) : nil,
            progress: try full ? JobProgress.fromStored(cells[26].decode(String?.self)) : nil,
            attempts: try detail ? AttemptRecord.fromStored(cells[28].decode(String.self), sequence: sequence, id: id) : nil,
            // NULL for most jobs; text that does not parse loses the link rather than the job.
            traceContext: try cells[20].decode(String?.self).flatMap(JobTraceContext.init(text:)),
            region: try cells[21].decode(String?.self),
            regionStrict: try cells[22].decode(Bool.self),
            partition: try cells[23].decode(String?.self),
            fairTag: try cells[24].decode(Int64.self),
            concurrency: try detail ? concurrency(key: cells[29].decode(String?.self), limit: cells[30].decode(Int?.self)) : nil,
            uniqueKey: try detail ? cells[31].decode(String?.self) : nil
        )
        // A finished job's last attempt is implicit in its row.
        return detail ? job.withImplicitLastAttempt() : job
    }

    /// The `concurrency_key` and `concurrency_limit` columns: `nil` for an unkeyed job.
    static func concurrency(key: String?, limit: Int?) -> JobConcurrency? {
        guard let key, let limit else { return nil }
        return JobConcurrency(key: key, limit: limit)
    }

    /// Collects every row of a result as jobs.
    static func jobs(_ rows: PostgresRowSequence) async throws -> [Job] {
        var jobs: [Job] = []
        for try await row in rows { jobs.append(try job(row)) }
        return jobs
    }
}
