import Foundation

/// Parses durations written like Go's: `5s`, `250ms`, `1m30s`, `2h`, `1.5s`, `100us`, `0`, plus days: `7d`, `1d12h`.
public enum DurationParser {
    public static func parse(_ text: String) -> Duration? {
        let input = text.trimmingCharacters(in: .whitespaces)
        if input == "0" { return .zero }
        guard !input.isEmpty else { return nil }
        var total: Double = 0
        var rest = Substring(input)
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            guard let scale = unitSeconds[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return .secondsDouble(total)
    }

    private static let unitSeconds: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400,
    ]
}
