import Foundation
import Testing
import VesperCore

/// Job ids as text, written and parsed by hand on the hot path (stores, API).
@Suite("Id text")
struct UUIDTextTests {
    @Test func idsRoundTripThroughTheirText() {
        for _ in 0..<1_000 {
            let id = UUID()
            let text = id.lowercaseText
            #expect(text == id.uuidString.lowercased())
            #expect(id.withLowercaseText { String(decoding: $0, as: UTF8.self) } == text)
            #expect(UUID(text: text) == id)
            #expect(UUID(text: id.uuidString) == id)
        }
    }

    @Test func malformedTextIsRejected() {
        let good = "01a228b7-598e-7ee6-ab74-303cb5090abd"
        #expect(UUID(text: good) != nil)
        #expect(UUID(text: String(good.dropLast())) == nil)
        #expect(UUID(text: good + "0") == nil)
        #expect(UUID(text: good.replacingOccurrences(of: "-", with: "x")) == nil)
        #expect(UUID(text: "01a228b7-598e-7ee6-ab74-303cb5090abg") == nil)
        #expect(UUID(text: "01a228b7598e-7ee6-ab74-303cb5090abd-") == nil)
        #expect(UUID(text: "") == nil)
    }
}
