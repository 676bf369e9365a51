/// Live figures of one node's worker pool, for heartbeats and the fleet view.
public struct WorkerPoolCounters: Sendable, Equatable {
    /// Slots running a job now.
    public var busy: Int = 0
    /// Attempts that succeeded since start.
    public var done: Int = 0
    /// Attempts that failed (retried, failed or dead-lettered) since start.
    public var failed: Int = 0

    public init() {}
}
