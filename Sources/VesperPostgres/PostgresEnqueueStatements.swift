import Foundation
import PostgresNIO
import VesperCore

/// The enqueue `INSERT` as named prepared statements, parsed and planned once per connection.
///
/// Planning the statement took ~0.3 ms of server CPU per batch (pgbench, 1,000-job batches:
/// 6.2 ms per batch unprepared, 5.8 ms prepared), which matters most for the small batches that
/// group-committed `POST /jobs` requests make. The batch travels as one array per column;
/// `WITH ORDINALITY` + `ORDER BY ord` hands out `seq` in array order (FIFO within the batch).
/// Keys travel as '' for "none" (arrays of optionals are not encodable; a valid key is never empty).
/// Only `id` and `seq` come back: the rest of each created job is known (``PostgresInsertedJob``).
enum PostgresEnqueueStatements {
    /// One enqueue statement; each batch runs the leanest that fits it (`insertedSequences`).
    protocol Variant {
        static var name: String { get }
        static var sql: String { get }
        /// Whether the statement takes the `trace_context` array.
        static var traced: Bool { get }
        /// Whether the statement takes the `unique_key` array.
        static var unique: Bool { get }
    }

    /// A batch without idempotency keys: a plain insert. `ON CONFLICT` would make every row a
    /// speculative insertion (an extra WAL record per row, ~0.3 µs of server CPU per job).
    enum Plain: Variant {
        static let name = "vesper_enqueue_v3"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: "", traced: false)
        static let traced = false
        static let unique = false
    }

    /// A batch with idempotency keys: jobs whose key is taken (also by an earlier job of the same
    /// batch) are skipped, and the caller answers them from the stored row.
    enum SkippingKnownKeys: Variant {
        static let name = "vesper_enqueue_keys_v3"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: skipKnownKeys, traced: false)
        static let traced = false
        static let unique = false
    }

    /// ``Plain`` for a batch where some job carries a trace context. Untraced batches (all of
    /// them when no tracer is bootstrapped) do not send an array of empty contexts.
    enum Traced: Variant {
        static let name = "vesper_enqueue_traced_v1"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: "", traced: true)
        static let traced = true
        static let unique = false
    }

    /// ``SkippingKnownKeys`` for a batch where some job carries a trace context.
    enum TracedSkippingKnownKeys: Variant {
        static let name = "vesper_enqueue_traced_keys_v1"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: skipKnownKeys, traced: true)
        static let traced = true
        static let unique = false
    }

    /// A batch with unique jobs (their keys already taken by ``PostgresUniqueLocks``): every
    /// optional array, since unique jobs are off the measured hot path.
    enum Unique: Variant {
        static let name = "vesper_enqueue_unique_v1"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: skipKnownKeys, traced: true, unique: true)
        static let traced = true
        static let unique = true
    }

    static let skipKnownKeys = "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"

    /// The insert of `batch` as the statement `V`; returns each inserted job's id and `seq`.
    struct Insert<V: Variant>: PostgresPreparedStatement {
        static var name: String { V.name }
        static var sql: String { V.sql }

        typealias Row = (UUID, Int64)

        var batch: Batch

        func makeBindings() throws -> PostgresBindings { batch.bindings(traced: V.traced, unique: V.unique) }
        func decodeRow(_ row: PostgresRow) throws -> (UUID, Int64) { try row.decode((UUID, Int64).self) }
    }

    /// The jobs of one batch, written at `now`, as the statements bind them.
    struct Batch: Sendable {
        var now: Date
        var jobs: [NewJob]

        /// Whether some job has a key that could be taken.
        var hasKeys: Bool { jobs.contains { !($0.idempotencyKey ?? "").isEmpty } }

        /// Whether some job is unique.
        var hasUniqueKeys: Bool { jobs.contains { $0.unique != nil } }

        /// Whether some job carries a trace context.
        var hasTraceContexts: Bool { jobs.contains { $0.traceContext != nil } }

        func bindings(traced: Bool, unique: Bool = false) -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 11 + (traced ? 1 : 0) + (unique ? 1 : 0))
            bindings.append(now)
            bindings.append(jobs.map(\.id))
            bindings.append(jobs.map(\.type))
            bindings.append(jobs.map(\.queue))
            bindings.append(jobs.map { Int64($0.priority) })
            bindings.append(jobs.map(\.payloadJSON))
            bindings.append(jobs.map { Int64($0.maxRetries) })
            bindings.append(jobs.map { max($0.runAt ?? now, now) })
            bindings.append(jobs.map { $0.idempotencyKey ?? "" })
            bindings.append(jobs.map(\.fingerprint))
            bindings.append(jobs.map(PostgresInsertedJob.timeoutMilliseconds))
            // '' for a job without a context, as for keys; a stored context is never empty ('{...}').
            if traced { bindings.append(jobs.map { $0.traceContext?.text ?? "" }) }
            // '' for a job that is not unique; a unique key is never empty.
            if unique { bindings.append(jobs.map { $0.unique?.key ?? "" }) }
            return bindings
        }
    }

    private static func sql(onConflict: String, traced: Bool, unique: Bool) -> String {
        // The unique variant is always traced: its key array is $13.
        """
        INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at, updated_at,
            idempotency_key, fingerprint, timeout_ms\(traced ? ", trace_context" : "")\(unique ? ", unique_key" : ""))
        SELECT n.id, n.type, n.queue, n.priority, n.payload, 'pending', n.max_retries, n.run_at, $1, $1,
            NULLIF(n.idempotency_key, ''), n.fingerprint, n.timeout_ms\(traced ? ", NULLIF(n.trace_context, '')" : "")\(
            unique ? ", NULLIF(n.unique_key, '')" : "")
        FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::int8[], $8::timestamptz[], $9::text[],
            $10::text[], $11::int8[]\(traced ? ", $12::text[]" : "")\(unique ? ", $13::text[]" : ""))
            WITH ORDINALITY AS n(id, type, queue, priority, payload, max_retries, run_at, idempotency_key, fingerprint,
                timeout_ms, \(traced ? "trace_context, " : "")\(unique ? "unique_key, " : "")ord)
        ORDER BY n.ord
        \(onConflict)
        RETURNING id, seq
        """
    }

    /// The insert, plus the wake-up for listening nodes in the same statement: a one-time filter
    /// runs `pg_notify` once (delivered at commit). One statement is atomic on its own, so a plain
    /// enqueue needs no BEGIN and COMMIT: one round trip instead of four.
    private static func notifyingSQL(onConflict: String, traced: Bool, unique: Bool = false) -> String {
        """
        WITH inserted AS (
        \(sql(onConflict: onConflict, traced: traced, unique: unique))
        )
        SELECT id, seq FROM inserted WHERE (SELECT true FROM pg_notify('\(PostgresJobStore.channel)', ''))
        """
    }
}
