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
    /// (`/claims`, `/jobs/{id}/heartbeat|complete|fail`). `/openapi.json` is always served. `metrics` records every request; a node passes
    /// the one it owns. A caller adds routes of its own to the router this returns.
    public static func router(
        queue: JobQueue, maxBodyBytes: Int, maxBatch: Int = 1000, tokens: [APIToken] = [], metricsRequireToken: Bool = true, fleet: (any NodeRegistry)? = nil, statistics: (any QueueStatisticsSource)? = nil,
        queueControl: (any QueueControl)? = nil, remoteWorkers: RemoteWorkerGateway? = nil, metrics: HTTPMetrics = HTTPMetrics(),
        metricsText: (@Sendable () async -> String)? = nil
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        if !tokens.isEmpty { router.add(middleware: AuthMiddleware(tokens: tokens, metricsRequireToken: metricsRequireToken)) }
        JobRoutes(client: queue, maxBodyBytes: maxBodyBytes, maxBatch: maxBatch).register(on: router)
        JobAdministrationRoutes(client: queue).register(on: router)
        BulkActionRoutes(queue: queue).register(on: router)
        HealthRoutes(store: queue.store).register(on: router)
        if let fleet { FleetRoutes(registry: fleet).register(on: router) }
        if let statistics { StatsRoutes(source: statistics, clock: queue.clock).register(on: router) }
        if let queueControl { QueueRoutes(control: queueControl, clock: queue.clock).register(on: router) }
        if let remoteWorkers { WorkerProtocolRoutes(gateway: remoteWorkers, clock: queue.clock, maxBodyBytes: maxBodyBytes).register(on: router) }
        OpenAPIRoutes().register(on: router)
        if let metricsText {
            router.get("metrics") { _, _ in
                var headers = HTTPFields()
                headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
                return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: await metricsText())))
            }
        }
        return router
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
