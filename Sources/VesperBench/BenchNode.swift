import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Vesper

/// A Vesper node run inside the bench process through the ``Vesper`` facade: a fresh SQLite file in
/// a temporary directory (or the configured PostgreSQL), the API on 127.0.0.1 port 0, and a
/// catch-all consumer that records each invocation in a ledger.
final class BenchNode: Sendable {
    let vesper: Vesper
    let ledger: InvocationLedger
    private let configuration: VesperConfiguration
    private let directory: String?
    private let logger: Logger
    private let running = Mutex<(group: ServiceGroup, task: Task<Void, any Error>)?>(nil)

    /// The node as the one service of an outer group, so the bench can shut it down gracefully
    /// (a nested `ServiceGroup` follows its parent's graceful shutdown).
    private struct NodeService: Service {
        let vesper: Vesper
        let onListening: @Sendable (Int) async -> Void

        func run() async throws {
            try await vesper.run(onListening: onListening)
        }
    }

    /// Opens (and migrates) the store. `onStart` runs in the handler before the job is recorded.
    init(options: BenchOptions, expectedJobs: Int, onStart: @escaping @Sendable (Job) -> Void = { _ in }) async throws {
        var configuration = VesperConfiguration()
        let fromEnvironment = try await VesperConfiguration.fromEnvironment(options.environment, dotEnvPath: nil)
        // Tuning that a node reads from the environment applies to the bench's node too.
        configuration.prefetch = fromEnvironment.prefetch
        var directory: String?
        switch options.store {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("vesper-bench-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            directory = path
            configuration.database = .sqlite(path: path + "/vesper.db")
        case .postgres:
            #if PostgreSQL
            guard case .postgres = fromEnvironment.database else {
                throw BenchFailure("--store postgres needs DATABASE_URL or DB_HOST (and the other DB_* variables)")
            }
            configuration.database = fromEnvironment.database
            #else
            throw BenchFailure("--store postgres needs a build with the PostgreSQL trait")
            #endif
        }
        configuration.workers = options.workers
        configuration.apiAddress = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.nodeName = "bench"
        configuration.http.maxBodyBytes = 1 << 20
        self.directory = directory
        var logger = Logger(label: "vesper-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let vesper: Vesper
        do {
            vesper = try await Vesper(configuration: configuration, logger: logger)
        } catch {
            if let directory { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
        self.vesper = vesper
        self.configuration = configuration
        self.logger = logger
        do {
            try await DonePrefill.run(options.prefillDone, configuration: configuration, logger: logger)
        } catch {
            try? await vesper.close()
            if let directory { try? FileManager.default.removeItem(atPath: directory) }
            throw error
        }
        let ledger = InvocationLedger(expected: expectedJobs)
        self.ledger = ledger
        vesper.registerConsumer { job in
            onStart(job)
            ledger.record(job.id)
        }
    }

    /// A second node on the same database that is never run: it only enqueues, so the jobs it
    /// submits reach this node's workers the way they would from another machine (on PostgreSQL a
    /// notification; on SQLite, which has none across processes, the next poll). Close it after use.
    func makeProducer() async throws -> Vesper {
        var producer = configuration
        producer.nodeName = "bench-producer"
        return try await Vesper(configuration: producer, logger: logger)
    }

    /// Starts workers and API; returns the bound port once the node listens.
    func start() async throws -> Int {
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        let service = NodeService(vesper: vesper) { port in continuation.yield(port) }
        let group = ServiceGroup(services: [service], logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        running.withLock { $0 = (group, task) }
        for await port in stream { return port }
        _ = try await task.value
        throw BenchFailure("the in-process node stopped before it listened")
    }

    /// Stops the node (if started), closes the database and removes the temporary directory.
    func stop() async {
        if let (group, task) = running.withLock({ $0 }) {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        } else {
            try? await vesper.close()
        }
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
    }
}
