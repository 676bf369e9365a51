import Foundation

/// A parsed cron expression: standard 5 fields (`minute hour day-of-month month day-of-week`), or 6
/// with a leading seconds field (a Vesper extension for sub-minute schedules and tests).
///
/// Each field takes `*`, a number, a range `a-b`, a step `*/n`, `a-b/n` or `a/n` (from `a` to the
/// field's maximum), and comma-separated lists of those. Months take `JAN`-`DEC` and days of week
/// `SUN`-`SAT` (case-insensitive, also inside ranges); Sunday is 0 or 7. The macros `@yearly`
/// (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`) and `@hourly` are accepted.
///
/// As in Vixie cron, when both day-of-month and day-of-week are restricted (neither starts with
/// `*`), a day matches when *either* matches; otherwise both must.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public let source: String
    let seconds: Set<Int>
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday ... 6 = Saturday (7 is folded into 0).
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool
    /// A fixed hour (not `*`): such a schedule fires once on a fall-back night, while an `*` hour
    /// schedule keeps following real time through the repeated hour.
    let hourRestricted: Bool
    /// True for 6-field expressions: ticks can be a second apart.
    public let hasSeconds: Bool

    public var description: String { source }

    /// Parses `text`.
    ///
    /// - Throws: ``CronParseError`` naming the field and the part that is wrong.
    public init(_ text: String) throws(CronParseError) {
        source = text
        var fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        if fields.count == 1, fields[0].hasPrefix("@") {
            guard let expanded = Self.macros[fields[0].lowercased()] else {
                throw CronParseError(field: nil, message: "unknown macro \(fields[0]); use @yearly, @monthly, @weekly, @daily or @hourly")
            }
            fields = expanded.split(separator: " ").map(String.init)
        }
        guard fields.count == 5 || fields.count == 6 else {
            throw CronParseError(
                field: nil,
                message: "expected 5 fields (minute hour day-of-month month day-of-week) or 6 with leading seconds, got \(fields.count)")
        }
        hasSeconds = fields.count == 6
        if !hasSeconds { fields.insert("0", at: 0) }
        seconds = try Self.parseField(fields[0], .second)
        minutes = try Self.parseField(fields[1], .minute)
        hours = try Self.parseField(fields[2], .hour)
        daysOfMonth = try Self.parseField(fields[3], .dayOfMonth)
        months = try Self.parseField(fields[4], .month)
        daysOfWeek = Set(try Self.parseField(fields[5], .dayOfWeek).map { $0 % 7 })
        dayOfMonthRestricted = !fields[3].hasPrefix("*")
        dayOfWeekRestricted = !fields[5].hasPrefix("*")
        hourRestricted = !fields[2].hasPrefix("*")
    }

    // MARK: Next fire time

    /// The first fire time strictly after `date`, in `timeZone`'s wall-clock time, or `nil` when
    /// none exists within eight years (for example `0 0 30 2 *`, February 30th).
    ///
    /// Daylight saving time: a wall time that does not exist on a spring-forward day (02:30 when
    /// clocks jump from 02:00 to 03:00) is skipped that day; a wall time that occurs twice on a
    /// fall-back day fires once, at its first occurrence, when the hour field is fixed (as in Vixie
    /// cron; an `*` hour schedule such as `0 * * * *` follows real time and fires in both passes).
    public func next(after date: Date, in timeZone: TimeZone = TimeZone(secondsFromGMT: 0)!) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let step: TimeInterval = hasSeconds ? 1 : 60
        // The next whole second (or minute) strictly after `date`.
        var candidate = Date(timeIntervalSince1970: (date.timeIntervalSince1970 / step).rounded(.down) * step + step)
        if !hasSeconds {
            // Align to the wall-clock minute (zones with second offsets are historical only, but be exact).
            let second = calendar.component(.second, from: candidate)
            if second != 0 { candidate = candidate.addingTimeInterval(TimeInterval(60 - second)) }
        }
        let limitYear = calendar.component(.year, from: date) + 8
        while true {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: candidate)
            guard let year = parts.year, year <= limitYear, let month = parts.month, let day = parts.day, let hour = parts.hour,
                let minute = parts.minute, let second = parts.second, let weekday = parts.weekday
            else { return nil }
            if !months.contains(month) {
                guard let next = calendar.dateInterval(of: .month, for: candidate)?.end else { return nil }
                candidate = next
            } else if !dayMatches(day: day, weekday: weekday - 1) {
                guard let next = calendar.dateInterval(of: .day, for: candidate)?.end else { return nil }
                candidate = next
            } else if !hours.contains(hour) {
                guard let next = calendar.dateInterval(of: .hour, for: candidate)?.end else { return nil }
                candidate = next
            } else if !minutes.contains(minute) {
                guard let next = calendar.dateInterval(of: .minute, for: candidate)?.end else { return nil }
                candidate = next
            } else if !seconds.contains(second) {
                candidate = candidate.addingTimeInterval(1)
            } else if hourRestricted && isRepeatedWallTime(candidate, timeZone: timeZone) {
                candidate = candidate.addingTimeInterval(step)
            } else {
                return candidate
            }
        }
    }

    /// True when `date`'s wall time already happened earlier the same night (the second pass
    /// through a fall-back hour).
    private func isRepeatedWallTime(_ date: Date, timeZone: TimeZone) -> Bool {
        let offset = timeZone.secondsFromGMT(for: date)
        let earlierOffset = timeZone.secondsFromGMT(for: date.addingTimeInterval(-3 * 3600))
        guard earlierOffset > offset else { return false }
        // The same wall time under the earlier, larger offset.
        let twin = date.addingTimeInterval(-TimeInterval(earlierOffset - offset))
        return timeZone.secondsFromGMT(for: twin) == earlierOffset
    }

    func dayMatches(day: Int, weekday: Int) -> Bool {
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }

    // MARK: Parsing

    enum Field: String, Sendable {
        case second, minute, hour
        case dayOfMonth = "day-of-month"
        case month
        case dayOfWeek = "day-of-week"

        var range: ClosedRange<Int> {
            switch self {
            case .second, .minute: 0...59
            case .hour: 0...23
            case .dayOfMonth: 1...31
            case .month: 1...12
            case .dayOfWeek: 0...7
            }
        }

        var names: [String: Int] {
            switch self {
            case .month:
                ["JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12]
            case .dayOfWeek: ["SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6]
            default: [:]
            }
        }
    }

    static let macros: [String: String] = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]

    static func parseField(_ text: String, _ field: Field) throws(CronParseError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !part.isEmpty else { throw CronParseError(field: field.rawValue, message: "empty list item in '\(text)'") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2 else { throw CronParseError(field: field.rawValue, message: "'\(part)' has more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else {
                    throw CronParseError(field: field.rawValue, message: "step '\(pieces[1])' in '\(part)' must be a positive integer")
                }
                step = value
            }
            let base = pieces[0]
            let lower: Int
            let upper: Int
            if base == "*" {
                (lower, upper) = (field.range.lowerBound, field.range.upperBound)
            } else if let dash = base.firstIndex(of: "-") {
                lower = try value(String(base[..<dash]), field, in: part)
                upper = try value(String(base[base.index(after: dash)...]), field, in: part)
                guard lower <= upper else {
                    throw CronParseError(field: field.rawValue, message: "range '\(base)' runs backwards (\(lower) > \(upper))")
                }
            } else {
                lower = try value(base, field, in: part)
                // `a/n` means from a to the end of the field's range.
                upper = pieces.count == 2 ? field.range.upperBound : lower
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    static func value(_ text: String, _ field: Field, in part: String) throws(CronParseError) -> Int {
        if let number = Int(text) {
            guard field.range.contains(number) else {
                throw CronParseError(
                    field: field.rawValue, message: "\(number) is out of range \(field.range.lowerBound)-\(field.range.upperBound)")
            }
            return number
        }
        if let named = field.names[text.uppercased()] { return named }
        if text.isEmpty { throw CronParseError(field: field.rawValue, message: "missing value in '\(part)'") }
        let hint = field.names.isEmpty ? "" : " or a name like \(field == .month ? "JAN" : "MON")"
        throw CronParseError(field: field.rawValue, message: "'\(text)' is not a number\(hint)")
    }
}

/// A cron expression that cannot be parsed; the message names the field and the offending part.
public struct CronParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `minute`, `hour`, `day-of-month`, `month`, `day-of-week` or `second`; `nil` for the whole expression.
    public var field: String?
    public var message: String

    public init(field: String?, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.map { "\($0) field: \(message)" } ?? message }
}
