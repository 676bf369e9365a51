/// Whether any fleet-wide limit may hold a job back (a queue with a limit, or a waiting keyed
/// job), as a store last read it; it decides which claim statement runs.
///
/// Reading it in every claim would add a query to the hot path, so a store reads it again at most
/// every ``maximumAge``. A stale answer never lets a claim overshoot: the plain claim excludes
/// limited queues and keyed jobs itself, so a limit set elsewhere only waits up to ``maximumAge``
/// before this node takes such jobs. This node's own enqueue of a keyed job and its own limit
/// changes mark it at once.
public struct LimitPresence: Sendable {
    public static let maximumAge: Duration = .milliseconds(250)

    private var inPlay = false
    private var readAt: ContinuousClock.Instant?

    public init() {}

    /// The last answer, or `nil` when it is older than ``maximumAge``.
    public func current(now: ContinuousClock.Instant) -> Bool? {
        guard let readAt, now - readAt < Self.maximumAge else { return nil }
        return inPlay
    }

    public mutating func record(_ inPlay: Bool, at now: ContinuousClock.Instant) {
        self.inPlay = inPlay
        readAt = now
    }

    /// Limits apply from now on (a keyed job or a limit written through this node).
    public mutating func markInPlay(now: ContinuousClock.Instant) {
        record(true, at: now)
    }
}
