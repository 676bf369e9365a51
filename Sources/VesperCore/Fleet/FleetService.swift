import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Keeps this node in the fleet table: registers at start, heartbeats with live counters, reaps
/// nodes that went silent (releasing their jobs at once), and deregisters on graceful shutdown.
public final class FleetService: Service, Sendable {
    public struct Options: Sendable {
        /// How often to heartbeat and reap. Defaults to 5s.
        public var heartbeatInterval: Duration = .seconds(5)
        /// A node silent this long is reaped. Defaults to 3 heartbeats.
        public var nodeTimeout: Duration = .seconds(15)

        public init() {}
    }

    private let registry: any NodeRegistry
    private let node: NodeInfo
    private let options: Options
    private let counters: @Sendable () -> WorkerPoolCounters
    private let clock: WallClock
    private let logger: Logger
    private let apiAddress: Mutex<String>
    private let wakeup = Wakeup()
    private let onReap: @Sendable (ReapResult) -> Void

    /// - Parameters:
    ///   - node: this node as first registered (its counters start at zero).
    ///   - counters: read at each heartbeat.
    ///   - onReap: told about every reaping pass that removed a node (metrics, wake-ups).
    public init(
        registry: any NodeRegistry, node: NodeInfo, options: Options, counters: @escaping @Sendable () -> WorkerPoolCounters,
        clock: WallClock = .system, logger: Logger, onReap: @escaping @Sendable (ReapResult) -> Void = { _ in }
    ) {
        self.registry = registry
        self.node = node
        self.options = options
        self.counters = counters
        self.clock = clock
        self.logger = logger
        self.apiAddress = Mutex(node.apiAddress)
        self.onReap = onReap
    }

    /// Records the address the API actually bound (port 0 resolves late) and heartbeats at once.
    public func setAPIAddress(_ address: String) {
        apiAddress.withLock { $0 = address }
        wakeup.signal()
    }

    public func run() async throws {
        try await registerWithRetry()
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !isShuttingDown {
                await beat()
                await reap()
                await wakeup.wait(timeout: options.heartbeatInterval)
            }
        } onGracefulShutdown: {
            self.shuttingDown.withLock { $0 = true }
            self.wakeup.signal()
        }
        do {
            try await registry.deregisterNode(id: node.id)
        } catch {
            logger.warning("could not deregister this node; others will reap it", metadata: [LogKey.error: "\(error)"])
        }
    }

    private let shuttingDown = Mutex(false)
    private var isShuttingDown: Bool { shuttingDown.withLock { $0 } }

    private func registerWithRetry() async throws {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                var node = self.node
                node.apiAddress = apiAddress.withLock { $0 }
                node.startedAt = clock.now()
                node.lastHeartbeat = node.startedAt
                try await registry.registerNode(node)
                return
            } catch {
                logger.warning("could not register this node, retrying", metadata: [LogKey.error: "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func beat() async {
        let current = counters()
        let beat = NodeHeartbeat(apiAddress: apiAddress.withLock { $0 }, busy: current.busy, jobsDone: current.done, jobsFailed: current.failed)
        do {
            if try await !registry.heartbeat(nodeID: node.id, beat, at: clock.now()) {
                logger.warning("this node had been reaped as silent; registering again")
                var node = self.node
                node.apiAddress = beat.apiAddress
                node.busy = beat.busy
                node.jobsDone = beat.jobsDone
                node.jobsFailed = beat.jobsFailed
                node.lastHeartbeat = clock.now()
                try await registry.registerNode(node)
            }
        } catch {
            logger.warning("heartbeat failed", metadata: [LogKey.error: "\(error)"])
        }
    }

    private func reap() async {
        let now = clock.now()
        do {
            let result = try await registry.reapNodes(silentSince: now.addingTimeInterval(-options.nodeTimeout.secondsDouble), now: now)
            if !result.nodes.isEmpty {
                logger.notice(
                    "reaped silent nodes and released their jobs",
                    metadata: ["vesper_nodes": "\(result.nodes.joined(separator: ","))", LogKey.count: "\(result.releasedJobs)"])
                onReap(result)
            }
        } catch {
            logger.warning("reaping failed", metadata: [LogKey.error: "\(error)"])
        }
    }
}
