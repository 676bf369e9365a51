import Foundation

/// A job enqueued on a cron schedule: what to enqueue, and when.
public struct PeriodicJob: Sendable {
    /// Unique among schedules; part of each tick's idempotency key (`cron:<name>:<tick>`), so every
    /// node that runs the same schedule enqueues each tick once between them.
    public var name: String
    public var schedule: CronExpression
    /// The zone whose wall clock the expression reads. Defaults to UTC.
    public var timeZone: TimeZone
    public var type: String
    public var queue: String
    public var priority: Int
    /// A JSON text.
    public var payloadJSON: String
    /// `nil` uses the queue's default.
    public var maxRetries: Int?
    /// Only nodes of this region run the ticks (`nil`: any node); see ``NewJob/region``.
    public var region: String?
    /// The ticks wait for their region even after it fails over; see ``NewJob/regionStrict``.
    public var regionStrict: Bool = false

    public init(
        name: String, schedule: CronExpression, timeZone: TimeZone = TimeZone(identifier: "UTC")!, type: String,
        queue: String = "default", priority: Int = 0, payloadJSON: String = "{}", maxRetries: Int? = nil
    ) {
        self.name = name
        self.schedule = schedule
        self.timeZone = timeZone
        self.type = type
        self.queue = queue
        self.priority = priority
        self.payloadJSON = payloadJSON
        self.maxRetries = maxRetries
    }

    /// The idempotency key of the tick at `tick`.
    public func key(for tick: Date) -> String {
        "cron:\(name):\(tick.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false)))"
    }
}
