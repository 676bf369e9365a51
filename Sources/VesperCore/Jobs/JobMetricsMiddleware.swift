import Foundation

/// Built-in middleware: counts every finished attempt by type and outcome, with its run time and
/// (on a first attempt) its queue wait, in ``VesperMetrics``. A `lost_lease` is counted nowhere:
/// the store threw its result away.
public struct JobMetricsMiddleware: JobMiddleware {
    private let metrics: VesperMetrics

    public init(metrics: VesperMetrics = .shared) {
        self.metrics = metrics
    }

    public func finished(_ attempt: FinishedAttempt) {
        guard attempt.outcome != .lostLease else { return }
        metrics.jobFinished(
            type: attempt.job.type, outcome: attempt.outcome.name, run: .secondsDouble(attempt.run),
            wait: attempt.job.attempt == 1 ? .secondsDouble(attempt.wait) : nil)
    }
}
