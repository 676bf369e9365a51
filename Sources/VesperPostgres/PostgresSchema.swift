import Logging
import PostgresNIO

/// The PostgreSQL schema as numbered migrations, recorded in `vesper_migrations`.
///
/// Every node runs ``migrate(client:logger:)`` at start-up. The whole run is one transaction that
/// first takes a transaction-scoped advisory lock, so nodes starting together queue up: the first
/// applies what is missing, the others find it recorded and do nothing.
enum PostgresSchema {
    struct Migration: Sendable {
        var version: Int
        var name: String
        /// One statement per element: the extended protocol runs one statement per query.
        var statements: [String]
    }

    /// Arbitrary but fixed key for `pg_advisory_xact_lock`: "vesper" in ASCII.
    static let advisoryLockKey: Int64 = 0x7665_7370_6572

    static let migrations: [Migration] = [
        Migration(
            version: 1, name: "jobs",
            statements: [
                // `seq` is the FIFO order within a priority and the paging cursor; an identity never
                // goes backwards. `payload` is TEXT, not JSONB: the payload must come back exactly as
                // submitted (JSONB re-orders keys and drops whitespace).
                """
                CREATE TABLE jobs (
                    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    id UUID NOT NULL UNIQUE,
                    type TEXT NOT NULL,
                    queue TEXT NOT NULL,
                    priority INTEGER NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'done', 'failed', 'dlq', 'cancelled')),
                    retries INTEGER NOT NULL DEFAULT 0,
                    max_retries INTEGER NOT NULL,
                    error TEXT NOT NULL DEFAULT '',
                    run_at TIMESTAMPTZ NOT NULL,
                    created_at TIMESTAMPTZ NOT NULL,
                    updated_at TIMESTAMPTZ NOT NULL,
                    started_at TIMESTAMPTZ,
                    finished_at TIMESTAMPTZ,
                    idempotency_key TEXT,
                    fingerprint TEXT NOT NULL,
                    attempt INTEGER NOT NULL DEFAULT 0,
                    timeout_ms BIGINT NOT NULL,
                    worker_id TEXT,
                    lease_until TIMESTAMPTZ
                )
                """,
                // Serves the claim: claimable jobs in priority, then FIFO, order.
                "CREATE INDEX jobs_claimable ON jobs (priority DESC, seq) WHERE status = 'pending'",
                // Serves lease recovery.
                "CREATE INDEX jobs_leased ON jobs (lease_until) WHERE status = 'processing'",
                // Serves listing by status, newest first.
                "CREATE INDEX jobs_status ON jobs (status, seq)",
                "CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL",
            ]),
        Migration(
            version: 2, name: "nodes",
            statements: [
                """
                CREATE TABLE nodes (
                    id TEXT PRIMARY KEY,
                    hostname TEXT NOT NULL,
                    pid INTEGER NOT NULL,
                    api_addr TEXT NOT NULL,
                    workers INTEGER NOT NULL,
                    busy INTEGER NOT NULL DEFAULT 0,
                    version TEXT NOT NULL,
                    types TEXT NOT NULL,
                    started_at TIMESTAMPTZ NOT NULL,
                    last_heartbeat TIMESTAMPTZ NOT NULL,
                    jobs_done BIGINT NOT NULL DEFAULT 0,
                    jobs_failed BIGINT NOT NULL DEFAULT 0
                )
                """,
                // Serves releasing the jobs of a reaped node.
                "CREATE INDEX jobs_worker ON jobs (worker_id) WHERE status = 'processing'",
            ]),
        Migration(
            version: 3, name: "finished-index",
            statements: [
                // Serves recent-throughput statistics and retention of finished jobs.
                "CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL"
            ]),
        Migration(
            version: 4, name: "queues",
            statements: [
                // Fleet-wide queue state: a row per queue that was ever paused or resumed. The claim
                // excludes paused names; the table stays tiny (one row per named queue).
                """
                CREATE TABLE queues (
                    name TEXT PRIMARY KEY,
                    paused BOOLEAN NOT NULL DEFAULT false,
                    updated_at TIMESTAMPTZ NOT NULL
                )
                """
            ]),
        Migration(
            version: 5, name: "lean-indexes",
            statements: [
                // Every claim and every finish changes a job's status, and an update that changes an
                // indexed column adds an entry to every index of the table. Counting and listing use
                // the partial indexes instead: jobs_claimable (pending), jobs_leased (processing),
                // jobs_finished (finished states, now covering status), and one small index per
                // state an operator lists that is never on the hot path.
                "DROP INDEX jobs_status",
                "DROP INDEX jobs_worker",
                "DROP INDEX jobs_finished",
                "CREATE INDEX jobs_finished ON jobs (finished_at, status) WHERE finished_at IS NOT NULL",
                "CREATE INDEX jobs_dlq ON jobs (seq) WHERE status = 'dlq'",
                "CREATE INDEX jobs_failed ON jobs (seq) WHERE status = 'failed'",
                "CREATE INDEX jobs_cancelled ON jobs (seq) WHERE status = 'cancelled'",
            ]),
        Migration(
            version: 6, name: "trace-context",
            statements: [
                // The producer's trace context (JobTraceContext.text), NULL for a job without one
                // (a NULL costs a bit in the row's null bitmap). Adding a nullable column without a
                // default only changes the catalog: no table rewrite, a brief lock.
                "ALTER TABLE jobs ADD COLUMN trace_context TEXT"
            ]),
        Migration(
            version: 7, name: "running-jobs-under-control",
            statements: [
                // An operator asked to cancel a processing job; the holding node's next lease
                // renewal ends it.
                "ALTER TABLE jobs ADD COLUMN cancel_requested BOOLEAN NOT NULL DEFAULT false",
                // What the handler returned (JSON text, kept as written).
                "ALTER TABLE jobs ADD COLUMN result TEXT",
                // The current attempt's last progress report (JSON text), written by lease renewals.
                "ALTER TABLE jobs ADD COLUMN progress TEXT",
                // The attempt history, appended to by the statement that ends each attempt, so it
                // costs no second write. A constant default rewrites no rows (PostgreSQL 11+).
                "ALTER TABLE jobs ADD COLUMN attempts JSONB NOT NULL DEFAULT '[]'",
            ]),
        Migration(
            version: 8, name: "node-region",
            statements: [
                // The region a node runs in (`REGION`); nodes of older versions count as `default`.
                "ALTER TABLE nodes ADD COLUMN region TEXT NOT NULL DEFAULT 'default'"
            ]),
        Migration(
            version: 9, name: "job-regions",
            statements: [
                // The region a job is routed to (NULL: any node) and whether it may fail over to
                // another region. Catalog-only changes: a nullable column, a constant default.
                "ALTER TABLE jobs ADD COLUMN region TEXT",
                "ALTER TABLE jobs ADD COLUMN region_strict BOOLEAN NOT NULL DEFAULT false",
                // When each region last had a live node: touched by every heartbeat, kept after the
                // nodes are reaped, so `REGION_FAILOVER_AFTER` can count from it. One row per region.
                """
                CREATE TABLE regions (
                    name TEXT PRIMARY KEY,
                    last_seen TIMESTAMPTZ NOT NULL
                )
                """,
                "INSERT INTO regions (name, last_seen) SELECT region, max(last_heartbeat) FROM nodes GROUP BY region",
            ]),
        Migration(
            version: 10, name: "unique-jobs",
            statements: [
                // The key a unique job was enqueued with (shown by `GET /jobs/{id}`); NULL for most jobs.
                "ALTER TABLE jobs ADD COLUMN unique_key TEXT",
                // One row per unique key, naming the job that holds it. The primary key is what
                // makes concurrent enqueues of one key on different nodes unable to both create a
                // job: the second waits for the first's row and then sees its holder. A row whose
                // job no longer holds it is taken over by the next enqueue.
                "CREATE TABLE unique_locks (key TEXT PRIMARY KEY, job_id UUID NOT NULL)",
                // Deleting a job (retention, an operator) deletes its lock row. The WHEN is checked
                // without calling the function, so deleting a job without a unique key costs one
                // NULL test and queues no trigger event.
                """
                CREATE FUNCTION vesper_release_unique_lock() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM unique_locks WHERE key = OLD.unique_key AND job_id = OLD.id;
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER jobs_release_unique_lock AFTER DELETE ON jobs
                FOR EACH ROW WHEN (OLD.unique_key IS NOT NULL) EXECUTE FUNCTION vesper_release_unique_lock()
                """,
            ]),
        Migration(
            version: 11, name: "fleet-limits",
            statements: [
                // A job's fleet-wide concurrency key and limit (NULL for most jobs: a bit in the null
                // bitmap). `claimed_at` is written by claims that went through the limiter.
                "ALTER TABLE jobs ADD COLUMN concurrency_key TEXT",
                "ALTER TABLE jobs ADD COLUMN concurrency_limit INTEGER",
                "ALTER TABLE jobs ADD COLUMN claimed_at TIMESTAMPTZ",
                // Queue limits live with the pause flag.
                "ALTER TABLE queues ADD COLUMN concurrency INTEGER",
                "ALTER TABLE queues ADD COLUMN rate_limit INTEGER",
                "ALTER TABLE queues ADD COLUMN rate_period_ms BIGINT",
                // Only keyed jobs have entries: counting a key's leased jobs, finding waiting keyed jobs.
                "CREATE INDEX jobs_keyed ON jobs (status, concurrency_key) WHERE concurrency_key IS NOT NULL",
                // The sliding window of rate-limited queues: one row per limited claim, pruned by claims.
                "CREATE TABLE queue_starts (queue TEXT NOT NULL, started_at TIMESTAMPTZ NOT NULL, started INTEGER NOT NULL)",
                "CREATE INDEX queue_starts_window ON queue_starts (queue, started_at)",
            ]),
        Migration(
            version: 12, name: "fair-shares",
            statements: [
                // The tenant a job counts against (NULL: none) and its start tag in that tenant's
                // turn (0: none). Neither rewrites rows (nullable, constant default).
                "ALTER TABLE jobs ADD COLUMN partition_key TEXT",
                "ALTER TABLE jobs ADD COLUMN fair_tag BIGINT NOT NULL DEFAULT 0",
                // The claim order becomes (priority DESC, fair_tag, seq); with every tag 0 (no
                // partitions) that is the old priority-then-FIFO walk.
                "DROP INDEX jobs_claimable",
                "CREATE INDEX jobs_claimable ON jobs (priority DESC, fair_tag, seq) WHERE status = 'pending'",
                // A queue's virtual time: its lowest pending tag. Holds partitioned jobs only, so
                // jobs without a partition never write to it.
                "CREATE INDEX jobs_fair_pending ON jobs (queue, fair_tag) WHERE status = 'pending' AND fair_tag > 0",
                // Each (queue, partition)'s last tag, upserted by the enqueue of a partitioned job
                // (the row lock serialises two enqueues of one partition; other partitions do not wait).
                """
                CREATE TABLE partitions (
                    queue TEXT NOT NULL,
                    partition_key TEXT NOT NULL,
                    last_tag BIGINT NOT NULL,
                    PRIMARY KEY (queue, partition_key)
                )
                """,
                "CREATE INDEX partitions_last_tag ON partitions (queue, last_tag)",
            ]),
        Migration(
            version: 13, name: "finished-jobs",
            statements: [
                // Done jobs leave `jobs` in the statement that finishes them
                // (``PostgresFinishedJobs``): the claim index and the table's heap then hold live
                // work only, and vacuum keeps up with a small table. `LIKE` copies every column
                // `jobs` has at this point (defaults and CHECKs too, not the identity: `seq` keeps
                // the value `jobs` gave it). A column added to `jobs` by a later migration must be
                // added here too, in the same migration, and to `PostgresJobRow.storedNames`.
                "CREATE TABLE finished_jobs (LIKE jobs INCLUDING DEFAULTS INCLUDING CONSTRAINTS)",
                // Serves listing newest first (and the paging cursor).
                "ALTER TABLE finished_jobs ADD PRIMARY KEY (seq)",
                // Serves `GET /jobs/{id}`.
                "CREATE UNIQUE INDEX finished_jobs_id ON finished_jobs (id)",
                // Serves retention, statistics and throughput, as `jobs_finished` does in `jobs`.
                "CREATE INDEX finished_jobs_finished ON finished_jobs (finished_at, status)",
                // `done` jobs that stay in `jobs` (those with an idempotency key, and those finished
                // before this migration) are listed through this small index instead of a walk of
                // the whole table.
                "CREATE INDEX jobs_done ON jobs (seq) WHERE status = 'done'",
                // A unique key's lock follows its job into the archive. The move's `DELETE` from
                // `jobs` fires the release trigger at the end of the statement, when the same
                // statement's `INSERT` into `finished_jobs` is visible: a job found there was moved,
                // not deleted, and keeps its key (it still holds it when its states include `done`).
                // Deleting the job from the archive (retention, an operator) frees the key: there
                // the deleted row is no longer visible to the check.
                """
                CREATE OR REPLACE FUNCTION vesper_release_unique_lock() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM unique_locks WHERE key = OLD.unique_key AND job_id = OLD.id
                        AND NOT EXISTS (SELECT 1 FROM finished_jobs WHERE id = OLD.id);
                    RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER finished_jobs_release_unique_lock AFTER DELETE ON finished_jobs
                FOR EACH ROW WHEN (OLD.unique_key IS NOT NULL) EXECUTE FUNCTION vesper_release_unique_lock()
                """,
            ]),
    ]

    /// Applies every migration not yet recorded, in version order, under the advisory lock.
    static func migrate(client: PostgresClient, logger: Logger) async throws {
        try await client.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(advisoryLockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS vesper_migrations (
                    version INTEGER PRIMARY KEY,
                    name TEXT NOT NULL,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM vesper_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for migration in migrations where !applied.contains(migration.version) {
                logger.info("applying migration", metadata: ["vesper_migration": "\(migration.version)-\(migration.name)"])
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO vesper_migrations (version, name) VALUES (\(migration.version), \(migration.name))", logger: logger)
            }
        }
    }
}
