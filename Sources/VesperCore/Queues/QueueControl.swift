import Foundation

/// A store capability: fleet-wide pausing of named queues and their depth.
///
/// The paused flag lives in the database (table `queues`), so a pause made through any node holds
/// for every node, survives restarts, and is honoured inside the claim statement itself.
public protocol QueueControl: Sendable {
    /// Pauses (`paused == true`) or resumes a queue for the whole fleet. Idempotent; a queue need
    /// not have jobs to be paused. Jobs already claimed from it run to the end.
    func setQueuePaused(_ queue: String, paused: Bool, now: Date) async throws

    /// Every queue that holds live (`pending` or `processing`) jobs or has a stored pause state,
    /// sorted by name, with its depth as of `now`.
    func queueOverview(now: Date) async throws -> [QueueOverview]
}

/// One queue's depth and state, as `GET /queues` shows it.
public struct QueueOverview: Sendable, Equatable {
    public var name: String
    /// Claimable now.
    public var pending: Int
    /// Waiting for their `run_at`.
    public var scheduled: Int
    /// Leased by a node.
    public var processing: Int
    /// No node claims from a paused queue.
    public var paused: Bool
    /// The queue's fleet-wide limits (``QueueLimits/none`` when it has none).
    public var limits: QueueLimits
    /// Claims of its jobs within the rate period ending now; 0 without a rate limit.
    public var startsInWindow: Int
    /// Due (`pending`) jobs a limit holds back now: every due job of a queue at its concurrency or
    /// rate limit, and due jobs whose concurrency key is at its limit.
    public var limited: Int

    public init(
        name: String, pending: Int = 0, scheduled: Int = 0, processing: Int = 0, paused: Bool = false, limits: QueueLimits = .none,
        startsInWindow: Int = 0, limited: Int = 0
    ) {
        self.name = name
        self.pending = pending
        self.scheduled = scheduled
        self.processing = processing
        self.paused = paused
        self.limits = limits
        self.startsInWindow = startsInWindow
        self.limited = limited
    }
}

extension NewJob {
    /// Checks a queue name given outside a job (URL path, configuration): 1-128 of `[A-Za-z0-9_.:-]`.
    public static func validateQueueName(_ name: String, field: String = "queue") throws(ValidationError) {
        try validateName(name, field: field)
    }
}
