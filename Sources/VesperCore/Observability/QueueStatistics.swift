import Foundation

/// A snapshot of the queue and the fleet, read from the store: the basis of `/stats` and of the
/// queue-depth gauges.
public struct QueueStatistics: Sendable, Equatable {
    /// Jobs by status as a user sees it (`scheduled` split from `pending` by `run_at`).
    public var counts: [JobStatus: Int] = [:]
    /// Claimable (`pending`) jobs by priority.
    public var pendingByPriority: [Int: Int] = [:]
    /// Seconds since the oldest claimable job became due, or nil when none waits.
    public var oldestPendingAge: Double?
    /// Jobs that reached `done` in the last minute and the last five minutes.
    public var doneLastMinute: Int = 0
    public var doneLast5Minutes: Int = 0
    public var fleetNodes: Int = 0
    public var fleetWorkers: Int = 0
    public var fleetBusy: Int = 0
    /// The fleet's figures per region (`REGION`); they add up to the totals above.
    public var fleetByRegion: [String: FleetFigures] = [:]
    /// Due jobs a fleet-wide limit holds back, by queue (queues with none are absent).
    public var limitedByQueue: [String: Int] = [:]
    public var sampledAt: Date

    public init(sampledAt: Date) {
        self.sampledAt = sampledAt
    }
}

/// The size of part of the fleet: nodes, their slots, and how many are busy.
public struct FleetFigures: Sendable, Equatable {
    public var nodes: Int
    public var slots: Int
    public var busy: Int

    public init(nodes: Int, slots: Int, busy: Int) {
        self.nodes = nodes
        self.slots = slots
        self.busy = busy
    }
}

/// A store capability: counting jobs by state cheaply (index-only where the database allows).
public protocol QueueStatisticsSource: Sendable {
    /// Counts jobs by status and pending jobs by priority, the oldest due pending job, recent
    /// completions and the fleet's size, as of `now`.
    func statistics(now: Date) async throws -> QueueStatistics
}
