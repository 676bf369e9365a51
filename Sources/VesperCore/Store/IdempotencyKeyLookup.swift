import Foundation

/// A store capability: the job stored under an idempotency key, through the key's unique index.
/// The dashboard uses it to find the job a cron tick enqueued (`cron:<name>:<tick>`).
public protocol IdempotencyKeyLookup: Sendable {
    /// The stored job whose idempotency key is `key`, or `nil`.
    func job(idempotencyKey key: String) async throws -> Job?
}
