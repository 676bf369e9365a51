import GRDB

/// The SQLite schema, as named, ordered migrations.
enum SQLiteSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-jobs") { db in
            // `seq` is the FIFO order within a priority and the paging cursor. AUTOINCREMENT keeps
            // it monotonic even after old rows are pruned. Times are microseconds since 1970 (UTC).
            try db.execute(
                sql: """
                    CREATE TABLE jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        type TEXT NOT NULL,
                        queue TEXT NOT NULL,
                        priority INTEGER NOT NULL,
                        payload TEXT NOT NULL,
                        status TEXT NOT NULL,
                        retries INTEGER NOT NULL DEFAULT 0,
                        max_retries INTEGER NOT NULL,
                        error TEXT NOT NULL DEFAULT '',
                        run_at INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        started_at INTEGER,
                        finished_at INTEGER,
                        idempotency_key TEXT,
                        fingerprint TEXT NOT NULL,
                        attempt INTEGER NOT NULL DEFAULT 0,
                        timeout_ms INTEGER NOT NULL,
                        worker_id TEXT,
                        lease_until INTEGER
                    );
                    -- Serves the claim: claimable jobs in priority, then FIFO, order.
                    CREATE INDEX jobs_claimable ON jobs (priority DESC, seq) WHERE status = 'pending';
                    -- Serves lease recovery.
                    CREATE INDEX jobs_leased ON jobs (lease_until) WHERE status = 'processing';
                    -- Serves listing by status, newest first.
                    CREATE INDEX jobs_status ON jobs (status, seq);
                    CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v2-nodes") { db in
            try db.execute(
                sql: """
                    CREATE TABLE nodes (
                        id TEXT PRIMARY KEY,
                        hostname TEXT NOT NULL,
                        pid INTEGER NOT NULL,
                        api_addr TEXT NOT NULL,
                        workers INTEGER NOT NULL,
                        busy INTEGER NOT NULL DEFAULT 0,
                        version TEXT NOT NULL,
                        types TEXT NOT NULL,
                        started_at INTEGER NOT NULL,
                        last_heartbeat INTEGER NOT NULL,
                        jobs_done INTEGER NOT NULL DEFAULT 0,
                        jobs_failed INTEGER NOT NULL DEFAULT 0
                    );
                    -- Serves releasing the jobs of a reaped node.
                    CREATE INDEX jobs_worker ON jobs (worker_id) WHERE status = 'processing';
                    """)
        }
        migrator.registerMigration("v3-finished-index") { db in
            // Serves recent-throughput statistics and retention of finished jobs.
            try db.execute(sql: "CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL")
        }
        migrator.registerMigration("v4-queues") { db in
            // Fleet-wide queue state: a row per queue that was ever paused or resumed. The claim
            // excludes `paused = 1` names; the table stays tiny (one row per named queue).
            try db.execute(
                sql: """
                    CREATE TABLE queues (
                        name TEXT PRIMARY KEY,
                        paused INTEGER NOT NULL DEFAULT 0,
                        updated_at INTEGER NOT NULL
                    )
                    """)
        }
        migrator.registerMigration("v5-lean-indexes") { db in
            // Every claim and every finish changes a job's status: each index on `status` was
            // rewritten twice per job, and WAL pages are what a draining node writes (dropping
            // these two took a 16-slot drain from ~50k to ~67k jobs/s). Counting and listing use
            // the partial indexes instead: `jobs_claimable` (pending), `jobs_leased` (processing),
            // `jobs_finished` (finished states, now covering `status`), and one small index per
            // state an operator lists that is never on the hot path.
            try db.execute(
                sql: """
                    DROP INDEX jobs_status;
                    DROP INDEX jobs_worker;
                    DROP INDEX jobs_finished;
                    CREATE INDEX jobs_finished ON jobs (finished_at, status) WHERE finished_at IS NOT NULL;
                    CREATE INDEX jobs_dlq ON jobs (seq) WHERE status = 'dlq';
                    CREATE INDEX jobs_failed ON jobs (seq) WHERE status = 'failed';
                    CREATE INDEX jobs_cancelled ON jobs (seq) WHERE status = 'cancelled';
                    """)
        }
        migrator.registerMigration("v6-trace-context") { db in
            // The producer's trace context (JobTraceContext.text), NULL for a job without one (one
            // byte of the record header). Adding a column only rewrites the schema, not the rows.
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN trace_context TEXT")
        }
        migrator.registerMigration("v7-running-jobs-under-control") { db in
            // `cancel_requested`: an operator asked to cancel a processing job; the holding node's
            // next lease renewal ends it. `result`: what the handler returned (JSON text).
            // `progress`: the current attempt's last report (JSON text, written by lease renewals).
            // `attempts`: the attempt history, a JSON array appended to by the statement that ends
            // each attempt, so keeping it costs no second write. Adding columns with constant
            // defaults rewrites no rows.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE jobs ADD COLUMN result TEXT;
                    ALTER TABLE jobs ADD COLUMN progress TEXT;
                    ALTER TABLE jobs ADD COLUMN attempts TEXT NOT NULL DEFAULT '[]';
                    """)
        }
        migrator.registerMigration("v8-node-region") { db in
            // The region a node runs in (`REGION`); nodes of older versions count as `default`.
            try db.execute(sql: "ALTER TABLE nodes ADD COLUMN region TEXT NOT NULL DEFAULT 'default'")
        }
        migrator.registerMigration("v9-job-regions") { db in
            // `region`: where a job is routed (NULL: any node); `region_strict`: it never fails
            // over to another region. `regions`: when each region last had a live node, touched
            // by heartbeats and kept after its nodes are reaped (`REGION_FAILOVER_AFTER` counts
            // from it); one row per region.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN region TEXT;
                    ALTER TABLE jobs ADD COLUMN region_strict INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE regions (name TEXT PRIMARY KEY, last_seen INTEGER NOT NULL);
                    INSERT INTO regions (name, last_seen) SELECT region, max(last_heartbeat) FROM nodes GROUP BY region;
                    """)
        }
        migrator.registerMigration("v10-unique-jobs") { db in
            // `unique_key`: the key a unique job was enqueued with (shown by `GET /jobs/{id}`).
            // `unique_locks`: one row per key, naming the job that holds it; the primary key is
            // what makes two enqueues of one key unable to both create a job. A row whose job no
            // longer holds it is taken over by the next enqueue. Deleting a job (retention, an
            // operator) deletes its row through the trigger, whose WHEN costs a job without a
            // unique key one NULL test.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN unique_key TEXT;
                    CREATE TABLE unique_locks (key TEXT PRIMARY KEY NOT NULL, job_id TEXT NOT NULL) WITHOUT ROWID;
                    CREATE TRIGGER jobs_release_unique_lock AFTER DELETE ON jobs WHEN OLD.unique_key IS NOT NULL
                    BEGIN
                        DELETE FROM unique_locks WHERE key = OLD.unique_key AND job_id = OLD.id;
                    END;
                    """)
        }
        migrator.registerMigration("v11-fleet-limits") { db in
            // Fleet-wide limits. A job's concurrency key and limit (NULL for most jobs); `claimed_at`
            // is written by claims that went through the limiter (the time of the claim, which a
            // rate window counts). Queue limits live with the pause flag. `queue_starts` is the
            // sliding window of a rate-limited queue: one row per claim, pruned by the claims.
            // `jobs_keyed` only holds keyed jobs: it serves counting a key's leased jobs and
            // finding whether keyed jobs wait, and costs unkeyed jobs nothing.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN concurrency_key TEXT;
                    ALTER TABLE jobs ADD COLUMN concurrency_limit INTEGER;
                    ALTER TABLE jobs ADD COLUMN claimed_at INTEGER;
                    ALTER TABLE queues ADD COLUMN concurrency INTEGER;
                    ALTER TABLE queues ADD COLUMN rate_limit INTEGER;
                    ALTER TABLE queues ADD COLUMN rate_period_ms INTEGER;
                    CREATE INDEX jobs_keyed ON jobs (status, concurrency_key) WHERE concurrency_key IS NOT NULL;
                    CREATE TABLE queue_starts (queue TEXT NOT NULL, started_at INTEGER NOT NULL, started INTEGER NOT NULL);
                    CREATE INDEX queue_starts_window ON queue_starts (queue, started_at);
                    """)
        }
        migrator.registerMigration("v12-fair-shares") { db in
            // Fair shares: `partition_key` names the tenant a job counts against (NULL: none) and
            // `fair_tag` is its start tag in its partition's turn (0: none), so the claim order is
            // (priority DESC, fair_tag, seq); a queue without partitions keeps priority-then-FIFO.
            // `partitions` holds each (queue, partition)'s last tag, written only when a
            // partitioned job is enqueued. `jobs_fair_pending` finds a queue's virtual time (its
            // lowest pending tag) and holds partitioned jobs only.
            try db.execute(
                sql: """
                    ALTER TABLE jobs ADD COLUMN partition_key TEXT;
                    ALTER TABLE jobs ADD COLUMN fair_tag INTEGER NOT NULL DEFAULT 0;
                    DROP INDEX jobs_claimable;
                    CREATE INDEX jobs_claimable ON jobs (priority DESC, fair_tag, seq) WHERE status = 'pending';
                    CREATE INDEX jobs_fair_pending ON jobs (queue, fair_tag) WHERE status = 'pending' AND fair_tag > 0;
                    CREATE TABLE partitions (
                        queue TEXT NOT NULL,
                        partition_key TEXT NOT NULL,
                        last_tag INTEGER NOT NULL,
                        PRIMARY KEY (queue, partition_key)
                    ) WITHOUT ROWID;
                    CREATE INDEX partitions_last_tag ON partitions (queue, last_tag);
                    """)
        }
        return migrator
    }
}
