import Foundation

/// A job's payload as a Swift type, tied to its type name and its defaults.
///
/// ```swift
/// struct SendEmail: VesperJob {
///     static let type = "send_email"
///     var to: String
/// }
/// ```
///
/// The value is the job's JSON payload, so producers in other languages enqueue the same job by
/// posting `{"type": "send_email", "payload": {"to": "..."}}`.
public protocol VesperJob: Codable, Sendable {
    /// The job type stored with every job of this kind; handlers are looked up by it.
    static var type: String { get }
    /// Queue, priority, retries, backoff and timeout of jobs of this kind unless an enqueue says
    /// otherwise. Defaults to ``JobTypeDefaults/init()`` (the node's defaults).
    static var defaults: JobTypeDefaults { get }
}

extension VesperJob {
    public static var defaults: JobTypeDefaults { JobTypeDefaults() }
}

/// Per-type defaults of a ``VesperJob``. A `nil` property falls back to the node's setting.
public struct JobTypeDefaults: Sendable {
    /// The named queue. Defaults to `nil`: `default`.
    public var queue: String?
    /// 0-10, higher runs first. Defaults to `nil`: 0.
    public var priority: Int?
    /// Failed attempts allowed before the dead-letter queue. Defaults to `nil`: `DEFAULT_MAX_RETRIES`.
    public var maxRetries: Int?
    /// How long to wait before each retry; applied by the node that runs the job.
    /// Defaults to `nil`: the node's `RETRY_BASE_DELAY`/`RETRY_MAX_DELAY` policy.
    public var backoff: RetryPolicy?
    /// How long one attempt may run. Defaults to `nil`: `DEFAULT_JOB_TIMEOUT`.
    public var timeout: Duration?

    public init(queue: String? = nil, priority: Int? = nil, maxRetries: Int? = nil, backoff: RetryPolicy? = nil, timeout: Duration? = nil) {
        self.queue = queue
        self.priority = priority
        self.maxRetries = maxRetries
        self.backoff = backoff
        self.timeout = timeout
    }
}
