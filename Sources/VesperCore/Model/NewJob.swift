import Foundation

/// What a producer asks for: a job to create.
///
/// Build one with ``init(type:queue:priority:payloadJSON:maxRetries:runAt:timeoutSeconds:idempotencyKey:)``
/// and check it with ``validate(limits:)`` before handing it to a store.
public struct NewJob: Sendable, Equatable {
    public var id: UUID
    public var type: String
    public var queue: String
    public var priority: Int
    /// A JSON text.
    public var payloadJSON: String
    public var maxRetries: Int
    /// Not before this time; `nil` means now.
    public var runAt: Date?
    public var timeoutSeconds: Double
    public var idempotencyKey: String?
    /// The tenant whose fair share this job counts against, or `nil`. Within a queue, partitions
    /// are claimed in turn at each priority, so one tenant's backlog cannot starve the others.
    /// Not part of ``fingerprint``.
    public var partition: String?
    /// Identifies the request behind an idempotency key: the same key with another fingerprint is a conflict.
    public var fingerprint: String
    /// The producer's trace context, carried to the attempts' spans; `nil` when there is none
    /// (``JobTracingMiddleware`` fills it on enqueue). Not part of ``fingerprint``.
    public var traceContext: JobTraceContext?
    /// Only nodes of this region (`REGION`) run the job; `nil` (the default) lets any node run it.
    /// Part of ``fingerprint`` when set.
    public var region: String?
    /// With ``region``: the job waits for its region even when `REGION_FAILOVER_AFTER` would let
    /// another region take it (data that must stay where it lives).
    public var regionStrict: Bool
    /// A fleet-wide cap on jobs of one key leased at once (see ``JobConcurrency``); `nil` for most
    /// jobs. Not part of ``fingerprint``.
    public var concurrency: JobConcurrency?
    /// Makes the job unique while a job with the same key is in the given states (see
    /// ``UniqueConstraint``); `nil` for most jobs. Not part of ``fingerprint``.
    public var unique: UniqueConstraint?

    /// The named queue of a job that names none.
    public static let defaultQueue = "default"

    public init(
        id: UUID = TimeOrderedID.make(),
        type: String,
        queue: String = NewJob.defaultQueue,
        priority: Int = 0,
        payloadJSON: String = "{}",
        maxRetries: Int,
        runAt: Date? = nil,
        timeoutSeconds: Double,
        idempotencyKey: String? = nil,
        fingerprint: String? = nil,
        traceContext: JobTraceContext? = nil,
        region: String? = nil,
        regionStrict: Bool = false,
        partition: String? = nil,
        unique: UniqueConstraint? = nil
    ) {
        self.unique = unique
        self.id = id
        self.type = type
        self.queue = queue
        self.priority = priority
        self.payloadJSON = payloadJSON
        self.maxRetries = maxRetries
        self.runAt = runAt
        self.timeoutSeconds = timeoutSeconds
        self.idempotencyKey = idempotencyKey
        self.traceContext = traceContext
        self.region = region
        self.regionStrict = regionStrict
        self.partition = partition
        self.fingerprint =
            fingerprint ?? Self.fingerprint(
                type: type, queue: queue, priority: priority, payloadJSON: payloadJSON, maxRetries: maxRetries,
                region: region, regionStrict: regionStrict
            )
    }

    /// A stable digest of the fields that make two requests "the same request".
    ///
    /// FNV-1a over `type, queue, priority, maxRetries, payloadJSON`, each in its text form and
    /// followed by U+001F, as 16 lowercase hex digits. Stored with every job, so the digest of a
    /// given request must never change. It is computed for every new job, so it hashes the
    /// integers' decimal digits in place instead of building strings (it was ~0.5 µs per job).
    /// A routed job adds its region (and `!` when strict) after the payload, so the digest of a
    /// job without a region is what it always was.
    public static func fingerprint(
        type: String, queue: String, priority: Int, payloadJSON: String, maxRetries: Int, region: String? = nil,
        regionStrict: Bool = false
    ) -> String {
        var hasher = FNV1a64()
        hasher.combine(type)
        hasher.combineSeparator()
        hasher.combine(queue)
        hasher.combineSeparator()
        hasher.combine(decimal: priority)
        hasher.combineSeparator()
        hasher.combine(decimal: maxRetries)
        hasher.combineSeparator()
        hasher.combine(payloadJSON)
        hasher.combineSeparator()
        if let region {
            hasher.combine(region)
            if regionStrict { hasher.combine(UInt8(ascii: "!")) }
            hasher.combineSeparator()
        }
        return hasher.hexDigest
    }
}

/// 64-bit FNV-1a: a stable (process-independent) hash for request fingerprints.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    /// A hasher starting from another offset basis, for a second, independent 64 bits.
    init(seed: UInt64) { value = seed }

    mutating func combine(_ string: String) {
        for byte in string.utf8 { combine(byte) }
    }

    mutating func combine(_ byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01B3
    }

    /// The field separator, U+001F (one UTF-8 byte).
    mutating func combineSeparator() { combine(0x1F) }

    /// The bytes of `String(number)` (an optional `-`, then decimal digits), without building it.
    mutating func combine(decimal number: Int) {
        if number < 0 { combine(UInt8(ascii: "-")) }
        let magnitude = number.magnitude
        var divisor: UInt = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            combine(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// The value as 16 lowercase hex digits, zero-padded.
    var hexDigest: String {
        let value = self.value
        return String(unsafeUninitializedCapacity: 16) { output in
            for index in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> (60 - 4 * index)) & 0x0F
                output[index] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
            }
            return 16
        }
    }
}
