import Foundation
import Logging

/// Every ``WorkerPoolOptions/leaseCheckInterval``, extends the leases of the jobs a node holds
/// (running and prefetched) and returns jobs whose lease expired, on any node, to the queue.
struct LeaseKeeper: Sendable {
    let store: any JobStore
    let clock: WallClock
    let interval: Duration
    let leaseDuration: Duration
    let logger: Logger
    private let wakeup = Wakeup()

    init(store: any JobStore, clock: WallClock, options: WorkerPoolOptions, logger: Logger) {
        self.store = store
        self.clock = clock
        self.interval = options.effectiveLeaseCheckInterval
        self.leaseDuration = options.leaseDuration
        self.logger = logger
    }

    /// Runs until cancelled, or until `held` says the pool stopped and holds nothing (checked on
    /// each round and after ``stop()``).
    /// - Parameters:
    ///   - held: the leases to keep, and whether the pool is stopped and idle.
    ///   - lost: leases the store did not extend (the job moved on without this node).
    ///   - recovered: how many expired jobs this node returned to the queue, when any.
    func run(
        held: @Sendable () -> (leases: [LeaseToken], finished: Bool), lost: @Sendable (Set<LeaseToken>) -> Void,
        recovered: @Sendable (Int) -> Void
    ) async {
        while true {
            await wakeup.wait(timeout: interval)
            if Task.isCancelled { return }
            let (leases, finished) = held()
            if finished { return }
            let now = clock.now()
            do {
                if !leases.isEmpty {
                    let extended = try await store.extendLeases(leases, until: now.addingTimeInterval(leaseDuration.secondsDouble), now: now)
                    let missed = Set(leases.filter { !extended.contains($0.id) })
                    if !missed.isEmpty { lost(missed) }
                }
                let count = try await store.recoverExpiredLeases(now: now)
                if count > 0 {
                    logger.notice("recovered jobs whose lease expired", metadata: [LogKey.count: "\(count)"])
                    recovered(count)
                }
            } catch {
                logger.warning("lease upkeep failed", metadata: [LogKey.error: "\(error)"])
            }
        }
    }

    /// Wakes the keeper to look whether the pool has stopped.
    func stop() {
        wakeup.signal()
    }
}
