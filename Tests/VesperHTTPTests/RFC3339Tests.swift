import Foundation
import Testing
import VesperCore

@testable import VesperHTTP

@Suite("RFC 3339 timestamps")
struct RFC3339Tests {
    @Test(arguments: [0.0, 1_800_000_000.549, 951_782_400.001, 1_234_567_890.999, 4_102_444_799.5, -86_400.25])
    func formatsLikeFoundationsISO8601Style(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let expected = date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(RFC3339.format(date) == expected)
        // Times before 1970 are written but never accepted back (see `JobLimits.timestamps`).
        let parsed = RFC3339.parse(RFC3339.format(date))
        #expect(parsed.map { abs($0.timeIntervalSince(date)) < 0.001 } == (seconds >= 0 ? true : nil))
    }

    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0.0),
        ("2026-01-02T15:04:05Z", 1_767_366_245.0),
        ("2026-01-02t15:04:05z", 1_767_366_245.0),
        ("2026-01-02T15:04:05.5Z", 1_767_366_245.5),
        ("2026-01-02T15:04:05.123456789Z", 1_767_366_245.123456789),
        ("2026-01-02T15:04:05.1234567891234Z", 1_767_366_245.123456789),
        ("2026-01-02T16:04:05+01:00", 1_767_366_245.0),
        ("2026-01-02T15:04:05-00:00", 1_767_366_245.0),
        ("2026-01-03T15:03:05+23:59", 1_767_366_245.0),
        ("2026-01-01T15:05:05-23:59", 1_767_366_245.0),
        ("2028-02-29T00:00:00Z", 1_835_395_200.0),
        ("2000-02-29T00:00:00Z", 951_782_400.0),
        ("2016-12-31T23:59:60Z", 1_483_228_800.0),
        ("9999-12-31T23:59:59.999Z", 253_402_300_799.999),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.000_001, "\(text)")
    }

    @Test(arguments: [
        "", "2026", "2026-01-02", "2026-01-02T15:04:05", "2026-01-02 15:04:05Z", "2026-01-02T15:04Z",
        "2026-02-30T00:00:00Z", "2027-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
        "2026-00-10T00:00:00Z", "2026-13-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-01-02T24:00:00Z", "2026-01-02T23:60:00Z", "2026-01-02T23:59:61Z", "2026-01-02T15:04:05.Z",
        "2026-01-02T15:04:05+24:00", "2026-01-02T15:04:05+01:60", "2026-01-02T15:04:05+0100", "2026-01-02T15:04:05Z ",
        " 2026-01-02T15:04:05Z", "2026-01-02T15:04:05ZZ", "+2026-01-02T15:04:05Z", "-2026-01-02T15:04:05Z",
        "300000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z",
        "1970-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "２０２６-01-02T15:04:05Z", "2026-01-02T15:04:05\u{0}Z",
    ])
    func refuses(text: String) {
        #expect(RFC3339.parse(text) == nil, "\(text)")
    }
}
