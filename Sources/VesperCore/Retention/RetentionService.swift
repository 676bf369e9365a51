import Foundation
import Logging
import ServiceLifecycle

/// Prunes finished jobs older than their retention period, in small batches, every `interval`.
///
/// Each batch is one short statement (at most ``Options/batchSize`` rows) so no lock is held for
/// long; batches repeat until a short one shows nothing old is left. Every node runs this service;
/// the stores make sure only one deletes at a time (SQLite: the write lock; PostgreSQL: a
/// transaction-scoped `pg_try_advisory_xact_lock`, a node that misses it skips the round).
public struct RetentionService: Service {
    public struct Options: Sendable {
        /// How long `done` and `cancelled` jobs are kept; `nil` keeps them. Defaults to 7 days.
        public var retention: Duration? = .seconds(7 * 86_400)
        /// How long `failed` and `dlq` jobs are kept; `nil` keeps them. Defaults to `nil`.
        public var retentionFailed: Duration? = nil
        /// Rows per statement. Defaults to 1000.
        public var batchSize: Int = 1000
        /// Time between pruning rounds. Defaults to 1 minute.
        public var interval: Duration = .seconds(60)

        public init() {}

        /// True when nothing would ever be pruned.
        public var isDisabled: Bool { retention == nil && retentionFailed == nil }
    }

    let store: any JobPruning
    let options: Options
    let clock: WallClock
    let logger: Logger

    public init(store: any JobPruning, options: Options, clock: WallClock = .system, logger: Logger) {
        self.store = store
        self.options = options
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await repeatUntilShutdown {
            do {
                let pruned = try await pruneOnce()
                if pruned > 0 { logger.info("pruned finished jobs", metadata: [LogKey.count: "\(pruned)"]) }
            } catch {
                logger.warning("pruning finished jobs failed", metadata: [LogKey.error: "\(error)"])
            }
            return options.interval
        }
    }

    /// One pruning round at the clock's current time: every batch that is due. Returns the rows deleted.
    @discardableResult
    public func pruneOnce() async throws -> Int {
        let now = clock.now()
        var total = 0
        let policies: [([JobStatus], Duration?)] = [([.done, .cancelled], options.retention), ([.failed, .dlq], options.retentionFailed)]
        for case let (statuses, period?) in policies {
            let cutoff = now.addingTimeInterval(-period.secondsDouble)
            while !Task.isCancelled {
                let deleted = try await store.pruneFinishedJobs(statuses: statuses, finishedBefore: cutoff, limit: options.batchSize)
                total += deleted
                if deleted < options.batchSize { break }
                await Task.yield()  // let claims and enqueues in between batches
            }
        }
        return total
    }
}
