import Foundation
import GRDB
import GRDBSQLite
import VesperCore

/// The enqueue hot path on SQLite: one prepared `INSERT` per write transaction, each job's values
/// bound straight onto it with `sqlite3_bind_*`.
///
/// Binding through GRDB's `StatementArguments` boxed twelve values per job into `DatabaseValue`s
/// and copied every string on the way; binding directly copies nothing: texts point into the
/// Swift strings while the statement runs, and the id is formatted into a stack buffer.
/// GRDB still executes the statement (`Statement.execute()`), so its transaction bookkeeping and
/// error handling see every step.
struct SQLiteJobInsert {
    static let sql = sql(.plain)
    static let extendedSQL = sql(.extended)
    static let partitionedSQL = sql(.partitioned)

    /// Which columns an insert binds. Most jobs have no region, concurrency key, unique key or
    /// partition, and their insert binds the thirteen columns every job has and leaves the rest to
    /// their defaults (binding five more `NULL`s per row cost a bulk enqueue 1-3%).
    enum Shape {
        /// The thirteen columns every job has.
        case plain
        /// Also `region` (14), `region_strict` (15), `concurrency_key` (16), `concurrency_limit` (17)
        /// and `unique_key` (18).
        case extended
        /// Also `partition_key` (19) and `fair_tag` (20).
        case partitioned

        init(_ job: NewJob) {
            if job.partition != nil {
                self = .partitioned
            } else if job.region != nil || job.regionStrict || job.concurrency != nil || job.unique != nil {
                self = .extended
            } else {
                self = .plain
            }
        }
    }

    /// The insert of a job of `shape`.
    static func sql(_ shape: Shape) -> String {
        let extended = shape == .plain ? "" : ", region, region_strict, concurrency_key, concurrency_limit, unique_key"
        let partitioned = shape == .partitioned ? ", partition_key, fair_tag" : ""
        let values = shape == .plain ? "" : ", ?, ?, ?, ?, ?"
        return """
            INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at,
                updated_at, idempotency_key, fingerprint, timeout_ms, trace_context\(extended)\(partitioned))
            VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?\(values)\(partitioned.isEmpty ? "" : ", ?, ?"))
            ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
            """
    }

    private let db: Database
    private let plainStatement: Statement
    private let nowMicros: Int64
    /// The batch's time, for deciding whether a unique key is held.
    private let now: Date
    /// `now` as it reads back from the database (microseconds).
    private let storedNow: Date

    /// Prepares the insert for a batch written at `now`. Call inside a write transaction.
    init(db: Database, now: Date) throws {
        self.db = db
        plainStatement = try Self.prepare(Self.sql, db: db)
        self.now = now
        nowMicros = SQLiteRow.micros(now)
        storedNow = SQLiteRow.date(nowMicros)
    }

    /// A cached statement ready for `sqlite3_bind_*`: values are bound behind GRDB's back, and
    /// marking the arguments as set (to nothing) makes `execute()` reset the statement, which
    /// keeps the bindings, and step it, instead of validating arguments it does not know about.
    private static func prepare(_ sql: String, db: Database) throws -> Statement {
        let statement = try db.cachedStatement(sql: sql)
        statement.setUncheckedArguments([])
        return statement
    }

    /// Inserts `job`: `.created` with the stored job, or, when its idempotency key is taken,
    /// `.existing` (same fingerprint) or `.conflict`, or, when its unique key is held, `.duplicate`.
    ///
    /// The unique check reads, then writes, the key's `unique_locks` row inside this write
    /// transaction: SQLite has one writer per database file (across processes too), so no other
    /// enqueue can take the key in between.
    func insert(_ job: NewJob) throws -> EnqueueOutcome {
        if let unique = job.unique, let holder = try SQLiteUniqueLock.holder(of: unique, db: db, now: now) {
            return .duplicate(holder)
        }
        let outcome = try insertRow(job)
        if let unique = job.unique, case .created = outcome {
            try SQLiteUniqueLock.take(unique.key, jobID: job.id, db: db)
        }
        return outcome
    }

