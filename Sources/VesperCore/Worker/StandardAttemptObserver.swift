import Foundation
import Logging

/// The default ``AttemptObserver``: one log line per attempt and the job metrics of ``VesperMetrics``.
public struct StandardAttemptObserver: AttemptObserver {
    private let logger: Logger
    private let metrics: VesperMetrics

    public init(logger: Logger, metrics: VesperMetrics = .shared) {
        self.logger = logger
        self.metrics = metrics
    }

    public func attemptFinished(_ attempt: FinishedAttempt) {
        let level: Logger.Level
        switch attempt.outcome {
        case .done: level = .info
        case .released, .cancelled: level = .notice
        case .retried, .lostLease: level = .warning
        default: level = .error
        }
        if attempt.outcome != .lostLease {
            metrics.jobFinished(
                type: attempt.job.type, outcome: attempt.outcome.name, run: .secondsDouble(attempt.run),
                wait: attempt.job.attempt == 1 ? .secondsDouble(attempt.wait) : nil)
        }
        // Building the metadata costs more than a no-op job: only build it when the line is written.
        guard logger.logLevel <= level else { return }
        let job = attempt.job
        var metadata: Logger.Metadata = [
            LogKey.jobID: "\(job.id.uuidString.lowercased())",
            LogKey.jobType: "\(job.type)",
            LogKey.priority: "\(job.priority)",
            LogKey.attempt: "\(job.attempt)",
            LogKey.waitMs: "\(Int((attempt.wait * 1000).rounded()))",
            LogKey.runMs: "\(Int((attempt.run * 1000).rounded()))",
            LogKey.outcome: "\(attempt.outcome.name)",
        ]
        if let error = attempt.completion.error { metadata[LogKey.error] = "\(error)" }
        logger.log(level: level, "job \(attempt.outcome.name)", metadata: metadata)
    }

    public func slotsChanged(total: Int, busy: Int) {
        metrics.workerSlots(total: total, busy: busy)
    }

    public func leasesRecovered(_ count: Int) {
        metrics.leasesRecovered(count)
    }
}
