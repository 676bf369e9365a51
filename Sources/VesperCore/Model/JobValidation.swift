/// Limits a new job must respect.
public struct JobLimits: Sendable {
    /// Largest payload, in bytes of JSON. Defaults to 1 MiB.
    public var maxPayloadBytes: Int = 1 << 20
    /// Longest idempotency key, in bytes. Defaults to 255.
    public var maxIdempotencyKeyBytes: Int = 255
    /// Highest `max_retries`. Defaults to 100.
    public var maxRetriesCeiling: Int = 100

    public init() {}

    /// Valid priorities.
    public static let priorities: ClosedRange<Int> = 0...10
}

extension NewJob {
    /// Checks every field a producer controls, naming the first one that is wrong.
    public func validate(limits: JobLimits = JobLimits()) throws(ValidationError) {
        try Self.validateName(type, field: "type")
        try Self.validateName(queue, field: "queue")
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
        guard timeoutSeconds > 0, timeoutSeconds <= 7 * 24 * 3600 else {
            throw ValidationError(field: "timeout_seconds", message: "timeout_seconds must be greater than 0 and at most 604800")
        }
        if let key = idempotencyKey {
            guard !key.isEmpty, key.utf8.count <= limits.maxIdempotencyKeyBytes else {
                throw ValidationError(
                    field: "idempotency_key",
                    message: "idempotency key must be 1 to \(limits.maxIdempotencyKeyBytes) bytes, got \(key.utf8.count)"
                )
            }
        }
    }

    /// Type and queue names: 1-128 characters of `[A-Za-z0-9_.:-]`.
    static func validateName(_ name: String, field: String) throws(ValidationError) {
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
