/// The ``AttemptObserver`` a node's pool reports to: each finished attempt goes to every
/// middleware's ``JobMiddleware/finished(_:)`` in order; slot and lease counts go to the metrics.
public struct MiddlewareObserver: AttemptObserver {
    private let middleware: [any JobMiddleware]
    private let metrics: VesperMetrics

    public init(middleware: [any JobMiddleware], metrics: VesperMetrics) {
        self.middleware = middleware
        self.metrics = metrics
    }

    public func attemptFinished(_ attempt: FinishedAttempt) {
        for middleware in middleware { middleware.finished(attempt) }
    }

    public func slotsChanged(total: Int, busy: Int) {
        metrics.workerSlots(total: total, busy: busy)
    }

    public func leasesRecovered(_ count: Int) {
        metrics.leasesRecovered(count)
    }
}
