import Foundation

/// How far a running job says it got: a percentage and a short message, as its handler last
/// reported them through ``JobProgressReporter/report(percent:message:)``.
public struct JobProgress: Sendable, Equatable, Codable {
    /// 0-100.
    public var percent: Int
    /// At most ``maxMessageBytes`` bytes of UTF-8.
    public var message: String
    /// When the handler reported it (the node's clock).
    public var updatedAt: Date
    /// The attempt that reported it: progress of an earlier attempt is not shown for a later one.
    public var attempt: Int

    /// Messages are cut to this many bytes: progress rides on every lease extension.
    public static let maxMessageBytes = 256

    /// Clamps `percent` to 0-100 and cuts `message` to ``maxMessageBytes`` (on a character boundary).
    public init(percent: Int, message: String, updatedAt: Date, attempt: Int) {
        self.percent = min(100, max(0, percent))
        var message = message
        while message.utf8.count > Self.maxMessageBytes { message.removeLast() }
        self.message = message
        self.updatedAt = updatedAt
        self.attempt = attempt
    }

    private enum CodingKeys: String, CodingKey {
        case percent, message, attempt
        case updatedAt = "updated_at_us"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            percent: try container.decode(Int.self, forKey: .percent), message: try container.decode(String.self, forKey: .message),
            updatedAt: Date(timeIntervalSince1970: Double(try container.decode(Int64.self, forKey: .updatedAt)) / 1_000_000),
            attempt: try container.decode(Int.self, forKey: .attempt))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(percent, forKey: .percent)
        try container.encode(message, forKey: .message)
        try container.encode(Int64((updatedAt.timeIntervalSince1970 * 1_000_000).rounded()), forKey: .updatedAt)
        try container.encode(attempt, forKey: .attempt)
    }

    /// The stored form (a JSON text; times in microseconds since 1970), the same in both stores.
    public var storedText: String {
        // Encoding a struct of an int, a string and a date cannot fail.
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Reads the stored form; `nil` for a missing or unreadable value (progress is advisory).
    public static func fromStored(_ text: String?) -> JobProgress? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(JobProgress.self, from: Data(text.utf8))
    }
}