    private func insertRow(_ job: NewJob) throws -> EnqueueOutcome {
        let runAt = max(job.runAt.map(SQLiteRow.micros) ?? nowMicros, nowMicros)
        let timeoutMs = Int64((job.timeoutSeconds * 1000).rounded())
        var fairTag: Int64 = 0
        switch Shape(job) {
        case .plain:
            try execute(job, runAt: runAt, timeoutMs: timeoutMs, on: plainStatement, extended: false, partition: nil)
        case .extended:
            let statement = try Self.prepare(Self.extendedSQL, db: db)
            try execute(job, runAt: runAt, timeoutMs: timeoutMs, on: statement, extended: true, partition: nil)
        case .partitioned:
            // A job whose key turns out to be taken still used up a tag: a gap in the turn is harmless.
            let partition = job.partition ?? ""
            fairTag = try SQLiteFairShare.nextTag(queue: job.queue, partition: partition, db: db)
            let statement = try Self.prepare(Self.partitionedSQL, db: db)
            try execute(job, runAt: runAt, timeoutMs: timeoutMs, on: statement, extended: true, partition: (partition, fairTag))
        }
        if db.changesCount == 1 {
            return .created(
                Job(
                    id: job.id, type: job.type, queue: job.queue, priority: job.priority, payload: job.payloadJSON,
                    storedStatus: .pending, retries: 0, maxRetries: job.maxRetries, error: "",
                    runAt: runAt == nowMicros ? storedNow : SQLiteRow.date(runAt), createdAt: storedNow, updatedAt: storedNow,
                    startedAt: nil, finishedAt: nil, idempotencyKey: job.idempotencyKey, attempt: 0,
                    timeoutSeconds: Double(timeoutMs) / 1000, workerID: nil, leaseUntil: nil, sequence: db.lastInsertedRowID,
                    traceContext: job.traceContext, region: job.region, regionStrict: job.regionStrict,
                    partition: job.partition, fairTag: fairTag, concurrency: job.concurrency,
                    uniqueKey: job.unique?.key
                ))
        }
        return try existing(for: job)
    }

