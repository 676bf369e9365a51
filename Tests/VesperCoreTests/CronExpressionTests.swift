import Foundation
import Testing
import VesperCore

@Suite struct CronExpressionTests {
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!

    func date(_ text: String) -> Date {
        try! Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

    func next(_ expression: String, after: String, in zone: TimeZone = utc) throws -> Date? {
        try CronExpression(expression).next(after: date(after), in: zone)
    }

    /// The next `count` fire times.
    func series(_ expression: String, after: String, count: Int, in zone: TimeZone = utc) throws -> [Date] {
        let cron = try CronExpression(expression)
        var result: [Date] = []
        var cursor = date(after)
        while result.count < count, let next = cron.next(after: cursor, in: zone) {
            result.append(next)
            cursor = next
        }
        return result
    }

    @Test func stepsRangesAndListsAcrossAMonthEnd() throws {
        #expect(try next("*/15 * * * *", after: "2026-01-31T23:50:00Z") == date("2026-02-01T00:00:00Z"))
        #expect(try next("*/15 * * * *", after: "2026-01-31T23:45:00Z") == date("2026-02-01T00:00:00Z"), "strictly after")
        #expect(try next("0 0 31 * *", after: "2026-04-01T00:00:00Z") == date("2026-05-31T00:00:00Z"), "April has no 31st")
        #expect(
            try series("5-10/5,30 9-10 * * *", after: "2026-03-01T00:00:00Z", count: 4)
                == ["2026-03-01T09:05:00Z", "2026-03-01T09:10:00Z", "2026-03-01T09:30:00Z", "2026-03-01T10:05:00Z"].map(date))
        #expect(try next("10/20 * * * *", after: "2026-03-01T00:31:00Z") == date("2026-03-01T00:50:00Z"), "a/n runs to the end")
        #expect(try next("0 0 1 * *", after: "2026-12-15T00:00:00Z") == date("2027-01-01T00:00:00Z"), "year end")
    }

    @Test func leapYears() throws {
        #expect(try next("0 12 29 2 *", after: "2026-03-01T00:00:00Z") == date("2028-02-29T12:00:00Z"))
        #expect(try next("0 0 29 2 *", after: "2096-03-01T00:00:00Z") == date("2104-02-29T00:00:00Z"), "2100 is not a leap year")
        #expect(try next("0 0 30 2 *", after: "2026-01-01T00:00:00Z") == nil, "February 30th never comes")
    }

    @Test func namesAndSundayAsZeroOrSeven() throws {
        // 2026-01-01 is a Thursday; the next Sunday is the 4th.
        for expression in ["0 9 * * 0", "0 9 * * 7", "0 9 * * SUN", "0 9 * * sun", "0 9 * jan Sun"] {
            #expect(try next(expression, after: "2026-01-01T00:00:00Z") == date("2026-01-04T09:00:00Z"), "\(expression)")
        }
        #expect(try next("0 9 * * SAT,SUN", after: "2026-01-03T10:00:00Z") == date("2026-01-04T09:00:00Z"))
        #expect(try next("0 9 * * 5-7", after: "2026-01-04T10:00:00Z") == date("2026-01-09T09:00:00Z"))
        #expect(try next("30 6 * MAR-MAY MON-FRI", after: "2026-01-01T00:00:00Z") == date("2026-03-02T06:30:00Z"))
        #expect(try series("0 0 1 jan,jul *", after: "2026-01-01T00:00:00Z", count: 2) == ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z"].map(date))
        #expect(try CronExpression("@hourly").next(after: date("2026-01-01T00:10:00Z")) == date("2026-01-01T01:00:00Z"))
        #expect(try CronExpression("@weekly").next(after: date("2026-01-01T00:00:00Z")) == date("2026-01-04T00:00:00Z"))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothAreRestricted() throws {
        // Friday the 2nd and 9th, then Tuesday the 13th: either field matches.
        #expect(
            try series("0 0 13 * FRI", after: "2026-01-01T00:00:00Z", count: 3)
                == ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z"].map(date))
        // With day-of-month `*`, only the weekday counts.
        #expect(try next("0 0 * * FRI", after: "2026-01-09T00:00:00Z") == date("2026-01-16T00:00:00Z"))
    }

