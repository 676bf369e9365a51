import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Samples the queue's statistics from the store on a short interval and publishes them as gauges,
/// so a Prometheus scrape never scans the database; logs a one-line summary now and then.
public struct StatisticsSampler: Service {
    public struct Options: Sendable {
        /// How often gauges are refreshed. Defaults to 5s.
        public var sampleInterval: Duration = .seconds(5)
        /// How often a summary line is logged; zero turns it off. Defaults to 60s.
        public var logInterval: Duration = .seconds(60)

        public init() {}
    }

    let source: any QueueStatisticsSource
    let options: Options
    let clock: WallClock
    let logger: Logger
    let metrics: VesperMetrics

    public init(
        source: any QueueStatisticsSource, options: Options, clock: WallClock = .system, logger: Logger, metrics: VesperMetrics
    ) {
        self.source = source
        self.options = options
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
    }

    public func run() async throws {
        let lastLog = Mutex(ContinuousClock.now)
        await repeatUntilShutdown {
            do {
                let statistics = try await source.statistics(now: clock.now())
                metrics.record(statistics)
                let logNow = options.logInterval > .zero && lastLog.withLock { last in
                    guard ContinuousClock.now - last >= options.logInterval else { return false }
                    last = ContinuousClock.now
                    return true
                }
                if logNow { logger.info("queue summary", metadata: Self.summary(statistics)) }
            } catch {
                logger.debug("statistics sample failed", metadata: [LogKey.error: "\(error)"])
            }
            return options.sampleInterval
        }
    }

    static func summary(_ statistics: QueueStatistics) -> Logger.Metadata {
        var metadata: Logger.Metadata = [:]
        for status in JobStatus.allCases { metadata["vesper_\(status.rawValue)"] = "\(statistics.counts[status] ?? 0)" }
        metadata["vesper_done_per_second_1m"] = "\(String(format: "%.1f", Double(statistics.doneLastMinute) / 60))"
        metadata["vesper_oldest_pending_age_s"] = "\(String(format: "%.1f", statistics.oldestPendingAge ?? 0))"
        metadata["vesper_fleet_nodes"] = "\(statistics.fleetNodes)"
        metadata["vesper_fleet_workers"] = "\(statistics.fleetWorkers)"
        metadata["vesper_fleet_busy"] = "\(statistics.fleetBusy)"
        return metadata
    }
}
