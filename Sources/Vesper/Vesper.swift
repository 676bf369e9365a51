import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization
import VesperCore
import VesperHTTP
import VesperWeb

/// A Vesper node: the store, the HTTP API and this process's worker slots, run together.
///
/// ```swift
/// let vesper = try await Vesper(configuration: .fromEnvironment())
/// vesper.register("send_email") { job in ... }
/// vesper.registerConsumer { job in ... }      // every other type
/// vesper.register("resize", returning: Thumbnail.self) { job in ... }   // the value is the job's result
/// try await vesper.run()                      // until SIGTERM or SIGINT
/// ```
public final class Vesper: Service, JobRegistrar, Sendable {
    public let configuration: VesperConfiguration
    public let logger: Logger
    /// Enqueue, read, list, retry and cancel jobs from code.
    public let queue: JobQueue
    /// This node's id in the fleet and on the jobs it leases.
    public let nodeID: String
    let store: any VesperStore
    /// What the store can do beyond ``JobStore``, found once when it is opened.
    let capabilities: StoreCapabilities
    /// This node's job metrics, handed to every part that records them.
    let metrics: VesperMetrics
    private let registry = Mutex(HandlerRegistry())
    private let schedules = Mutex<[PeriodicJob]>([])
    /// Every job middleware of this node, the built-in ones first (see ``use(_:)``).
    let middleware: JobMiddlewareStack
    /// Wakes the worker pool, which `run()` creates, from the queue client, created here.
    private let dispatcherWakeup = WakeupRelay()

    /// Opens the configured database and brings its schema up to date.
    public init(configuration: VesperConfiguration, logger: Logger = Logger(label: "vesper")) async throws {
        self.configuration = configuration
        self.logger = logger
        for warning in configuration.warnings { logger.warning("\(warning)") }
        PrometheusMetrics.bootstrapUnlessBootstrapped()
        self.nodeID = "\(configuration.nodeName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().lowercaseText.prefix(4))"
        self.store = try await StoreFactory.open(configuration.database, logger: logger, migrate: configuration.autoMigrate)
        self.capabilities = StoreCapabilities(of: store)
        var defaults = JobQueue.Defaults()
        defaults.maxRetries = configuration.defaultMaxRetries
        defaults.timeout = configuration.defaultJobTimeout
        defaults.limits = configuration.limits
        let wakeup = dispatcherWakeup
        let metrics = VesperMetrics()
        self.metrics = metrics
        self.middleware = JobMiddlewareStack(StandardAttemptObserver.builtIn(logger: logger, metrics: metrics))
        self.queue = JobQueue(store: store, defaults: defaults, metrics: metrics, middleware: middleware) { wakeup.signal() }
    }

    /// Creates or upgrades the schema (what `vesper migrate` runs; start-up does it too unless
    /// `AUTO_MIGRATE=0`).
    public func migrate() async throws {
        try await store.migrate()
    }

    /// The database in use, without secrets (for messages).
    public var databaseName: String { store.displayName }

    /// Closes the database. Only for a node that is not running (`run()` closes it by itself).
    public func close() async throws {
        try await store.close()
    }

    /// Runs `handler` for every job type that has no handler of its own (a catch-all consumer).
    public func registerConsumer(_ handler: @escaping JobHandler) {
        registry.withLock { $0.registerFallback(handler) }
    }

    /// Runs `handler` for jobs of `type`. Without a catch-all consumer, this node claims only the
    /// types it has handlers for, leaving others for nodes that have them.
    public func register(_ type: String, handler: @escaping JobHandler) {
        registry.withLock { $0.register(type, handler: handler) }
    }

    /// Runs `handler` for jobs of `type` and stores what it returns, JSON-encoded, as the job's
    /// `result` (at most `MAX_RESULT_BYTES`; a larger result fails the attempt):
    /// `vesper.register("resize", returning: Thumbnail.self) { job in ... }`.
    public func register<Result: Encodable & Sendable>(
        _ type: String, returning: Result.Type, handler: @escaping @Sendable (Job) async throws -> Result
    ) {
        registry.withLock { $0.register(type, returning: returning, handler: handler) }
    }

    /// Runs `handler` for jobs of `type`; a non-`nil` ``JobResult`` (JSON text, stored as given)
    /// is the job's `result`. The lower-level form the others are built on.
    public func registerResultHandler(_ type: String, handler: @escaping JobResultHandler) {
        registry.withLock { $0.registerResultHandler(type, handler: handler) }
    }

