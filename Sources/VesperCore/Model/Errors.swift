/// A field a producer sent is not acceptable. Rendered as HTTP 400 naming the field.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}

/// Errors of the queue's own operations, with an opaque code that the HTTP layer maps to a status.
public struct VesperError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }
        /// No such job.
        public static let notFound = Code(raw: "not_found")
        /// The job is in a state that does not allow the operation.
        public static let invalidState = Code(raw: "invalid_state")
        /// The idempotency key was used before for a different request.
        public static let idempotencyConflict = Code(raw: "idempotency_conflict")
        /// The database did not answer.
        public static let unavailable = Code(raw: "database_unavailable")
        /// The node is shutting down and takes no new work.
        public static let shuttingDown = Code(raw: "shutting_down")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public static func notFound(_ id: String) -> VesperError { VesperError(.notFound, "no job with id \(id)") }
}

/// What a handler throws to say "do not retry this": the job goes straight to `failed`.
///
/// Any other error is retryable: the job is retried with backoff until `max_retries` is used up,
/// then parked in the dead-letter queue.
public struct JobError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var isRetryable: Bool

    /// A permanent failure: no further attempts.
    public static func permanent(_ message: String) -> JobError { JobError(message: message, isRetryable: false) }
    /// A transient failure: retried with backoff.
    public static func retryable(_ message: String) -> JobError { JobError(message: message, isRetryable: true) }

    public var description: String { message }
}
