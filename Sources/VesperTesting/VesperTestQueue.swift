import Foundation
import Logging
import Synchronization
import VesperCore
import VesperSQLite

/// A queue for testing handlers and producers: a real SQLite store in a temporary directory (no
/// server, nothing to set up, removed by ``close()``), the same handler registry, middleware and
/// worker pool as a node, and ``drain(timeout:)`` to run everything enqueued until the queue is idle.
///
/// ```swift
/// let queue = try await VesperTestQueue()
/// queue.register(SendEmail.self) { email, context in ... }
/// try await queue.enqueue(SendEmail(to: "a@b.c"))
/// try await queue.drain()
/// #expect(try await queue.jobs(SendEmail.self, status: .done).count == 1)
/// ```
public final class VesperTestQueue: JobRegistrar, Sendable {
    /// The queue client, as a node's `vesper.queue`: hand it to code that enqueues.
    public let queue: JobQueue
    /// The store behind the queue, to read jobs back.
    public let store: SQLiteJobStore
    /// The logger handlers' contexts derive from.
    public let logger: Logger
    private let directory: String
    private let registry = Mutex(HandlerRegistry())
    private let middleware = JobMiddlewareStack()

    /// Creates an empty queue in a new temporary directory.
    public init(defaults: JobQueue.Defaults = JobQueue.Defaults(), logger: Logger = Logger(label: "vesper-test")) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vesper-test-queue-\(UUID().lowercaseText)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.directory = directory
        self.logger = logger
        self.store = try SQLiteJobStore(path: "\(directory)/vesper.db")
        try await store.migrate()
        self.queue = JobQueue(store: store, defaults: defaults, middleware: middleware)
    }

    /// Closes the store and removes its directory.
    public func close() async throws {
        try await store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func register<J: VesperJob>(_ job: J.Type, handler: @escaping @Sendable (J, JobContext) async throws -> Void) {
        registry.withLock { $0.register(job, handler: handler) }
    }

    /// Runs `handler` for jobs of `type` (the untyped form).
    public func register(_ type: String, handler: @escaping JobHandler) {
        registry.withLock { $0.register(type, handler: handler) }
    }

    public func use(_ middleware: any JobMiddleware) {
        self.middleware.add(middleware)
    }

    /// Enqueues a typed job as a node would.
    @discardableResult
    public func enqueue<J: VesperJob>(_ job: J, options: EnqueueOptions = EnqueueOptions()) async throws -> Job {
        try await queue.enqueue(job, options: options)
    }

    /// Runs every due job with the registered handlers, one at a time in claim order, including
    /// jobs that handlers enqueue and retries (without backoff, unless a type sets its own), until
    /// no job of a registered type is due or running. Jobs scheduled for later and snoozed jobs are
    /// left waiting. Returns the attempts that ran, in the order they finished.
    ///
    /// - Throws: ``VesperError`` (`invalidState`) when the queue is not idle within `timeout`.
    @discardableResult
    public func drain(timeout: Duration = .seconds(60)) async throws -> [FinishedAttempt] {
        var handlers = registry.withLock { $0 }
        handlers.middleware = middleware.all
        let finished = FinishedAttempts()
        var options = WorkerPoolOptions(nodeID: "vesper-test-queue")
        options.slots = 1
        options.prefetchLimit = 0
        options.pollInterval = .milliseconds(10)
        options.retryPolicy = RetryPolicy(baseDelay: .zero, maxDelay: .zero)
        let observer = MiddlewareObserver(middleware: handlers.middleware + [finished], metrics: VesperMetrics())
        let pool = WorkerPool(store: store, registry: handlers, options: options, logger: logger, observer: observer)
        let claimable = handlers.claimableTypes.map(Set.init)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await pool.run() }
            do {
                try await waitUntilIdle(claimable: claimable, finished: finished, timeout: timeout)
            } catch {
                pool.shutdown()
                try? await group.waitForAll()
                throw error
            }
            pool.shutdown()
            try await group.waitForAll()
        }
        return finished.all
    }

    /// Idle twice in a row with nothing finishing in between: a retry written between the two
    /// reads of one check would otherwise look like idleness.
    private func waitUntilIdle(claimable: Set<String>?, finished: FinishedAttempts, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        var idleSince: Int?
        while ContinuousClock.now < deadline {
            let count = finished.count
            if try await isIdle(claimable: claimable) {
                if idleSince == count { return }
                idleSince = count
            } else {
                idleSince = nil
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw VesperError(.invalidState, "the test queue was not idle after \(timeout)")
    }

    private func isIdle(claimable: Set<String>?) async throws -> Bool {
        let now = queue.now()
        let waiting = try await store.listJobs(JobQuery(status: .pending, limit: 1000, now: now))
            + store.listJobs(JobQuery(status: .processing, limit: 1000, now: now))
        return !waiting.contains { job in
            (job.storedStatus == .processing || job.runAt <= now) && (claimable?.contains(job.type) ?? true)
        }
    }

    // MARK: Assertions

    /// Jobs of type `J.type` (in `status`, if given), oldest first.
    public func jobs<J: VesperJob>(_ job: J.Type, status: JobStatus? = nil) async throws -> [Job] {
        try await store.listJobs(JobQuery(status: status, type: J.type, limit: 1000, now: queue.now())).reversed()
    }

    /// The payloads of jobs of type `J.type` (in `status`, if given), oldest first:
    /// `#expect(try await queue.enqueued(SendEmail.self) == [SendEmail(to: "a@b.c")])`.
    public func enqueued<J: VesperJob>(_ job: J.Type, status: JobStatus? = nil) async throws -> [J] {
        try await jobs(job, status: status).map { try $0.decodePayload(as: J.self) }
    }
}

/// Collects the attempts a drain ran.
private final class FinishedAttempts: JobMiddleware {
    private let list = Mutex<[FinishedAttempt]>([])

    func finished(_ attempt: FinishedAttempt) { list.withLock { $0.append(attempt) } }

    var all: [FinishedAttempt] { list.withLock { $0 } }
    var count: Int { list.withLock { $0.count } }
}
