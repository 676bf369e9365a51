import Foundation

/// Jobs that finished within one wall-clock minute, as the dashboard's throughput chart shows them.
public struct FinishedMinute: Sendable, Equatable {
    /// The start of the minute (UTC, on a whole minute).
    public var minute: Date
    /// Jobs that reached `done` in that minute.
    public var done: Int
    /// Jobs that ended `failed` or `dlq` in that minute.
    public var failed: Int

    public init(minute: Date, done: Int = 0, failed: Int = 0) {
        self.minute = minute
        self.done = done
        self.failed = failed
    }
}

/// A store capability: finished jobs per minute, read from the `jobs_finished (finished_at, status)`
/// index (a range scan over the window, never the whole table).
public protocol ThroughputHistorySource: Sendable {
    /// Jobs that finished at or after `since` (up to `now`), counted per minute by their
    /// `finished_at`. Minutes without finished jobs may be missing; see ``FinishedMinute/series(_:since:now:)``.
    func finishedPerMinute(since: Date, now: Date) async throws -> [FinishedMinute]
}

extension FinishedMinute {
    /// The start of the minute holding `date`.
    public static func minute(of date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.down) * 60)
    }

    /// One entry per minute from the minute of `since` to the minute of `now`, zero where `counts` has none.
    public static func series(_ counts: [FinishedMinute], since: Date, now: Date) -> [FinishedMinute] {
        var byMinute: [Int64: FinishedMinute] = [:]
        for entry in counts { byMinute[Int64(minute(of: entry.minute).timeIntervalSince1970)] = entry }
        var result: [FinishedMinute] = []
        var cursor = minute(of: since)
        let end = minute(of: now)
        while cursor <= end {
            let key = Int64(cursor.timeIntervalSince1970)
            var entry = byMinute[key] ?? FinishedMinute(minute: cursor)
            entry.minute = cursor
            result.append(entry)
            cursor = cursor.addingTimeInterval(60)
        }
        return result
    }
}
