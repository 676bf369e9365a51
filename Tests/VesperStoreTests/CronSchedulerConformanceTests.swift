import Foundation
import Logging
import Synchronization
import Testing
import VesperCore
import VesperTestSupport

/// Several schedulers (as on several nodes) sharing one store, driven by an injected clock.
@Suite("Cron scheduler conformance")
struct CronSchedulerConformanceTests {
    final class TestClock: Sendable {
        let time = Mutex(testEpoch)
        var clock: WallClock { WallClock { self.time.withLock { $0 } } }
        func set(_ date: Date) { time.withLock { $0 = date } }
    }

    func makeScheduler(_ store: any VesperStore, clock: TestClock, catchUp: Duration = .seconds(3600)) throws -> CronScheduler {
        let job = PeriodicJob(name: "every-minute", schedule: try CronExpression("* * * * *"), type: "cron-test", payloadJSON: #"{"k":1}"#)
        var options = CronScheduler.Options()
        options.catchUpWindow = catchUp
        options.maxSleep = .seconds(3600)
        return CronScheduler(jobs: [job], client: JobQueue(store: store, clock: clock.clock), options: options, clock: clock.clock, logger: Logger(label: "test"))
    }

    @Test(arguments: StoreKind.allCases)
    func threeSchedulersEnqueueEachTickOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let clock = TestClock()
            let schedulers = try (0..<3).map { _ in try makeScheduler(store, clock: clock) }
            var created: [Date] = []
            var seen: [Date: Set<UUID>] = [:]
            // Ten minutes; each scheduler wakes at a different second of the minute, in rotating order.
            for minute in 0..<10 {
                for offset in 0..<3 {
                    let index = (minute + offset) % 3
                    let now = testEpoch.addingTimeInterval(Double(minute * 60 + offset * 7 + index))
                    clock.set(now)
                    let (ticks, nextWake) = await schedulers[index].runDue(now: now)
                    #expect(nextWake == testEpoch.addingTimeInterval(Double(minute * 60 + 60)))
                    for tick in ticks {
                        if tick.created { created.append(tick.tick) }
                        seen[tick.tick, default: []].insert(tick.jobID)
                    }
                }
            }
            let expected = (0..<10).map { testEpoch.addingTimeInterval(Double($0 * 60)) }
            #expect(created.sorted() == expected, "each tick created exactly once")
            #expect(seen.values.allSatisfy { $0.count == 1 }, "every scheduler saw the same job for a tick")
            let jobs = try await store.listJobs(JobQuery(type: "cron-test", limit: 100, now: testEpoch.addingTimeInterval(3600)))
            #expect(jobs.count == 10)
            // run_at is the tick or the enqueue time, whichever is later; the key names the tick.
            #expect(Set(jobs.compactMap(\.idempotencyKey)) == Set(expected.map { "cron:every-minute:" + $0.formatted(.iso8601) }))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func missedTicksAreNotReplayed(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let clock = TestClock()
            // The whole fleet was down for three hours: a new scheduler enqueues only the latest tick.
            let late = testEpoch.addingTimeInterval(3 * 3600 + 30)
            clock.set(late)
            let scheduler = try makeScheduler(store, clock: clock)
            let (ticks, _) = await scheduler.runDue(now: late)
            #expect(ticks.map(\.tick) == [testEpoch.addingTimeInterval(3 * 3600)])
            // A scheduler that stalls (suspended machine) catches up with one tick, not a flood.
            let later = late.addingTimeInterval(600)
            clock.set(later)
            let (afterStall, _) = await scheduler.runDue(now: later)
            #expect(afterStall.map(\.tick) == [testEpoch.addingTimeInterval(3 * 3600 + 600)])
            // With no catch-up window, start-up enqueues nothing until the next tick.
            let strict = try makeScheduler(store, clock: clock, catchUp: .zero)
            let (none, wake) = await strict.runDue(now: later.addingTimeInterval(5))
            #expect(none.isEmpty)
            #expect(wake == testEpoch.addingTimeInterval(3 * 3600 + 660))
            #expect(try await store.listJobs(JobQuery(type: "cron-test", now: later)).count == 2)
        }
    }
}
