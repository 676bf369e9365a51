import Foundation
import Logging

/// The default ``AttemptObserver`` of a pool built without middleware: the built-in
/// ``JobMetricsMiddleware`` and ``JobLogMiddleware`` (a ``MiddlewareObserver`` over the two).
public struct StandardAttemptObserver: AttemptObserver {
    private let observer: MiddlewareObserver

    public init(logger: Logger, metrics: VesperMetrics = .shared) {
        self.observer = MiddlewareObserver(middleware: Self.builtIn(logger: logger, metrics: metrics), metrics: metrics)
    }

    /// The built-in middleware, in the order a node installs them: metrics, the log line, then
    /// the tracing span (innermost, so it times the handler and what you add after it).
    public static func builtIn(logger: Logger, metrics: VesperMetrics) -> [any JobMiddleware] {
        [JobMetricsMiddleware(metrics: metrics), JobLogMiddleware(logger: logger), JobTracingMiddleware()]
    }

    public func attemptFinished(_ attempt: FinishedAttempt) { observer.attemptFinished(attempt) }

    public func slotsChanged(total: Int, busy: Int) { observer.slotsChanged(total: total, busy: busy) }

    public func leasesRecovered(_ count: Int) { observer.leasesRecovered(count) }
}
