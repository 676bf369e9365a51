import Foundation
import Synchronization
import Testing
import Vesper
@testable import VesperWeb

/// Page views do not query the store each time: counts are the sampler's snapshot, the chart
/// re-reads only the open minute.
@Suite("Dashboard caching")
struct DashboardCachingTests {
    final class CountingSource: QueueStatisticsSource, ThroughputHistorySource {
        let statisticsCalls = Mutex(0)
        let throughputSince = Mutex<[Date]>([])

        func statistics(now: Date) async throws -> QueueStatistics {
            statisticsCalls.withLock { $0 += 1 }
            return QueueStatistics(sampledAt: now)
        }

        func finishedPerMinute(since: Date, now: Date) async throws -> [FinishedMinute] {
            throughputSince.withLock { $0.append(since) }
            // One job in every minute of the range asked for.
            return FinishedMinute.series([], since: since, now: now).map { FinishedMinute(minute: $0.minute, done: 1) }
        }
    }

    @Test func readersUseTheSamplersSnapshotWhileItIsFresh() async throws {
        let source = CountingSource()
        let latest = LatestStatistics(source: source, maxAge: .seconds(60))
        _ = try await latest.statistics(now: Date())  // the sampler
        for _ in 0..<20 { _ = try await latest.latest(now: Date()) }
        #expect(source.statisticsCalls.withLock { $0 } == 1)

        let stale = LatestStatistics(source: source, maxAge: .zero)
        _ = try await stale.latest(now: Date())
        _ = try await stale.latest(now: Date())
        #expect(source.statisticsCalls.withLock { $0 } == 3)
    }

    @Test func chartReReadsOnlyFromTheMinuteThatWasOpen() async throws {
        let source = CountingSource()
        let cache = ThroughputCache(source: source, maxAge: .zero)
        let now = Date(timeIntervalSince1970: 1_800_000_030)
        let first = try await cache.lastHour(now: now)
        #expect(first.count == 60)
        let later = now.addingTimeInterval(120)
        let second = try await cache.lastHour(now: later)
        #expect(second.count == 60)
        let since = source.throughputSince.withLock { $0 }
        #expect(since == [FinishedMinute.minute(of: now).addingTimeInterval(-59 * 60), FinishedMinute.minute(of: now)])
        // The closed minutes read the first time are kept, the rest read again: every minute has its job.
        #expect(second.allSatisfy { $0.done == 1 })
        #expect(second.last?.minute == FinishedMinute.minute(of: later))
    }
}
