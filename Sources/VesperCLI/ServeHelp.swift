/// The environment variables `vesper serve` reads, for `vesper serve --help`. The README's
/// Configuration section says what each does; a test checks that both name the same variables.
enum ServeHelp {
    static let discussion = """
        Configured by environment variables (a .env file in the working directory fills in what
        the environment leaves out). Defaults in brackets; see the README's Configuration section.

        Database:    DB_PATH [vesper.db] · DATABASE_URL or DB_HOST [one host or host1,host2], DB_PORT [5432], DB_USER, DB_PASSWORD,
                     DB_NAME, DB_SSLMODE, DB_MAX_CONNECTIONS, DB_TIMEOUT [10s], DB_TIMEZONE · AUTO_MIGRATE [1]
        Node:        WORKERS [5] · PREFETCH [1000] · API_ADDR [:8080] · APP_ENV [development] · ROLE [all] ·
                     REQUIRE_CONSUMER [0] · DEMO_CONSUMER [0] · NODE_NAME [host name] · REGION [default] ·
                     REGION_FAILOVER_AFTER [off] · QUEUES [all] · QUEUE_CONCURRENCY
        Jobs:        MAX_RETRIES [3] · JOB_TIMEOUT [5m] · RETRY_BASE_DELAY [1s] · RETRY_MAX_DELAY [1h] ·
                     LEASE_DURATION [30s] · HEARTBEAT_INTERVAL [5s] · POLL_INTERVAL [1s] ·
                     SHUTDOWN_TIMEOUT [30s] · NODE_TIMEOUT [3 × HEARTBEAT_INTERVAL] · MAX_RESULT_BYTES [65536]
        HTTP:        HTTP_READ_HEADER_TIMEOUT [5s] · HTTP_READ_TIMEOUT [30s] · HTTP_WRITE_TIMEOUT [30s] ·
                     HTTP_IDLE_TIMEOUT [120s] · MAX_BODY_BYTES [1048576] · MAX_PAYLOAD_BYTES · MAX_BATCH [1000]
        Security:    API_TOKENS · API_TOKENS_FILE · METRICS_REQUIRE_TOKEN [1]
        Retention:   RETENTION [7d] · RETENTION_FAILED [off] · RETENTION_BATCH [1000] · RETENTION_INTERVAL [1m]
        Cron:        CRON_JOBS · CRON_JOBS_FILE · CRON_CATCH_UP [1h]
        Logs, stats: LOG_LEVEL [info] · LOG_FORMAT [text] · METRICS_SAMPLE_INTERVAL [5s] ·
                     METRICS_MAX_TYPES [100] · STATS_LOG_INTERVAL [60s]
        Dashboard:   UI_ENABLED [1] · GRAFANA_URL
        """
}
