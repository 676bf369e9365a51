import Foundation
import VesperCore
import VesperHTTP
#if PostgreSQL
import VesperPostgres
#endif
import VesperWeb

/// Everything a Vesper node needs to know, read once at start-up: the core's settings and the
/// adapters' (``PostgresSettings``, ``HTTPSettings``, ``ListenAddress``, ``APIToken``) composed.
///
/// Build it with ``fromEnvironment(_:dotEnvPath:)`` (environment variables and an optional `.env`
/// file, with the names in the README) or set the properties in code.
public struct VesperConfiguration: Sendable {
    /// Which database holds the queue.
    public enum Database: Sendable, Equatable {
        /// A SQLite file on this machine (the zero set-up default).
        case sqlite(path: String)
        #if PostgreSQL
        /// A PostgreSQL server, for fleets across machines (built with the `PostgreSQL` trait, the default).
        case postgres(PostgresSettings)
        #endif
    }

    /// Defaults to SQLite in `vesper.db`.
    public var database: Database = .sqlite(path: "vesper.db")
    /// Create or upgrade the schema at start-up (`AUTO_MIGRATE`). When off, start-up refuses an
    /// out-of-date schema and `vesper migrate` upgrades it. Defaults to true.
    public var autoMigrate: Bool = true
    /// Worker slots on this node (`WORKERS`); 0 runs no jobs in-process and serves the API and the
    /// worker protocol for remote workers only. Defaults to 5.
    public var workers: Int = 5
    /// Most jobs a node leases ahead of its free slots (`PREFETCH`); it holds only enough to cover
    /// about 10 ms (or two claims) at its handlers' run time, up to this. 0 claims only for free
    /// slots. Defaults to 1,000.
    public var prefetch: Int = 1_000
    /// Where the HTTP API listens. Defaults to `:8080` (every interface).
    public var apiAddress: ListenAddress = ListenAddress(host: "0.0.0.0", port: 8080)
    /// `development` or `production`. Defaults to `development`.
    public var appEnvironment: String = "development"
    /// Whether the stock binary adds its catch-all demo consumer, which marks every job type without
    /// a handler done (`DEMO_CONSUMER`), outside production. Off by default, so a stock node never
    /// takes jobs meant for remote workers. Defaults to false.
    public var demoConsumer: Bool = false
    /// What this node runs (`ROLE`): the API and workers, or one of them for split deployments.
    /// Defaults to ``VesperRole/all``.
    public var role: VesperRole = .all
    /// Refuse to start without a consumer (always on in production). Defaults to false.
    public var requireConsumer: Bool = false
    /// HTTP server timeouts.
    public var http: HTTPSettings = HTTPSettings()
    /// Limits on submitted jobs.
    public var limits: JobLimits = JobLimits()
    /// `max_retries` for jobs that do not say. Defaults to 3.
    public var defaultMaxRetries: Int = 3
    /// Per-attempt timeout for jobs that do not say. Defaults to 5 minutes.
    public var defaultJobTimeout: Duration = .seconds(300)
    /// Retry backoff: base delay and cap. Default to 1s and 1h.
    public var retryBaseDelay: Duration = .seconds(1)
    public var retryMaxDelay: Duration = .seconds(3600)
    /// How long a claim holds a job before another node may take it. Defaults to 30s.
    public var leaseDuration: Duration = .seconds(30)
    /// How often an idle dispatcher looks for work it was not told about. Defaults to 1s.
    public var pollInterval: Duration = .seconds(1)
    /// How long running jobs may finish after SIGTERM before they are released. Defaults to 30s.
    public var shutdownTimeout: Duration = .seconds(30)
    /// How often the node heartbeats and extends the leases of its running jobs. Defaults to 5s.
    public var heartbeatInterval: Duration = .seconds(5)
    /// A node silent this long is reaped and its jobs released. Defaults to 3 heartbeats.
    public var nodeTimeout: Duration?
    /// This node's name in the fleet view. Defaults to the host name.
    public var nodeName: String = ProcessInfo.processInfo.hostName
    /// The region this node runs in (`REGION`), shown in the fleet view and on the fleet gauges.
    /// Defaults to `default`.
    public var region: String = NodeInfo.defaultRegion
    /// When a region has had no live node for this long (`REGION_FAILOVER_AFTER`), this node also
    /// runs that region's jobs that are not `region_strict`. Defaults to `nil`: off.
    public var regionFailoverAfter: Duration?
    /// How often queue-depth gauges are refreshed from the store. Defaults to 5s.
    public var metricsSampleInterval: Duration = .seconds(5)
    /// How many job types without a handler on this node get their own `type` label on job
    /// metrics (`METRICS_MAX_TYPES`); later ones are counted as `(other)`. Defaults to 100.
    public var metricsMaxTypes: Int = 100
    /// How often a queue summary line is logged; zero turns it off. Defaults to 60s.
    public var statsLogInterval: Duration = .seconds(60)
    /// Bearer tokens; when any is set, every endpoint but `/health` and `/ready` needs one.
    /// Defaults to none (an open API).
    public var apiTokens: [APIToken] = []
    /// Whether `/metrics` needs a token when tokens are set. Defaults to true.
    public var metricsRequireToken: Bool = true
    /// Largest `POST /jobs/batch`. Defaults to 1,000.
    public var maxBatch: Int = 1000
    /// Largest result a handler may return, in bytes of JSON (`MAX_RESULT_BYTES`); a larger one
    /// fails the attempt. Defaults to 64 KiB.
    public var maxResultBytes: Int = WorkerPoolOptions.defaultMaxResultBytes
    /// Claim only from these queues (`QUEUES`). Defaults to `nil`: every queue.
    public var queues: [String]? = nil
    /// Per-queue concurrency limits on this node (`QUEUE_CONCURRENCY`). Defaults to none.
    public var queueConcurrency: [String: Int] = [:]
    /// How long `done` and `cancelled` jobs are kept (`RETENTION`); `nil` keeps them forever.
    /// Defaults to 7 days.
    public var retention: Duration? = .seconds(7 * 86_400)
    /// How long `failed` and `dlq` jobs are kept (`RETENTION_FAILED`); `nil` keeps them forever.
    /// Defaults to `nil`: dead letters wait for a human.
    public var retentionFailed: Duration? = nil
    /// Rows deleted per pruning statement (`RETENTION_BATCH`). Defaults to 1000.
    public var retentionBatchSize: Int = 1000
    /// How often finished jobs are pruned (`RETENTION_INTERVAL`). Defaults to 1 minute.
    public var retentionInterval: Duration = .seconds(60)
    /// Periodic jobs from `CRON_JOBS` / `CRON_JOBS_FILE` (more can be added with `Vesper.schedule`).
    /// Defaults to none.
    public var periodicJobs: [PeriodicJob] = []
    /// The dashboard at `/ui` (`UI_ENABLED`, `GRAFANA_URL`).
    public var dashboard = DashboardSettings()
    /// At start-up, the most recent missed tick of each schedule is enqueued if at most this old
    /// (`CRON_CATCH_UP`); zero disables catching up. Defaults to 1 hour.
    public var cronCatchUp: Duration = .seconds(3600)
    /// Log level (`trace` ... `critical`). Defaults to `info`.
    public var logLevel: String = "info"
    /// `text` or `json`. Defaults to `text`.
    public var logFormat: String = "text"