    /// Enqueues a job of `type` on every tick of the cron expression `expression`, read in `timezone`.
    ///
    /// Every node that registers the same schedule enqueues each tick once between them (the tick's
    /// idempotency key is `cron:<name>:<tick>`); `name` defaults to `type` and must be unique.
    /// Call before ``run()``.
    ///
    /// - Throws: ``CronParseError`` for a bad expression, ``ValidationError`` for a bad field or a
    ///   duplicate name.
    public func schedule(
        _ expression: String, type: String, payload: some Encodable & Sendable = [String: String](), queue queueName: String = "default",
        priority: Int = 0, timezone: TimeZone = TimeZone(identifier: "UTC")!, name: String? = nil, maxRetries: Int? = nil
    ) throws {
        let data = try JSONEncoder().encode(payload)
        let job = PeriodicJob(
            name: name ?? type, schedule: try CronExpression(expression), timeZone: timezone, type: type, queue: queueName,
            priority: priority, payloadJSON: String(decoding: data, as: UTF8.self), maxRetries: maxRetries)
        try job.validate()
        let fromConfiguration = configuration.periodicJobs
        let added = schedules.withLock { list -> Bool in
            guard !(list + fromConfiguration).contains(where: { $0.name == job.name }) else { return false }
            list.append(job)
            return true
        }
        guard added else { throw ValidationError(field: "name", message: "a schedule named \"\(job.name)\" already exists") }
    }

    /// Stores a job whose payload is `payload` encoded as JSON, and returns it.
    ///
    /// With an `idempotencyKey` already used for the same request, returns the existing job; for a
    /// different request, throws ``VesperError`` with code `idempotencyConflict`. A `partition`
    /// (a tenant) gets its fair share of the queue: partitions are claimed in turn at each priority.
    @discardableResult
    public func enqueue(
        type: String, priority: Int = 0, payload: some Encodable & Sendable = [String: String](), queue queueName: String = "default",
        maxRetries: Int? = nil, runAt: Date? = nil, delay: Duration? = nil, timeout: Duration? = nil, idempotencyKey: String? = nil,
        partition: String? = nil
    ) async throws -> Job {
        let data = try JSONEncoder().encode(payload)
        let when = runAt ?? delay.map { queue.now().addingTimeInterval($0.secondsDouble) }
        var job = queue.newJob(
            type: type, queue: queueName, priority: priority, payloadJSON: String(decoding: data, as: UTF8.self),
            maxRetries: maxRetries, runAt: when, timeoutSeconds: timeout?.secondsDouble, idempotencyKey: idempotencyKey)
        job.partition = partition
        return try await queue.enqueueReturningJob(job)
    }

    /// Enqueues a typed job (its type is `J.type`, its payload `job` as JSON) with `J`'s defaults
    /// unless `options` says otherwise, and returns the stored job.
    ///
    /// ```swift
    /// try await vesper.enqueue(SendEmail(to: "a@b.c"), options: .init(delay: .seconds(30)))
    /// ```
    @discardableResult
    public func enqueue<J: VesperJob>(_ job: J, options: EnqueueOptions = EnqueueOptions()) async throws -> Job {
        try await queue.enqueue(job, options: options)
    }

    /// Runs `handler` for jobs of `J.type` with the payload decoded as `J` and the attempt's
    /// ``JobContext``; retries use `J.defaults.backoff` when it is set. A payload that does not
    /// decode fails the attempt permanently with an error naming the field.
    public func register<J: VesperJob>(_ job: J.Type, handler: @escaping @Sendable (J, JobContext) async throws -> Void) {
        registry.withLock { $0.register(job, handler: handler) }
    }

    /// Runs `handler` for jobs of `J.type` and stores what it returns, JSON-encoded, as the job's
    /// result (`GET /jobs/{id}` shows it).
    public func register<J: VesperJob, Result: Encodable & Sendable>(
        _ job: J.Type, returning: Result.Type, handler: @escaping @Sendable (J, JobContext) async throws -> Result
    ) {
        registry.withLock { $0.register(job, returning: returning, handler: handler) }
    }

    /// Adds `middleware` after (inside) the ones added before; the built-in metrics and log line
    /// come first. Add middleware before ``run()``.
    public func use(_ middleware: any JobMiddleware) {
        self.middleware.add(middleware)
    }

