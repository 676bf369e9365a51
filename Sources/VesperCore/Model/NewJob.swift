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
    /// Identifies the request behind an idempotency key: the same key with another fingerprint is a conflict.
    public var fingerprint: String

    public init(
        id: UUID = TimeOrderedID.make(),
        type: String,
        queue: String = "default",
        priority: Int = 0,
        payloadJSON: String = "{}",
        maxRetries: Int,
        runAt: Date? = nil,
        timeoutSeconds: Double,
        idempotencyKey: String? = nil,
        fingerprint: String? = nil
    ) {
        self.id = id
        self.type = type
        self.queue = queue
        self.priority = priority
        self.payloadJSON = payloadJSON
        self.maxRetries = maxRetries
        self.runAt = runAt
        self.timeoutSeconds = timeoutSeconds
        self.idempotencyKey = idempotencyKey
        self.fingerprint =
            fingerprint ?? Self.fingerprint(
                type: type, queue: queue, priority: priority, payloadJSON: payloadJSON, maxRetries: maxRetries
            )
    }

    /// A stable digest of the fields that make two requests "the same request".
    public static func fingerprint(type: String, queue: String, priority: Int, payloadJSON: String, maxRetries: Int) -> String {
        var hasher = FNV1a64()
        for part in [type, queue, String(priority), String(maxRetries), payloadJSON] {
            hasher.combine(part)
            hasher.combine("\u{1F}")
        }
        return hasher.hexDigest
    }
}

/// 64-bit FNV-1a: a stable (process-independent) hash for request fingerprints.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ string: String) {
        for byte in string.utf8 {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01B3
        }
    }

    var hexDigest: String {
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
