import Foundation
import Logging
import Synchronization
import VesperCore

/// Runs a real worker pool against `store` for the duration of `body`, then shuts it down
/// gracefully and waits for it to return.
public func withWorkerPool<T: Sendable>(
    store: any JobStore, registry: HandlerRegistry, slots: Int = 4, observer: (any AttemptObserver)? = nil,
    configure: (inout WorkerPoolOptions) -> Void = { _ in }, _ body: (WorkerPool) async throws -> T
) async throws -> T {
    var options = WorkerPoolOptions(nodeID: "test-node")
    options.slots = slots
    options.pollInterval = .milliseconds(20)
    options.retryPolicy = RetryPolicy(baseDelay: .milliseconds(1), maxDelay: .milliseconds(1), random: { 0 })
    configure(&options)
    let pool = WorkerPool(store: store, registry: registry, options: options, logger: Logger(label: "test"), observer: observer)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await pool.run() }
        do {
            let result = try await body(pool)
            pool.shutdown()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// A thread-safe list that handlers append to, to observe what ran and in which order.
public final class Recorder<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    public init() {}

    public func append(_ item: Element) { items.withLock { $0.append(item) } }

    public var all: [Element] { items.withLock { $0 } }

    public var count: Int { items.withLock { $0.count } }
}

/// An ``AttemptObserver`` that keeps every report, to assert on what a pool told.
public final class RecordingObserver: AttemptObserver {
    public let attempts = Recorder<FinishedAttempt>()

    public init() {}

    public func attemptFinished(_ attempt: FinishedAttempt) { attempts.append(attempt) }
    public func slotsChanged(total: Int, busy: Int) {}
    public func leasesRecovered(_ count: Int) {}
}

extension JobStore {
    /// Waits until the job reaches `status` (as stored), returning it.
    @discardableResult
    public func waitFor(_ id: UUID, status: JobStatus, timeout: Duration = .seconds(30)) async throws -> Job {
        try await waitUntil(timeout: timeout, "job \(id) to be \(status)") {
            try await self.job(id: id)?.storedStatus == status
        }
        return try await job(id: id)!
    }
}
