import Foundation
import Testing
import VesperCore

@Suite("Time-ordered job ids")
struct TimeOrderedIDTests {
    @Test func isVersion7WithTheRFCVariant() {
        let id = TimeOrderedID.make()
        #expect(id.uuid.6 >> 4 == 7)
        #expect(id.uuid.8 >> 6 == 0b10)
    }

    @Test func idsOfLaterMillisecondsSortLaterAsText() {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<100).map { TimeOrderedID.make(now: base.addingTimeInterval(Double($0) / 1000)).uuidString }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test func idsMadeAtTheSameInstantDifferAcrossRandomRefills() {
        // Several refills of the 512-value random buffer, all in one millisecond.
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let ids = (0..<2_000).map { _ in TimeOrderedID.make(now: now) }
        #expect(Set(ids).count == ids.count)
    }
}
