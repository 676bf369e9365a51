import Foundation

/// Limits a new job must respect.
public struct JobLimits: Sendable {
    /// Largest payload, in bytes of JSON. Defaults to 1 MiB.
    public var maxPayloadBytes: Int = 1 << 20
    /// Longest idempotency key, in bytes. Defaults to 255.
    public var maxIdempotencyKeyBytes: Int = 255
    /// Longest partition key, in bytes. Defaults to 255.
    public var maxPartitionBytes: Int = 255
    /// Highest `max_retries`. Defaults to 100.
    public var maxRetriesCeiling: Int = 100

    public init() {}

    /// Valid priorities.
    public static let priorities: ClosedRange<Int> = 0...10

    /// Times Vesper stores and accepts as filters: 1970-01-01T00:00:00Z through
    /// 9999-12-31T23:59:59.999999Z. Both stores hold these exactly (microseconds), and RFC 3339's
    /// four-digit years can write them.
    public static let timestamps: ClosedRange<Date> = Date(timeIntervalSince1970: 0)...Date(timeIntervalSince1970: 253_402_300_799.999_999)

    /// Valid `timeout_seconds`: from a millisecond (what the stores keep) to 7 days.
    public static let timeoutSeconds: ClosedRange<Double> = 0.001...604_800

    /// The text that names ``timestamps`` in errors.
    public static let timestampsText = "between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z"
}

extension NewJob {
    /// Checks every field a producer controls, naming the first one that is wrong.
    public func validate(limits: JobLimits = JobLimits()) throws(ValidationError) {
        try Self.validateName(type, field: "type")
        try Self.validateName(queue, field: "queue")
        if let region {
            try Self.validateName(region, field: "region")
        } else if regionStrict {
            throw ValidationError(field: "region_strict", message: "region_strict needs a region: name the region the job must run in")
        }
        guard JobLimits.priorities.contains(priority) else {
            throw ValidationError(field: "priority", message: "priority must be an integer from 0 to 10, got \(priority)")
        }
        guard payloadJSON.utf8.count <= limits.maxPayloadBytes else {
            throw ValidationError(
                field: "payload",
                message: "payload is \(payloadJSON.utf8.count) bytes, more than the limit of \(limits.maxPayloadBytes)"
            )
        }
        guard (0...limits.maxRetriesCeiling).contains(maxRetries) else {
            throw ValidationError(
                field: "max_retries", message: "max_retries must be an integer from 0 to \(limits.maxRetriesCeiling), got \(maxRetries)")
        }
        guard JobLimits.timeoutSeconds.contains(timeoutSeconds) else {
            throw ValidationError(field: "timeout_seconds", message: "timeout_seconds must be from 0.001 to 604800, got \(timeoutSeconds)")
        }
        if let runAt, !JobLimits.timestamps.contains(runAt) {
            throw ValidationError(field: "run_at", message: "run_at must be \(JobLimits.timestampsText)")
        }
        if let partition { try Self.validatePartition(partition, maxBytes: limits.maxPartitionBytes) }
        try validateUnique()
        if let key = idempotencyKey {
            guard !key.isEmpty, key.utf8.count <= limits.maxIdempotencyKeyBytes else {
                throw ValidationError(
                    field: "idempotency_key",
                    message: "idempotency key must be 1 to \(limits.maxIdempotencyKeyBytes) bytes, got \(key.utf8.count)"
                )
            }
            // PostgreSQL's text cannot hold U+0000 and SQLite's C API would cut the key there:
            // refuse it rather than store a different key than the one sent.
            guard !key.utf8.contains(0) else {
                throw ValidationError(field: "idempotency_key", message: "idempotency key must not contain the NUL character (U+0000)")
            }
        }
        try concurrency?.validate()
    }

    /// A partition key: 1 to `maxBytes` bytes of UTF-8 without control characters (U+0000-U+001F,
    /// U+007F), so it prints on one line and both stores keep it exactly. Also applied to the
    /// `partition` filter of a listing.
    public static func validatePartition(_ key: String, maxBytes: Int = JobLimits().maxPartitionBytes) throws(ValidationError) {
        guard !key.isEmpty, key.utf8.count <= maxBytes else {
            throw ValidationError(field: "partition", message: "partition must be 1 to \(maxBytes) bytes, got \(key.utf8.count)")
        }
        guard !key.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw ValidationError(field: "partition", message: "partition must not contain control characters")
        }
    }

    /// Type and queue names: 1-128 characters of `[A-Za-z0-9_.:-]`. Also applied to the `type`
    /// and `queue` filters of a listing, so a filter no job could match is an error, not an empty page.
    public static func validateName(_ name: String, field: String) throws(ValidationError) {
        guard !name.isEmpty, name.utf8.count <= 128 else {
            throw ValidationError(field: field, message: "\(field) must be 1 to 128 characters, got \(name.utf8.count)")
        }
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                throw ValidationError(field: field, message: "\(field) may only contain letters, digits and _ . : -")
            }
        }
    }
}
