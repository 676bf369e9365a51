import Foundation

/// Parses durations written like Go's: `5s`, `250ms`, `1m30s`, `2h`, `1.5s`, `100us`, `0`, plus days: `7d`, `1d12h`.
///
/// Every duration that enters Vesper (a job's `delay`, configuration, CLI flags) goes through here,
/// so the range is checked once: at most ``maximum`` (100 years); anything longer, negative or not
/// a number is `nil`.
public enum DurationParser {
    /// The longest duration accepted: 36,500 days.
    public static let maximum: Duration = .seconds(36_500 * 86_400)

    /// How ``maximum`` is written in error messages.
    public static let maximumText = "36500d"

    public static func parse(_ text: String) -> Duration? {
        let input = text.trimmingCharacters(in: .whitespaces)
        if input == "0" { return .zero }
        guard !input.isEmpty else { return nil }
        var total: Double = 0
        var rest = Substring(input)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, number.count <= 30, let value = Double(number), value.isFinite else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            guard let scale = unitSeconds[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        // Checked before any conversion to `Duration`, which traps past 2^63 nanoseconds.
        guard total.isFinite, total <= Double(maximum.components.seconds) else { return nil }
        return .secondsDouble(total)
    }

    private static let unitSeconds: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400,
    ]
}