    /// Findings about the environment that are probably mistakes but not errors (an unknown
    /// variable that looks like Vesper's, contradicting settings); a node logs each at start-up.
    public var warnings: [String] = []

    public init() {}

    /// ``nodeTimeout``, or three heartbeats when unset.
    public var effectiveNodeTimeout: Duration { nodeTimeout ?? heartbeatInterval * 3 }

    /// True when start-up must fail without a registered handler (`REQUIRE_CONSUMER=1`). Without
    /// it, a node with no handlers serves the API and runs no jobs.
    public var consumerRequired: Bool { requireConsumer }

    /// Whether the stock binary adds its demo handlers (the `demo.*` types): in `development` and
    /// `test`, never in `production`.
    public var demoHandlersEnabled: Bool { appEnvironment != "production" }

    /// Whether the stock binary adds its catch-all demo consumer: with `DEMO_CONSUMER=1`, outside
    /// production.
    public var demoConsumerEnabled: Bool { demoHandlersEnabled && demoConsumer }
}

/// What a node runs (`ROLE`). Nodes of every role share one database: `api` nodes take jobs over
/// HTTP, `worker` nodes run them.
public enum VesperRole: String, Sendable, CaseIterable {
    /// The HTTP API (and dashboard) and the worker pool. The default.
    case all
    /// The HTTP API only: no worker pool, no jobs claimed, even with handlers registered.
    case api
    /// The worker pool only: no HTTP listener (`API_ADDR` is not used).
    case worker

    /// Whether this node serves HTTP.
    public var servesAPI: Bool { self != .worker }
    /// Whether this node runs jobs.
    public var runsWorkers: Bool { self != .api }
}
