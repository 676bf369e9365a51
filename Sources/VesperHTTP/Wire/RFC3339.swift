import Foundation

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

    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: formatStyle) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

    private static let formatStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