    /// Replaces the built-in middleware of `middleware`'s type (or adds it, if there is none) to
    /// configure it, e.g. `vesper.replaceMiddleware(with: JobTracingMiddleware(propagation: .child))`.
    /// Call before ``run()``.
    public func replaceMiddleware<M: JobMiddleware>(with middleware: M) {
        self.middleware.replace(with: middleware)
    }

    /// Runs the node until SIGTERM or SIGINT (or a host `ServiceGroup`'s graceful shutdown, or
    /// the cancellation of the calling task), then shuts down gracefully. See ``run(onListening:)``.
    public func run() async throws {
        try await run(onListening: nil)
    }

    /// Serves the API and runs the workers (as ``VesperConfiguration/role`` says) until SIGTERM or
    /// SIGINT, then shuts down gracefully: stop taking requests and claims, let running jobs finish
    /// (up to `SHUTDOWN_TIMEOUT`), release the rest, flush results and close the database.
    ///
    /// In a host's `ServiceGroup` (``Vesper`` is a `Service`) the group's graceful shutdown does the
    /// same, and so does cancelling the task that runs the node: cancellation is turned into a
    /// graceful shutdown instead of cutting the node's database work short.
    ///
    /// `onListening` receives the bound port once the API listens (useful with port 0); without it,
    /// the start-up line is printed to standard output. A `worker` node does not listen.
    ///
    /// A node with no handlers serves the API and runs no jobs (it claims nothing), unless
    /// `REQUIRE_CONSUMER=1` makes that an error.
    ///
    /// - Throws: ``ConfigurationError`` when the API address cannot be listened on (`API_ADDR`), or
    ///   when a consumer is required and none is registered.
    public func run(onListening: (@Sendable (Int) async -> Void)?) async throws {
        let group = try makeServiceGroup(onListening: onListening)
        // The group runs in a task of its own so that cancelling the caller does not cancel the
        // services mid-write (deregistering, flushing completions, closing the server): the
        // cancellation handler asks the group for the graceful shutdown SIGTERM would start, and
        // this call returns when the group has finished it. The task is awaited before returning.
        let store = self.store
        let running = Task {
            do {
                try await group.run()
            } catch {
                try? await store.close()
                throw error
            }
            try await store.close()
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await running.value
            } onGracefulShutdown: {
                Task { await group.triggerGracefulShutdown() }
            }
        } onCancel: {
            Task { await group.triggerGracefulShutdown() }
        }
    }

    /// The node's services, in start order, in a group that shuts them down on SIGTERM or SIGINT.
    private func makeServiceGroup(onListening: (@Sendable (Int) async -> Void)?) throws -> ServiceGroup {
        let role = configuration.role
        var handlers = registry.withLock { $0 }
        if role.servesAPI { try configuration.apiAddress.checkCanListen() }
        if !role.runsWorkers {
            if !handlers.isEmpty { logger.notice("ROLE=api: registered handlers do not run on this node") }
            handlers = HandlerRegistry()
        } else if handlers.isEmpty {
            if configuration.consumerRequired {
                throw ConfigurationError(
                    variable: "REQUIRE_CONSUMER",
                    message: "is 1 but no job handler is registered; register one with vesper.register(\"type\") { job in ... } "
                        + "or vesper.registerConsumer { job in ... }, or unset REQUIRE_CONSUMER to run an API-only node")
            }
            logger.notice("no job handlers are registered: this node serves the API and runs no jobs")
        }
        if role.runsWorkers && configuration.workers == 0 {
            logger.notice("WORKERS=0: this node runs no jobs itself; it serves the API and remote workers (POST /claims)")
        }
        let pool = role.runsWorkers ? makeWorkerPool(handlers) : nil
        metrics.prepare(slots: pool == nil ? 0 : configuration.workers)
        metrics.limitTypeLabels(handledTypes: handlers.registeredTypes, maxOtherTypes: configuration.metricsMaxTypes)
        let remoteWorkers = role.servesAPI ? makeRemoteWorkerGateway() : nil
        dispatcherWakeup.connect {
            pool?.wake()
            remoteWorkers?.wake()
        }
        let fleet = makeFleetService(handlers, pool: pool)
        if role.servesAPI && configuration.appEnvironment == "production" && configuration.apiTokens.isEmpty {
            logger.warning(
                "API_TOKENS is not set: in production the API is open to anyone who can reach it. Set API_TOKENS or API_TOKENS_FILE.")
        }
        // The sampler refreshes this snapshot; the dashboard's counts read it instead of the tables.
        let snapshotAge = self.configuration.metricsSampleInterval + .seconds(1)
        let statistics = capabilities.statistics.map { LatestStatistics(source: $0, maxAge: snapshotAge) }
        let periodicJobs = configuration.periodicJobs + schedules.withLock { $0 }
        // Started in this order and shut down in reverse: the API stops taking requests first, then
        // the pool drains, then the node leaves the fleet, then the database client closes.
        // The store's own client (PostgreSQL) already runs since `init` and is closed last, by `run`.
        var services: [any Service] = []
        services.append(fleet)
        if let pool { services.append(pool) }
        if let statistics {
            var options = StatisticsSampler.Options()
            options.sampleInterval = configuration.metricsSampleInterval
            options.logInterval = configuration.statsLogInterval
            services.append(StatisticsSampler(source: statistics, options: options, logger: logger, metrics: metrics))
        }
        if !periodicJobs.isEmpty {
            var options = CronScheduler.Options()
            options.catchUpWindow = configuration.cronCatchUp
            services.append(CronScheduler(jobs: periodicJobs, client: queue, options: options, logger: logger))
        }
        if let pruning = capabilities.pruning {
            var options = RetentionService.Options()
            options.retention = configuration.retention
            options.retentionFailed = configuration.retentionFailed
            options.batchSize = configuration.retentionBatchSize
            options.interval = configuration.retentionInterval
            if !options.isDisabled { services.append(RetentionService(store: pruning, options: options, logger: logger)) }
        }
        if let notifications = capabilities.notifications, pool != nil || remoteWorkers != nil {
            services.append(NotificationListener(source: notifications, wake: { pool?.wake(); remoteWorkers?.wake() }, logger: logger))
        }
        if role.servesAPI {
            services.append(
                makeApplication(statistics: statistics, schedules: periodicJobs, fleet: fleet, remoteWorkers: remoteWorkers, onListening: onListening))
        }
        // After the API, so shut down before it: waiting long-poll claims end at once instead of
        // holding the server's drain for up to their `wait`.
        if let remoteWorkers { services.append(remoteWorkers) }
        return ServiceGroup(
            configuration: .init(
                services: services.map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
    }

    /// The HTTP server: the API and (unless `UI_ENABLED=0`) the dashboard.
    private func makeApplication(
        statistics: LatestStatistics?, schedules: [PeriodicJob], fleet: FleetService, remoteWorkers: RemoteWorkerGateway?,
        onListening: (@Sendable (Int) async -> Void)?
    ) -> some Service {
        let router = VesperAPI.router(
            queue: queue, maxBodyBytes: configuration.http.maxBodyBytes, maxBatch: configuration.maxBatch,
            tokens: configuration.apiTokens, metricsRequireToken: configuration.metricsRequireToken, fleet: store,
            statistics: capabilities.statistics, queueControl: capabilities.queueControl, remoteWorkers: remoteWorkers,
            metrics: HTTPMetrics(), metricsText: { PrometheusMetrics.exposition() })
        if configuration.dashboard.enabled {
            makeDashboard(statistics: statistics, schedules: schedules).register(on: router)
        }
        let configuration = configuration
        let displayName = store.displayName
        return VesperAPI.application(
            router: router, address: configuration.apiAddress, http: configuration.http, logger: logger
        ) { port in
            fleet.setAPIAddress("\(configuration.apiAddress.host):\(port)")
            if let onListening {
                await onListening(port)
            } else {
                StartupLine.print(host: configuration.apiAddress.host, port: port, database: displayName, workers: configuration.workers)
            }
        }
    }

    /// Adds the API's routes to a host application's router under `prefix` (`"/vesper"`), for a
    /// node whose HTTP server is the host's: run the node with `ROLE=worker` (or not at all, for a
    /// producer-only process) and the host's `Application` serves the API. The dashboard is not
    /// mounted this way.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>, atPath prefix: String) {
        VesperAPI.addRoutes(
            to: router.group(RouterPath(prefix)), queue: queue, maxBodyBytes: configuration.http.maxBodyBytes,
            maxBatch: configuration.maxBatch, tokens: configuration.apiTokens, metricsRequireToken: configuration.metricsRequireToken,
            fleet: store, statistics: capabilities.statistics, queueControl: capabilities.queueControl, metrics: HTTPMetrics(),
            metricsText: { PrometheusMetrics.exposition() })
    }

    private func makeDashboard(statistics: LatestStatistics?, schedules: [PeriodicJob]) -> VesperDashboard {
        let sources = VesperDashboard.Sources(
            queue: queue, statistics: statistics, throughput: capabilities.throughput, queues: capabilities.queueControl, fleet: store,
            keyLookup: capabilities.keyLookup, schedules: schedules)
        return VesperDashboard(sources: sources, tokens: configuration.apiTokens, settings: configuration.dashboard)
    }

    private func makeFleetService(_ handlers: HandlerRegistry, pool: WorkerPool?) -> FleetService {
        let now = Date()
        let node = NodeInfo(
            id: nodeID, hostname: configuration.nodeName, pid: Int(ProcessInfo.processInfo.processIdentifier),
            apiAddress: configuration.role.servesAPI ? configuration.apiAddress.description : "", workers: pool == nil ? 0 : configuration.workers,
            types: pool == nil ? [] : handlers.claimableTypes ?? ["*"], startedAt: now, lastHeartbeat: now,
            region: configuration.region)
        var options = FleetService.Options()
        options.heartbeatInterval = configuration.heartbeatInterval
        options.nodeTimeout = configuration.effectiveNodeTimeout
        let metrics = metrics
        return FleetService(
            registry: store, node: node, options: options, counters: { pool?.counters ?? WorkerPoolCounters() }, logger: logger,
            onReap: { result in
                metrics.nodesReaped(result.nodes.count, releasedJobs: result.releasedJobs)
                pool?.wake()
            })
    }

    private func makeRemoteWorkerGateway() -> RemoteWorkerGateway {
        var options = RemoteWorkerGateway.Options()
        options.leaseDuration = configuration.leaseDuration
        options.heartbeatInterval = configuration.heartbeatInterval
        options.pollInterval = configuration.pollInterval
        options.retryPolicy = RetryPolicy(baseDelay: configuration.retryBaseDelay, maxDelay: configuration.retryMaxDelay)
        options.maxResultBytes = configuration.maxResultBytes
        let writeTimeout = configuration.http.writeTimeout  // zero: no write timeout
        if writeTimeout > .zero { options.maxWait = min(RemoteClaim.maxWait, max(.zero, writeTimeout - .seconds(1))) }
        return RemoteWorkerGateway(store: store, options: options, logger: logger)
    }

    private func makeWorkerPool(_ handlers: HandlerRegistry) -> WorkerPool {
        var handlers = handlers
        let middleware = self.middleware.all
        handlers.middleware = middleware
        var options = WorkerPoolOptions(nodeID: nodeID)
        options.slots = configuration.workers
        // WORKERS=0: no slots and no prefetch, so the pool claims nothing; it still recovers
        // expired leases, remote workers' included.
        options.prefetchLimit = configuration.workers == 0 ? 0 : configuration.prefetch
        options.leaseDuration = configuration.leaseDuration
        options.pollInterval = configuration.pollInterval
        options.shutdownTimeout = configuration.shutdownTimeout
        options.leaseCheckInterval = min(configuration.heartbeatInterval, configuration.leaseDuration / 3)
        options.retryPolicy = RetryPolicy(baseDelay: configuration.retryBaseDelay, maxDelay: configuration.retryMaxDelay)
        options.queues = configuration.queues
        options.queueConcurrency = configuration.queueConcurrency
        options.maxResultBytes = configuration.maxResultBytes
        options.region = configuration.region
        options.regionFailoverAfter = configuration.regionFailoverAfter
        return WorkerPool(
            store: store, registry: handlers, options: options, logger: logger, metrics: metrics,
            observer: MiddlewareObserver(middleware: middleware, metrics: metrics))
    }
}

/// The one line a node prints when it is ready: where it listens, which database, how many workers.
enum StartupLine {
    static func print(host: String, port: Int, database: String, workers: Int) {
        Swift.print("vesper listening on http://\(host):\(port) · database \(database) · \(workers) workers")
        fflush(nil)  // stdout may be a pipe: make the line visible at once
    }
}
