import Foundation
import VesperCore

/// RFC 3339 times in UTC, as every timestamp in the API is written.
enum RFC3339 {
    /// `2026-11-29T16:51:21.549Z`: UTC, milliseconds (truncated).
    ///
    /// Written by hand: `Date.formatted(ISO8601FormatStyle)` cost several microseconds per call and
    /// every rendered job has three to five timestamps.
    static func format(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = totalMillis.floorDiv(86_400_000)
        let millisOfDay = totalMillis - days * 86_400_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = days.floorDiv(146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        guard (0...9999).contains(year) else { return date.formatted(formatStyle) }
        // Digits straight into the string's storage: no arrays of fields or separators per call.
        return String(unsafeUninitializedCapacity: 24) { output in
            func put(_ value: Int64, width: Int, at start: Int, then separator: UInt8) {
                var remaining = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    output[start + offset] = UInt8(ascii: "0") + UInt8(remaining % 10)
                    remaining /= 10
                }
                output[start + width] = separator
            }
            put(year, width: 4, at: 0, then: UInt8(ascii: "-"))
            put(month, width: 2, at: 5, then: UInt8(ascii: "-"))
            put(day, width: 2, at: 8, then: UInt8(ascii: "T"))
            put(millisOfDay / 3_600_000, width: 2, at: 11, then: UInt8(ascii: ":"))
            put(millisOfDay / 60_000 % 60, width: 2, at: 14, then: UInt8(ascii: ":"))
            put(millisOfDay / 1000 % 60, width: 2, at: 17, then: UInt8(ascii: "."))
            put(millisOfDay % 1000, width: 3, at: 20, then: UInt8(ascii: "Z"))
            return 24
        }
    }

    /// Parses an RFC 3339 `date-time`: `2026-01-02T15:04:05Z`, with optional fractional seconds
    /// (up to nanoseconds) and a `Z` or `±hh:mm` offset (`T`/`Z` in either case). The calendar date
    /// must exist (no February 30th), and the instant must lie within ``JobLimits/timestamps``
    /// (1970 to 9999, UTC): anything else is `nil`, never a trap or a silently different time.
    static func parse(_ text: String) -> Date? {
        var utf8 = Array(text.utf8)
        guard utf8.count >= 20, utf8.count <= 40 else { return nil }
        utf8.append(0)  // a sentinel, so a lookahead never runs off the end
        var index = 0
        func digits(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                let byte = utf8[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                index += 1
            }
            return value
        }
        func expect(_ characters: String) -> Bool {
            guard characters.utf8.contains(utf8[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2), expect("Tt"),
            let hour = digits(2), expect(":"), let minute = digits(2), expect(":"), let second = digits(2)
        else { return nil }
        var nanoseconds = 0
        if utf8[index] == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while utf8[index] >= UInt8(ascii: "0"), utf8[index] <= UInt8(ascii: "9") {
                if count < 9 { nanoseconds = nanoseconds * 10 + Int(utf8[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard (1...18).contains(count) else { return nil }
            for _ in min(count, 9)..<9 { nanoseconds *= 10 }
        }
        var offsetSeconds = 0
        if expect("Zz") {
            offsetSeconds = 0
        } else {
            let sign = utf8[index]
            guard sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") else { return nil }
            index += 1
            guard let offsetHours = digits(2), expect(":"), let offsetMinutes = digits(2), offsetHours <= 23, offsetMinutes <= 59 else {
                return nil
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (sign == UInt8(ascii: "+") ? 1 : -1)
        }
        guard index == utf8.count - 1 else { return nil }
        // A leap second (`:60`) is accepted as RFC 3339 allows and counts as the next second.
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(month, year: year), hour <= 23, minute <= 59, second <= 60 else {
            return nil
        }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        let date = Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
        guard JobLimits.timestamps.contains(date) else { return nil }
        return date
    }

    private static func daysInMonth(_ month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm, the inverse of ``format(_:)``'s).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static let formatStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
