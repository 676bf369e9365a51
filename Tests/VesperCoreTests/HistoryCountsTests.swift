import Testing
import VesperCore

/// When a store may reuse its last count of finished jobs.
@Suite("History counts")
struct HistoryCountsTests {
    let start = ContinuousClock.now

    func counts(done: Int) -> HistoryCounts {
        var counts = HistoryCounts()
        counts.byState[.done] = done
        return counts
    }

    @Test func aCheapCountIsAlwaysTakenAfresh() {
        var cache = HistoryCounts.Cache()
        #expect(cache.reusable(now: start) == nil, "nothing counted yet")
        cache.record(counts(done: 5), start: start, end: start + .milliseconds(3))
        #expect(cache.reusable(now: start + .milliseconds(4)) == nil, "a 3 ms count stays exact")
    }

    @Test func aCostlyCountIsReusedForSixtyTimesItsRunningTime() {
        var cache = HistoryCounts.Cache()
        let end = start + .seconds(2)
        cache.record(counts(done: 10_000_000), start: start, end: end)
        #expect(cache.reusable(now: end + .seconds(1)) == counts(done: 10_000_000))
        #expect(cache.reusable(now: end + .seconds(119)) == counts(done: 10_000_000))
        #expect(cache.reusable(now: end + .seconds(120)) == nil, "2 s × 60 later it is taken again")
    }
}