    /// Binds the parameters of the statement of the job's ``Shape`` in order (thirteen, eighteen
    /// when `extended`, twenty with a partition) and executes the statement.
    ///
    /// Texts are bound `SQLITE_STATIC`, pointing into the Swift strings' own UTF-8 storage, so
    /// SQLite copies none of them (with `SQLITE_TRANSIENT` it allocated, copied and freed six
    /// texts per job). Those pointers are valid only inside the `withUTF8` closures, so the
    /// statement runs inside them and its bindings are cleared before they return.
    private func execute(
        _ job: NewJob, runAt: Int64, timeoutMs: Int64, on statement: Statement, extended: Bool,
        partition: (key: String, tag: Int64)?
    ) throws {
        let handle = statement.sqliteStatement
        // Bindings may only change on a reset statement; GRDB resets before stepping, not after.
        sqlite3_reset(handle)
        var code = sqlite3_bind_int64(handle, 4, Int64(job.priority))
        code |= sqlite3_bind_int64(handle, 6, Int64(job.maxRetries))
        code |= sqlite3_bind_int64(handle, 7, runAt)
        code |= sqlite3_bind_int64(handle, 8, nowMicros)
        code |= sqlite3_bind_int64(handle, 9, nowMicros)
        code |= sqlite3_bind_int64(handle, 12, timeoutMs)
        var type = job.type, queue = job.queue, payload = job.payloadJSON, fingerprint = job.fingerprint
        var key = job.idempotencyKey
        // A job without a trace context binds NULL; one with a context binds its text, copied by
        // SQLite (`SQLITE_TRANSIENT`) because the text is built for this call only.
        if let traceContext = job.traceContext {
            code |= sqlite3_bind_text(handle, 13, traceContext.text, -1, Self.transient)
        } else {
            code |= sqlite3_bind_null(handle, 13)
        }
        if extended { code |= bindExtendedColumns(job, to: handle) }
        if let partition {
            code |= sqlite3_bind_text(handle, 19, partition.key, -1, Self.transient)
            code |= sqlite3_bind_int64(handle, 20, partition.tag)
        }
        defer { sqlite3_clear_bindings(handle) }
        try job.id.withLowercaseText { id in
            try type.withUTF8 { type in
                try queue.withUTF8 { queue in
                    try payload.withUTF8 { payload in
                        try fingerprint.withUTF8 { fingerprint in
                            code |= Self.bindText(id, to: handle, at: 1)
                            code |= Self.bindText(type, to: handle, at: 2)
                            code |= Self.bindText(queue, to: handle, at: 3)
                            code |= Self.bindText(payload, to: handle, at: 5)
                            code |= Self.bindText(fingerprint, to: handle, at: 11)
                            if key == nil {
                                code |= sqlite3_bind_null(handle, 10)
                                try checkAndStep(code, job: job, statement: statement)
                            } else {
                                try key!.withUTF8 { key in
                                    code |= Self.bindText(key, to: handle, at: 10)
                                    try checkAndStep(code, job: job, statement: statement)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Binds parameters 14-18 of the extended statement: region, strictness, concurrency key and
    /// limit, unique key. These jobs are few, so their texts are copied like a trace context.
    private func bindExtendedColumns(_ job: NewJob, to handle: SQLiteStatement) -> Int32 {
        var code: Int32 = SQLITE_OK
        if let region = job.region {
            code |= sqlite3_bind_text(handle, 14, region, -1, Self.transient)
        } else {
            code |= sqlite3_bind_null(handle, 14)
        }
        code |= sqlite3_bind_int64(handle, 15, job.regionStrict ? 1 : 0)
        // Most jobs have no concurrency key: two NULLs. A key is copied like a trace context.
        if let concurrency = job.concurrency {
            code |= sqlite3_bind_text(handle, 16, concurrency.key, -1, Self.transient)
            code |= sqlite3_bind_int64(handle, 17, Int64(concurrency.limit))
        } else {
            code |= sqlite3_bind_null(handle, 16)
            code |= sqlite3_bind_null(handle, 17)
        }
        if let unique = job.unique {
            code |= sqlite3_bind_text(handle, 18, unique.key, -1, Self.transient)
        } else {
            code |= sqlite3_bind_null(handle, 18)
        }
        return code
    }

    /// Executes the bound statement through GRDB, unless a bind failed.
    private func checkAndStep(_ code: Int32, job: NewJob, statement: Statement) throws {
        // Every code is SQLITE_OK (0) unless a value was too big or memory ran out.
        guard code == SQLITE_OK else {
            throw VesperError(.unavailable, "SQLite could not bind the values of job \(job.id) (result code \(code))")
        }
        try statement.execute()
    }

    /// `SQLITE_TRANSIENT`, a C macro Swift does not import: SQLite copies the text before returning.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds UTF-8 text without copying it (`SQLITE_STATIC`): `bytes` must stay valid until the
    /// statement has run and its bindings are cleared.
    private static func bindText(_ bytes: UnsafeBufferPointer<UInt8>, to handle: SQLiteStatement, at index: Int32) -> Int32 {
        // An empty buffer may have no address, and a null pointer would bind NULL, not ''.
        let pointer = UnsafeRawPointer(bytes.baseAddress ?? StaticString("").utf8Start)
        return sqlite3_bind_text(handle, index, pointer.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
    }

    /// The outcome for a job skipped by `ON CONFLICT`: its key belongs to a stored job.
    private func existing(for job: NewJob) throws -> EnqueueOutcome {
        guard let key = job.idempotencyKey,
            let row = try Row.fetchOne(
                db, sql: "SELECT \(SQLiteRow.columns), fingerprint FROM jobs WHERE idempotency_key = ?", arguments: [key])
        else {
            throw VesperError(.invalidState, "job \(job.id) was not inserted")
        }
        let existing = try SQLiteRow.job(row)
        return (row["fingerprint"] as String) == job.fingerprint ? .existing(existing) : .conflict(key: key, existing: existing)
    }
}
