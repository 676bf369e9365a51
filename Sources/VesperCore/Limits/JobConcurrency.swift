import Foundation

/// A fleet-wide cap carried by a job: at most `limit` jobs with the same `key` (a customer, an
/// account, an API token) are leased at once across every node. Checked by the claim statement
/// itself, so nodes never overshoot it; jobs over the cap wait `pending` without being claimed.
///
/// Jobs sharing a key should carry the same limit; when they differ, each job waits while the
/// key's leased count is at or above its own limit.
public struct JobConcurrency: Sendable, Equatable, Hashable {
    /// The group the limit applies to, e.g. `customer:42`: 1-200 characters, no NUL.
    public var key: String
    /// At most this many jobs of `key` leased at once (1-100,000).
    public var limit: Int

    public init(key: String, limit: Int) {
        self.key = key
        self.limit = limit
    }

    /// The largest accepted limit.
    public static let maximumLimit = 100_000
    /// The longest accepted key, in characters.
    public static let maximumKeyLength = 200

    /// Checks the key and the limit, naming `field` in the error.
    public func validate(field: String = "concurrency") throws(ValidationError) {
        if key.isEmpty || key.count > Self.maximumKeyLength {
            throw ValidationError(field: field + ".key", message: "concurrency key must be 1 to \(Self.maximumKeyLength) characters")
        }
        if key.utf8.contains(0) {
            throw ValidationError(field: field + ".key", message: "concurrency key must not contain NUL characters")
        }
        if limit < 1 || limit > Self.maximumLimit {
            throw ValidationError(field: field + ".limit", message: "concurrency limit must be an integer from 1 to \(Self.maximumLimit)")
        }
    }
}
