import Hummingbird
import Logging
import NIOCore
import VesperCore

/// Builds the HTTP API: routes, error rendering and server settings.
public enum VesperAPI {
    /// The router with every Vesper route and the JSON error middleware.
    ///
    /// The store's optional routes come from what it can do: `fleet` adds `/workers`, `statistics`
    /// adds `/stats`, `queueControl` adds `/queues`, `remoteWorkers` adds the worker protocol
    /// (`/claims`, `/jobs/{id}/heartbeat|complete|fail`). `/openapi.json` is always served.
    /// `metrics` records every request; a node passes the one it owns. A caller adds routes of its
    /// own to the router this returns.
    public static func router(
        queue: JobQueue, maxBodyBytes: Int, maxBatch: Int = 1000, tokens: [APIToken] = [], metricsRequireToken: Bool = true, fleet: (any NodeRegistry)? = nil, statistics: (any QueueStatisticsSource)? = nil,
        queueControl: (any QueueControl)? = nil, remoteWorkers: RemoteWorkerGateway? = nil, metrics: HTTPMetrics = HTTPMetrics(),
        metricsText: (@Sendable () async -> String)? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        addRoutes(
            to: router, queue: queue, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch, tokens: tokens,
            metricsRequireToken: metricsRequireToken, fleet: fleet, statistics: statistics, queueControl: queueControl,
            remoteWorkers: remoteWorkers, metrics: metrics, metricsText: metricsText)
        return router
    }

    /// Adds every Vesper route, with its error rendering, metrics and token check, to `router`: a
    /// host application's router or a group of it (`router.group("vesper")`), of any request
    /// context. The middleware added here applies to these routes only when `router` is a group.
    public static func addRoutes<Context: RequestContext>(
        to router: some RouterMethods<Context>, queue: JobQueue, maxBodyBytes: Int, maxBatch: Int = 1000, tokens: [APIToken] = [],
        metricsRequireToken: Bool = true, fleet: (any NodeRegistry)? = nil, statistics: (any QueueStatisticsSource)? = nil,
        queueControl: (any QueueControl)? = nil, remoteWorkers: RemoteWorkerGateway? = nil, metrics: HTTPMetrics = HTTPMetrics(),
        metricsText: (@Sendable () async -> String)? = nil
    ) {
        _ = router.add(middleware: HTTPMetricsMiddleware<Context>(metrics: metrics))
        _ = router.add(middleware: ErrorMiddleware<Context>())
        if !tokens.isEmpty { _ = router.add(middleware: AuthMiddleware<Context>(tokens: tokens, metricsRequireToken: metricsRequireToken)) }
        JobRoutes<Context>(client: queue, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch).register(on: router)
        BulkRetryRoutes<Context>(queue: queue).register(on: router)
        HealthRoutes<Context>(store: queue.store).register(on: router)
        if let fleet { FleetRoutes<Context>(registry: fleet).register(on: router) }
        if let statistics { StatsRoutes<Context>(source: statistics, clock: queue.clock).register(on: router) }
        if let queueControl { QueueRoutes<Context>(control: queueControl, clock: queue.clock).register(on: router) }
        if let remoteWorkers {
            WorkerProtocolRoutes<Context>(gateway: remoteWorkers, clock: queue.clock, maxBodyBytes: maxBodyBytes).register(on: router)
        }
        OpenAPIRoutes<Context>().register(on: router)
        if let metricsText {
            router.get("metrics") { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: await metricsText())))
            }
        }
    }

    /// Pending connections the kernel queues before the server accepts them (capped by
    /// `net.core.somaxconn`). Hummingbird's default of 256 made a burst of 1,000 clients connecting
    /// at once lose SYNs, and each lost SYN cost its client a one-second retransmission.
    static let listenBacklog = 4096

    /// An application serving `router` on `address` with the configured timeouts.
    /// `onListening` receives the bound port (useful with port 0).
    public static func application(
        router: Router<BasicRequestContext>, address: ListenAddress, http: HTTPSettings, logger: Logger,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let idle = TimeAmount.nanoseconds(Int64(http.idleTimeout.secondsDouble * 1e9))
        return Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [HTTPTimeoutHandler(settings: http)],
                    idleTimeout: http.idleTimeout > .zero ? idle : nil
                )),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "Vesper", backlog: listenBacklog),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? address.port) },
            logger: logger
        )
    }
}