    @Test func daylightSavingTimeInANamedZone() throws {
        // Berlin springs forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist that day.
        #expect(try next("30 2 * * *", after: "2026-03-28T12:00:00Z", in: Self.berlin) == date("2026-03-30T00:30:00Z"))
        // 09:00 local is 08:00Z in winter and 07:00Z in summer.
        #expect(
            try series("0 9 * * *", after: "2026-03-28T00:00:00Z", count: 2, in: Self.berlin)
                == ["2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z"].map(date))
        // Falls back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens twice and fires once.
        #expect(
            try series("30 2 * * *", after: "2026-10-24T12:00:00Z", count: 2, in: Self.berlin)
                == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"].map(date))
        // An `*` hour follows real time through the repeated hour.
        #expect(
            try series("0 * * * *", after: "2026-10-24T23:30:00Z", count: 3, in: Self.berlin)
                == ["2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z"].map(date))
        // Midnight local in a zone with a half-hour offset.
        #expect(try next("0 0 * * *", after: "2026-01-01T00:00:00Z", in: TimeZone(identifier: "Asia/Kolkata")!) == date("2026-01-01T18:30:00Z"))
    }

    @Test func optionalSecondsField() throws {
        #expect(
            try series("*/2 * * * * *", after: "2026-01-01T00:00:00Z", count: 3)
                == ["2026-01-01T00:00:02Z", "2026-01-01T00:00:04Z", "2026-01-01T00:00:06Z"].map(date))
        #expect(try CronExpression("*/2 * * * * *").next(after: date("2026-01-01T00:00:00Z").addingTimeInterval(0.5)) == date("2026-01-01T00:00:02Z"))
        #expect(try next("30 0 12 * * *", after: "2026-01-01T00:00:00Z") == date("2026-01-01T12:00:30Z"))
        #expect(try !CronExpression("* * * * *").hasSeconds)
        #expect(try CronExpression("* * * * * *").hasSeconds)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        var expression: String
        var field: String?
        var message: String
        var testDescription: String { expression }
    }

    @Test(arguments: [
        Invalid(expression: "61 * * * *", field: "minute", message: "61 is out of range 0-59"),
        Invalid(expression: "* 24 * * *", field: "hour", message: "24 is out of range 0-23"),
        Invalid(expression: "* * 0 * *", field: "day-of-month", message: "0 is out of range 1-31"),
        Invalid(expression: "* * * 13 *", field: "month", message: "13 is out of range 1-12"),
        Invalid(expression: "* * * * 8", field: "day-of-week", message: "8 is out of range 0-7"),
        Invalid(expression: "* * * FOO *", field: "month", message: "'FOO' is not a number or a name like JAN"),
        Invalid(expression: "* * * * MONDAY", field: "day-of-week", message: "'MONDAY' is not a number or a name like MON"),
        Invalid(expression: "* x * * *", field: "hour", message: "'x' is not a number"),
        Invalid(expression: "5-1 * * * *", field: "minute", message: "range '5-1' runs backwards (5 > 1)"),
        Invalid(expression: "*/0 * * * *", field: "minute", message: "step '0' in '*/0' must be a positive integer"),
        Invalid(expression: "1,,2 * * * *", field: "minute", message: "empty list item in '1,,2'"),
        Invalid(expression: "1-/2 * * * *", field: "minute", message: "missing value in '1-/2'"),
        Invalid(
            expression: "* * * *", field: nil,
            message: "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, got 4"),
        Invalid(expression: "@often", field: nil, message: "unknown macro @often; use @yearly, @monthly, @weekly, @daily or @hourly"),
        Invalid(expression: "60 * * * * *", field: "second", message: "60 is out of range 0-59"),
    ])
    func invalidExpressionsSayWhatIsWrong(_ invalid: Invalid) {
        #expect(throws: CronParseError(field: invalid.field, message: invalid.message)) { try CronExpression(invalid.expression) }
    }
}
