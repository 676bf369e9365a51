import Foundation
import Logging
import Synchronization

/// Buffers finished attempts and writes them in batches, so a worker slot is free the moment its
/// handler returns and many completions share one transaction.
///
/// Batching needs no timer: while one batch is being written the next one accumulates; and a
/// wake-up waits 2 ms first, in which the dispatcher's next claim usually takes the batch along.
/// A write that fails (database away) is retried with backoff; nothing is dropped. If the process
/// dies with completions still buffered, the jobs' leases expire and they run again (at-least-once).
///
/// On a store that can (``RankReadingFinish``), a batch also reads the best claimable rank when
/// the dispatcher asks for one (``RankRide``), renewing the strict-order vouch at no extra cost.
final class CompletionWriter: Sendable {
    /// A rank read to make with the next batch: for `request`, reported with the instant and
    /// arrival count taken before the write began.
    struct RankRide: Sendable {
        var request: ClaimRequest
        var since: ContinuousClock.Instant
        var arrivals: UInt64
    }

    private let store: any JobStore
    private let rankReading: (any RankReadingFinish)?
    private let clock: WallClock
    private let logger: Logger
    private let buffer = Mutex<[Completion]>([])
    /// Batches a caller wrote itself (see ``written(_:applied:)``), waiting to be passed on.
    private let verdicts = Mutex<[(batch: [Completion], applied: Set<LeaseToken>)]>([])
    private let wakeup = Wakeup()
    private let stopped = Mutex(false)

    /// How long a wake-up waits before writing, so a claim can take the completions along.
    private let gatherDelay: Duration

    init(store: any JobStore, clock: WallClock, logger: Logger, gatherDelay: Duration = .milliseconds(2)) {
        self.store = store
        self.rankReading = StoreCapabilities(of: store).rankReadingFinish
        self.gatherDelay = gatherDelay
        self.clock = clock
        self.logger = logger
    }

    func submit(_ completion: Completion) {
        buffer.withLock { $0.append(completion) }
        wakeup.signal()
    }

    /// Takes the completions not yet written, for a caller that writes them in its own transaction.
    func takeBuffered() -> [Completion] {
        buffer.withLock { buffer in
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
    }

    /// Returns completions a caller took but could not write; they are written with the next batch.
    func putBack(_ completions: [Completion]) {
        guard !completions.isEmpty else { return }
        buffer.withLock { $0.insert(contentsOf: completions, at: 0) }
        wakeup.signal()
    }

    /// Passes on the store's verdict on completions a caller took and wrote in its own transaction
    /// (a claim), as if this writer had written them. `run`'s `written` receives it from this
    /// writer's task, so the reports it triggers stay off the caller's path (the dispatcher's).
    func written(_ batch: [Completion], applied: Set<LeaseToken>) {
        guard !batch.isEmpty else { return }
        verdicts.withLock { $0.append((batch, applied)) }
        wakeup.signal()
    }

    /// Writes until ``stop()`` is called and the buffer is empty; after each batch, `written`
    /// receives it with the tokens of the completions the store applied (the rest were stale).
    /// Before each batch `rankWanted` may ask for a rank read to ride along; `rankRead` receives
    /// its result (before `written`).
    func run(
        written: @Sendable (_ batch: [Completion], _ applied: Set<LeaseToken>) -> Void,
        rankWanted: @Sendable () -> RankRide? = { nil },
        rankRead: @Sendable (DispatchStateMachine.RankCheck) -> Void = { _ in }
    ) async {
        var failures = 0
        while true {
            for verdict in verdicts.withLock({ verdicts in
                defer { verdicts.removeAll() }
                return verdicts
            }) {
                written(verdict.batch, verdict.applied)
            }
            let batch = buffer.withLock { buffer -> [Completion] in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            if Task.isCancelled && (batch.isEmpty || failures > 0) { return }
            if batch.isEmpty {
                if stopped.withLock({ $0 }) { return }
                await wakeup.wait()
                // A busy dispatcher claims within milliseconds and carries what is buffered in its
                // own transaction: one commit instead of two. Give it that chance.
                if gatherDelay > .zero && !stopped.withLock({ $0 }) { try? await Task.sleep(for: gatherDelay) }
                continue
            }
            do {
                let applied: Set<LeaseToken>
                if let rankReading, let ride = rankWanted() {
                    let (finished, best) = try await rankReading.finish(batch, now: clock.now(), readingBestRankFor: ride.request)
                    applied = finished
                    rankRead(.best(best, since: ride.since, arrivals: ride.arrivals))
                } else {
                    applied = try await store.finish(batch, now: clock.now())
                }
                failures = 0
                written(batch, applied)
            } catch {
                failures += 1
                logger.error("could not record finished jobs, will retry", metadata: [LogKey.count: "\(batch.count)", LogKey.error: "\(error)"])
                putBack(batch)
                try? await Task.sleep(for: .milliseconds(min(5_000, 50 * (1 << min(failures, 7)))))
            }
        }
    }

    /// Finish what is buffered, then return from ``run()``.
    func stop() {
        stopped.withLock { $0 = true }
        wakeup.signal()
    }
}
