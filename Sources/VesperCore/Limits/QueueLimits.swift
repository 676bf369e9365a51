import Foundation

/// A named queue's fleet-wide limits, stored in the `queues` table and honoured inside every
/// node's claim statement: at most `concurrency` of its jobs leased at once, and at most
/// `rate.limit` claims of its jobs in any `rate.period`. `nil` means no such limit.
public struct QueueLimits: Sendable, Equatable {
    public var concurrency: Int?
    public var rate: RateLimit?

    public init(concurrency: Int? = nil, rate: RateLimit? = nil) {
        self.concurrency = concurrency
        self.rate = rate
    }

    /// No limits: what a queue without a stored row has.
    public static let none = QueueLimits()

    public var isEmpty: Bool { concurrency == nil && rate == nil }

    /// The largest accepted queue concurrency.
    public static let maximumConcurrency = 1_000_000

    /// Checks both limits, naming the field of a problem.
    public func validate() throws(ValidationError) {
        if let concurrency, concurrency < 1 || concurrency > Self.maximumConcurrency {
            throw ValidationError(field: "concurrency", message: "concurrency must be an integer from 1 to \(Self.maximumConcurrency), or null")
        }
        try rate?.validate()
    }
}

/// At most `limit` job starts (claims) per `period`, fleet-wide, counted over a sliding window:
/// no span of `period` ever holds more than `limit` claims of the queue.
public struct RateLimit: Sendable, Equatable {
    public var limit: Int
    public var period: Duration

    public init(limit: Int, period: Duration) {
        self.limit = limit
        self.period = period
    }

    public static let maximumLimit = 1_000_000
    /// Periods from 1 ms to 1 day.
    public static let periods: ClosedRange<Duration> = .milliseconds(1) ... .seconds(86_400)

    /// The period in whole milliseconds, as stored.
    public var periodMilliseconds: Int64 {
        let (seconds, attoseconds) = period.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    public func validate() throws(ValidationError) {
        if limit < 1 || limit > Self.maximumLimit {
            throw ValidationError(field: "rate.limit", message: "rate.limit must be an integer from 1 to \(Self.maximumLimit)")
        }
        if !Self.periods.contains(period) || periodMilliseconds < 1 {
            throw ValidationError(field: "rate.period", message: "rate.period must be a duration like 1s or 500ms, from 1ms to 24h")
        }
    }
}

/// A store capability: fleet-wide limits on named queues.
public protocol QueueLimitControl: Sendable {
    /// Replaces a queue's limits for the whole fleet (``QueueLimits/none`` clears them). A lower
    /// limit holds back new claims; jobs already leased run to the end.
    func setQueueLimits(_ queue: String, limits: QueueLimits, now: Date) async throws
}
