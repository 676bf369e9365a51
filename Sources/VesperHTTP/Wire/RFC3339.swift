import Foundation

/// RFC 3339 times in UTC, as every timestamp in the API is written.
enum RFC3339 {
    static func format(_ date: Date) -> String {
        date.formatted(formatStyle)
    }

    static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: formatStyle) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false))
    }

    private static let formatStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}
