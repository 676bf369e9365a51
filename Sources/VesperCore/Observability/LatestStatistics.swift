import Foundation
import Synchronization

/// The last statistics sample, shared by the ``StatisticsSampler`` (which refreshes it) and readers
/// such as the dashboard (which use it as it is while it is younger than `maxAge`).
///
/// Pages that show counts therefore never count the database themselves: with the sampler running,
/// every read is the sampler's snapshot; without it (or if it stalls), a reader refreshes at most
/// once per `maxAge`, and concurrent readers share that one query.
public final class LatestStatistics: QueueStatisticsSource {
    private struct State {
        var snapshot: QueueStatistics?
        var refreshedAt: ContinuousClock.Instant?
        var inFlight: Task<QueueStatistics, any Error>?
    }

    private let source: any QueueStatisticsSource
    private let maxAge: Duration
    private let state = Mutex(State())

    /// - Parameter maxAge: how old a sample may be before a reader refreshes it. Defaults to 10s.
    public init(source: any QueueStatisticsSource, maxAge: Duration = .seconds(10)) {
        self.source = source
        self.maxAge = maxAge
    }

    /// The sample, fresh from the store (the sampler calls this).
    public func statistics(now: Date) async throws -> QueueStatistics {
        let result = try await source.statistics(now: now)
        state.withLock { state in
            state.snapshot = result
            state.refreshedAt = .now
        }
        return result
    }

    /// The last sample if it is younger than `maxAge`, otherwise a fresh one (shared by concurrent callers).
    public func latest(now: Date) async throws -> QueueStatistics {
        let (cached, task) = state.withLock { state -> (QueueStatistics?, Task<QueueStatistics, any Error>?) in
            if let snapshot = state.snapshot, let at = state.refreshedAt, ContinuousClock.now - at < maxAge { return (snapshot, nil) }
            if let inFlight = state.inFlight { return (nil, inFlight) }
            // One refresh for every reader that arrives meanwhile: an unstructured task because the
            // readers share it and none of them owns it; it ends with the query.
            let source = source
            let task = Task { try await source.statistics(now: now) }
            state.inFlight = task
            return (nil, task)
        }
        if let cached { return cached }
        do {
            let fresh = try await task!.value
            state.withLock { state in
                state.snapshot = fresh
                state.refreshedAt = .now
                state.inFlight = nil
            }
            return fresh
        } catch {
            state.withLock { $0.inFlight = nil }
            throw error
        }
    }
}
