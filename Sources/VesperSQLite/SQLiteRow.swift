import Foundation
import GRDB
import VesperCore

/// Conversions between `Job` and SQLite rows.
enum SQLiteRow {
    /// The columns every job-returning statement selects, in this order.
    static let columns = """
        seq, id, type, queue, priority, payload, status, retries, max_retries, error, run_at, created_at,
        updated_at, started_at, finished_at, idempotency_key, attempt, timeout_ms, worker_id, lease_until, trace_context,
        cancel_requested, progress, region, region_strict, partition_key, fair_tag
        """

    /// ``columns`` and the ones only a single job's read returns: its result and attempt history.
    static let detailColumns = columns + ", result, attempts, concurrency_key, concurrency_limit, unique_key"

    /// Runs `statement` and decodes each row straight from SQLite as it is stepped (a cursor, so
    /// no copied `Row` per job: on a claim of hundreds of jobs that copy was most of the decoding).
    /// A row that cannot be read throws a ``VesperError`` naming it (see ``StoredJobRow``).
    static func jobs(_ statement: Statement, arguments: StatementArguments) throws -> [Job] {
        try Array(Row.fetchCursor(statement, arguments: arguments).map(job))
    }

    /// The columns a claim returns: the ones it does not set itself.
    static let claimedColumns = """
        seq, id, type, queue, priority, payload, retries, max_retries, error, run_at, created_at, idempotency_key,
        attempt, timeout_ms, trace_context, region, region_strict, partition_key, fair_tag
        """

    /// A job a claim just leased: the columns the claim set come from the request, rounded as stored.
    static func claimedJobs(_ statement: Statement, arguments: StatementArguments, request: ClaimRequest) throws -> [Job] {
        let now = date(micros(request.now))
        let leaseUntil = date(micros(request.leaseUntil))
        return try Array(
            Row.fetchCursor(statement, arguments: arguments).map { row in
                Job(
                    id: try StoredJobRow.id(row[1], sequence: row[0]), type: row[2], queue: row[3], priority: row[4], payload: row[5],
                    storedStatus: .processing, retries: row[6], maxRetries: row[7], error: row[8], runAt: date(row[9]),
                    createdAt: date(row[10]), updatedAt: now, startedAt: request.startsNow ? now : nil, finishedAt: nil, idempotencyKey: row[11],
                    attempt: row[12], timeoutSeconds: Double(row[13] as Int64) / 1000, workerID: request.workerID,
                    leaseUntil: leaseUntil, sequence: row[0], traceContext: traceContext(row[14]), region: row[15],
                    regionStrict: row[16], partition: row[17], fairTag: row[18])
            })
    }

    /// A row of ``columns`` (extra columns may follow and are ignored).
    static func job(_ row: Row) throws -> Job {
        try job(row, detail: false)
    }

    /// A row of ``columns``, or with `detail` of ``detailColumns`` (the attempt history as readers
    /// see it, ``ImplicitLastAttempt``).
    static func job(_ row: Row, detail: Bool) throws -> Job {
        let sequence: Int64 = row[0]
        let id = try StoredJobRow.id(row[1], sequence: sequence)
        let job = Job(
            id: id,
            type: row[2],
            queue: row[3],
            priority: row[4],
            payload: row[5],
            storedStatus: try StoredJobRow.status(row[6], sequence: sequence, id: id),
            retries: row[7],
            maxRetries: row[8],
            error: row[9],
            runAt: date(row[10]),
            createdAt: date(row[11]),
            updatedAt: date(row[12]),
            startedAt: (row[13] as Int64?).map(date),
            finishedAt: (row[14] as Int64?).map(date),
            idempotencyKey: row[15],
            attempt: row[16],
            timeoutSeconds: Double(row[17] as Int64) / 1000,
            workerID: row[18],
            leaseUntil: (row[19] as Int64?).map(date),
            sequence: sequence,
            cancelRequested: row[21],
            result: detail ? row[27] : nil,
            progress: JobProgress.fromStored(row[22]),
            attempts: try detail ? AttemptRecord.fromStored(row[28], sequence: sequence, id: id) : nil,
            traceContext: traceContext(row[20]),
            region: row[23],
            regionStrict: row[24],
            partition: row[25],
            fairTag: row[26],
            concurrency: detail ? concurrency(key: row[29], limit: row[30]) : nil,
            uniqueKey: detail ? row[31] : nil
        )
        // A finished job's last attempt is implicit in its row.
        return detail ? job.withImplicitLastAttempt() : job
    }

    /// The `concurrency_key` and `concurrency_limit` columns: `nil` for an unkeyed job.
    static func concurrency(key: String?, limit: Int?) -> JobConcurrency? {
        guard let key, let limit else { return nil }
        return JobConcurrency(key: key, limit: limit)
    }

    /// The `trace_context` column: `nil` for NULL (most jobs) or text that does not parse.
    static func traceContext(_ text: String?) -> JobTraceContext? {
        text.flatMap(JobTraceContext.init(text:))
    }

    /// Microseconds since 1970, saturating. Times from outside are range-checked where they enter
    /// (``JobLimits/timestamps``); saturation only makes sure nothing else can trap here.
    static func micros(_ date: Date) -> Int64 {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, micros < 9.2e18, micros > -9.2e18 else { return micros.isNaN ? 0 : (micros > 0 ? .max : .min) }
        return Int64(micros)
    }

    static func date(_ micros: Int64) -> Date {
        Date(timeIntervalSince1970: Double(micros) / 1_000_000)
    }
}
