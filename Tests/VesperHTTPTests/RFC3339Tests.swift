import Foundation
import Testing

@testable import VesperHTTP

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(arguments: [0.0, 1_800_000_000.549, 951_782_400.001, 1_234_567_890.999, 4_102_444_799.5, -86_400.25])
    func formatsLikeFoundationsISO8601Style(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let expected = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(RFC3339.format(date) == expected)
        #expect(RFC3339.parse(RFC3339.format(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }
}
