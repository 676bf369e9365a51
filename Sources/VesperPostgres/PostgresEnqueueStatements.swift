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
        /// Whether the statement takes the `trace_context`, `region` and `region_strict` arrays.
        static var traced: Bool { get }
        /// Whether the statement takes the `concurrency_key`, `concurrency_limit` and `unique_key`
        /// arrays (and, then, the ``traced`` ones too).
        static var extended: Bool { get }
    }

    /// A batch without idempotency keys: a plain insert. `ON CONFLICT` would make every row a
    /// speculative insertion (an extra WAL record per row, ~0.3 µs of server CPU per job).
    enum Plain: Variant {
        static let name = "vesper_enqueue_v3"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: "", traced: false)
        static let traced = false
        static let extended = false
    }

    /// A batch with idempotency keys: jobs whose key is taken (also by an earlier job of the same
    /// batch) are skipped, and the caller answers them from the stored row.
    enum SkippingKnownKeys: Variant {
        static let name = "vesper_enqueue_keys_v3"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: skipKnownKeys, traced: false)
        static let traced = false
        static let extended = false
    }

    /// ``Plain`` for a batch where some job carries a trace context or a region. Other batches
    /// (all of them when no tracer is bootstrapped and no job is routed) do not send arrays of
    /// empty values.
    enum Traced: Variant {
        static let name = "vesper_enqueue_traced_v2"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: "", traced: true)
        static let traced = true
        static let extended = false
    }

    /// ``SkippingKnownKeys`` for a batch where some job carries a trace context or a region.
    enum TracedSkippingKnownKeys: Variant {
        static let name = "vesper_enqueue_traced_keys_v2"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: skipKnownKeys, traced: true)
        static let traced = true
        static let extended = false
    }

    /// A batch where some job carries a concurrency key (fleet-wide limit) or is unique (its key
    /// already taken by ``PostgresUniqueLocks``): every optional array, so the few batches with
    /// them cost the others nothing. Key and limit go in the same insert, so no claim can see a
    /// keyed job without its limit.
    enum Extended: Variant {
        static let name = "vesper_enqueue_extended_v1"
        static let sql = PostgresEnqueueStatements.notifyingSQL(onConflict: skipKnownKeys, traced: true, extended: true)
        static let traced = true
        static let extended = true
    }

    /// A batch where some job has a partition: the same insert, plus the start tags of its
    /// partitioned jobs (see ``ClaimOrder``), all in one statement. It always takes keys and
    /// contexts: batches without partitions keep the leaner statements above.
    ///
    /// `counts` groups the batch by (queue, partition); `clocks` reads each queue's virtual time
    /// (its lowest pending tag through `jobs_fair_pending`, else one past the highest tag its
    /// partitions handed out, through `partitions_last_tag`); `bumped` upserts every partition's
    /// last tag to `max(last + k, virtual time + k - 1)` for its `k` jobs, in key order so two
    /// batches lock shared partitions in the same order; each job then takes its partition's
    /// tags in batch order. The upsert's row lock serialises two enqueues of one partition
    /// (`ON CONFLICT DO UPDATE` sees the committed row), so their tags never repeat.
    struct PartitionedInsert: PostgresPreparedStatement {
        static let name = "vesper_enqueue_partitioned_v4"
        static let sql = """
            WITH n AS (
                SELECT * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::int8[], $8::timestamptz[],
                    $9::text[], $10::text[], $11::int8[], $12::text[], $13::text[], $14::bool[], $15::text[], $16::int8[],
                    $17::text[], $18::text[])
                    WITH ORDINALITY AS n(id, type, queue, priority, payload, max_retries, run_at, idempotency_key, fingerprint,
                        timeout_ms, trace_context, region, region_strict, concurrency_key, concurrency_limit, unique_key, partition_key, ord)
            ),
            counts AS (
                SELECT queue, partition_key, count(*) AS k FROM n WHERE partition_key <> '' GROUP BY queue, partition_key
            ),
            clocks AS (
                SELECT q.queue, coalesce(
                    (SELECT min(j.fair_tag) FROM jobs j WHERE j.queue = q.queue AND j.status = 'pending' AND j.fair_tag > 0),
                    (SELECT max(p.last_tag) + 1 FROM partitions p WHERE p.queue = q.queue),
                    1) AS virtual_time
                FROM (SELECT DISTINCT queue FROM counts) q
            ),
            bumped AS (
                INSERT INTO partitions AS p (queue, partition_key, last_tag)
                SELECT c.queue, c.partition_key, v.virtual_time + c.k - 1 FROM counts c JOIN clocks v USING (queue)
                ORDER BY c.queue, c.partition_key
                ON CONFLICT (queue, partition_key) DO UPDATE SET last_tag = greatest(
                    p.last_tag + (SELECT c.k FROM counts c WHERE c.queue = p.queue AND c.partition_key = p.partition_key), EXCLUDED.last_tag)
                RETURNING p.queue, p.partition_key, p.last_tag
            ),
            inserted AS (
                INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at, updated_at,
                    idempotency_key, fingerprint, timeout_ms, trace_context, region, region_strict, concurrency_key,
                    concurrency_limit, unique_key, partition_key, fair_tag)
                SELECT n.id, n.type, n.queue, n.priority, n.payload, 'pending', n.max_retries, n.run_at, $1, $1,
                    NULLIF(n.idempotency_key, ''), n.fingerprint, n.timeout_ms, NULLIF(n.trace_context, ''), NULLIF(n.region, ''),
                    n.region_strict, NULLIF(n.concurrency_key, ''), NULLIF(n.concurrency_limit, 0), NULLIF(n.unique_key, ''),
                    NULLIF(n.partition_key, ''),
                    coalesce(b.last_tag - c.k + row_number() OVER (PARTITION BY n.queue, n.partition_key ORDER BY n.ord), 0)
                FROM n LEFT JOIN bumped b ON b.queue = n.queue AND b.partition_key = n.partition_key
                    LEFT JOIN counts c ON c.queue = n.queue AND c.partition_key = n.partition_key
                ORDER BY n.ord
                \(skipKnownKeys)
                RETURNING id, seq, fair_tag
            )
            SELECT id, seq, fair_tag FROM inserted WHERE (SELECT true FROM pg_notify('\(PostgresJobStore.channel)', ''))
            """

        typealias Row = (UUID, Int64, Int64)

        var batch: Batch

        func makeBindings() throws -> PostgresBindings {
            var bindings = batch.bindings(traced: true, extended: true)
            bindings.append(batch.jobs.map { $0.partition ?? "" })
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> (UUID, Int64, Int64) { try row.decode((UUID, Int64, Int64).self) }
    }

    static let skipKnownKeys = "ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"

    /// The insert of `batch` as the statement `V`; returns each inserted job's id and `seq`.
    struct Insert<V: Variant>: PostgresPreparedStatement {
        static var name: String { V.name }
        static var sql: String { V.sql }

        typealias Row = (UUID, Int64)

        var batch: Batch

        func makeBindings() throws -> PostgresBindings { batch.bindings(traced: V.traced, extended: V.extended) }
        func decodeRow(_ row: PostgresRow) throws -> (UUID, Int64) { try row.decode((UUID, Int64).self) }
    }

    /// The jobs of one batch, written at `now`, as the statements bind them.
    struct Batch: Sendable {
        var now: Date
        var jobs: [NewJob]

        /// Whether some job has a key that could be taken.
        var hasKeys: Bool { jobs.contains { !($0.idempotencyKey ?? "").isEmpty } }

        /// Whether some job carries a trace context or a region (the ``Traced`` statements).
        var hasTraceContexts: Bool { jobs.contains { $0.traceContext != nil || $0.region != nil } }

        /// Whether some job has a partition ('' stands for none; a valid partition is never empty).
        var hasPartitions: Bool { jobs.contains { $0.partition != nil } }

        /// Whether some job carries a concurrency key.
        var hasConcurrencyKeys: Bool { jobs.contains { $0.concurrency != nil } }

        /// Whether some job is unique.
        var hasUniqueKeys: Bool { jobs.contains { $0.unique != nil } }

        func bindings(traced: Bool, extended: Bool = false) -> PostgresBindings {
            var bindings = PostgresBindings(capacity: extended ? 17 : traced ? 14 : 11)
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
            if traced {
                bindings.append(jobs.map { $0.traceContext?.text ?? "" })
                // '' for "any region", as for keys: a region name is never empty.
                bindings.append(jobs.map { $0.region ?? "" })
                bindings.append(jobs.map(\.regionStrict))
            }
            // '' and 0 for a job without a key; a key is never empty.
            if extended {
                bindings.append(jobs.map { $0.concurrency?.key ?? "" })
                bindings.append(jobs.map { Int64($0.concurrency?.limit ?? 0) })
                bindings.append(jobs.map { $0.unique?.key ?? "" })
            }
            return bindings
        }
    }

    private static func sql(onConflict: String, traced: Bool, extended: Bool) -> String {
        """
        INSERT INTO jobs (id, type, queue, priority, payload, status, max_retries, run_at, created_at, updated_at,
            idempotency_key, fingerprint, timeout_ms\(traced ? ", trace_context, region, region_strict" : "")\(
                extended ? ", concurrency_key, concurrency_limit, unique_key" : ""))
        SELECT n.id, n.type, n.queue, n.priority, n.payload, 'pending', n.max_retries, n.run_at, $1, $1,
            NULLIF(n.idempotency_key, ''), n.fingerprint, n.timeout_ms\(
                traced ? ", NULLIF(n.trace_context, ''), NULLIF(n.region, ''), n.region_strict" : "")\(
                extended ? ", NULLIF(n.concurrency_key, ''), NULLIF(n.concurrency_limit, 0), NULLIF(n.unique_key, '')" : "")
        FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::int8[], $8::timestamptz[], $9::text[],
            $10::text[], $11::int8[]\(traced ? ", $12::text[], $13::text[], $14::bool[]" : "")\(
                extended ? ", $15::text[], $16::int8[], $17::text[]" : ""))
            WITH ORDINALITY AS n(id, type, queue, priority, payload, max_retries, run_at, idempotency_key, fingerprint,
                timeout_ms, \(traced ? "trace_context, region, region_strict, " : "")\(
                    extended ? "concurrency_key, concurrency_limit, unique_key, " : "")ord)
        ORDER BY n.ord
        \(onConflict)
        RETURNING id, seq
        """
    }

    /// The insert, plus the wake-up for listening nodes in the same statement: a one-time filter
    /// runs `pg_notify` once (delivered at commit). One statement is atomic on its own, so a plain
    /// enqueue needs no BEGIN and COMMIT: one round trip instead of four.
    private static func notifyingSQL(onConflict: String, traced: Bool, extended: Bool = false) -> String {
        """
        WITH inserted AS (
        \(sql(onConflict: onConflict, traced: traced, extended: extended))
        )
        SELECT id, seq FROM inserted WHERE (SELECT true FROM pg_notify('\(PostgresJobStore.channel)', ''))
        """
    }
}
