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
        return migrator
    }
}
