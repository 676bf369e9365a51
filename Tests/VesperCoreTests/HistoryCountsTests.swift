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

    @Test func aSmallHistoryIsAlwaysCountedAfresh() {
        var cache = HistoryCounts.Cache()
        #expect(cache.reusable(now: start) == nil, "nothing counted yet")
        // However long the count took (a busy machine), a small history stays exact.
        cache.record(counts(done: 99_999), start: start, end: start + .seconds(1))
        #expect(cache.reusable(now: start + .seconds(2)) == nil)
    }

    @Test func aLargeHistoryIsReusedForSixtyTimesItsRunningTime() {
        var cache = HistoryCounts.Cache()
        let end = start + .seconds(2)
        cache.record(counts(done: 10_000_000), start: start, end: end)
        #expect(cache.reusable(now: end + .seconds(1)) == counts(done: 10_000_000))
        #expect(cache.reusable(now: end + .seconds(119)) == counts(done: 10_000_000))
        #expect(cache.reusable(now: end + .seconds(120)) == nil, "2 s × 60 later it is taken again")
    }
}
