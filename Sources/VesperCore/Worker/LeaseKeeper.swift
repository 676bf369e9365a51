import Foundation
import Logging

/// Every ``WorkerPoolOptions/leaseCheckInterval``, renews the leases of the jobs a node holds
/// (running and prefetched) and returns jobs whose lease expired, on any node, to the queue.
///
/// The renewal is one store call (``JobStore/renewLeases(_:)``) that also carries the progress
/// handlers reported and brings back the held jobs an operator cancelled, which the same statement
/// ended `cancelled`. While reports are waiting it renews about once a second (never more often),
/// so progress shows within a second or so; otherwise once per interval.
struct LeaseKeeper: Sendable {
    let store: any JobStore
    let clock: WallClock
    let interval: Duration
    let leaseDuration: Duration
    let progress: ProgressBoard
    let logger: Logger
    private let wakeup = Wakeup()

    /// How often waiting progress is sent at most.
    static let progressInterval = Duration.seconds(1)

    init(store: any JobStore, clock: WallClock, options: WorkerPoolOptions, progress: ProgressBoard, logger: Logger) {
        self.store = store
        self.clock = clock
        self.interval = options.effectiveLeaseCheckInterval
        self.leaseDuration = options.leaseDuration
        self.progress = progress
        self.logger = logger
    }

    /// Runs until cancelled, or until `held` says the pool stopped and holds nothing (checked on
    /// each round and after ``stop()``).
    /// - Parameters:
    ///   - held: the leases to keep, and whether the pool is stopped and idle.
    ///   - lost: leases the store did not extend (the job moved on without this node).
    ///   - cancelled: leases of jobs the store ended `cancelled` at an operator's request.
    ///   - recovered: how many expired jobs this node returned to the queue, when any.
    func run(
        held: @Sendable () -> (leases: [LeaseToken], finished: Bool), lost: @Sendable (Set<LeaseToken>) -> Void,
        cancelled: @Sendable (Set<LeaseToken>) -> Void, recovered: @Sendable (Int) -> Void
    ) async {
        let tick = min(interval, Self.progressInterval)
        var lastRenewal = ContinuousClock.now
        var lastRound = ContinuousClock.now
        while true {
            await wakeup.wait(timeout: tick)
            if Task.isCancelled { return }
            let (leases, finished) = held()
            if finished { return }
            let elapsed = ContinuousClock.now - lastRound
            let fullRound = elapsed >= interval
            guard fullRound || (progress.hasPending && ContinuousClock.now - lastRenewal >= Self.progressInterval) else { continue }
            if fullRound { lastRound = .now }
            lastRenewal = .now
            let now = clock.now()
            var reports = progress.take()
            if !reports.isEmpty {
                // Reports of attempts that ended meanwhile have nowhere to go.
                let held = Set(leases)
                reports = reports.filter { held.contains($0.key) }
            }
            do {
                if !leases.isEmpty {
                    let renewal = LeaseRenewal(
                        leases: leases, progress: reports, until: now.addingTimeInterval(leaseDuration.secondsDouble), now: now)
                    let result = try await store.renewLeases(renewal)
                    let ended = Set(leases.filter { result.cancelled.contains($0.id) })
                    if !ended.isEmpty { cancelled(ended) }
                    // A job that finished while the renewal ran was not extended because its
                    // completion got there first; only a job this node still holds was lost.
                    let stillHeld = Set(held().leases)
                    let missed = Set(
                        leases.filter { !result.extended.contains($0.id) && !result.cancelled.contains($0.id) && stillHeld.contains($0) })
                    if !missed.isEmpty { lost(missed) }
                }
                if fullRound {
                    let count = try await store.recoverExpiredLeases(now: now)
                    if count > 0 {
                        logger.notice("recovered jobs whose lease expired", metadata: [LogKey.count: "\(count)"])
                        recovered(count)
                    }
                }
            } catch {
                progress.putBack(reports)
                logger.warning("lease upkeep failed", metadata: [LogKey.error: "\(error)"])
            }
        }
    }

    /// Wakes the keeper to look whether the pool has stopped.
    func stop() {
        wakeup.signal()
    }
}
