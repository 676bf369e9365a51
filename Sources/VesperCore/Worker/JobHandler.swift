import Foundation
import Logging
import Synchronization

/// The business logic for a job. Throw ``JobError/permanent(_:)`` to fail without retries; any
/// other error is retried with backoff. Handlers should be idempotent: delivery is at-least-once.
public typealias JobHandler = @Sendable (Job) async throws -> Void

/// A handler that returns the job's result (stored with the job, returned by `GET /jobs/{id}`), or
/// `nil` for none.
public typealias JobResultHandler = @Sendable (Job) async throws -> JobResult?

/// A handler that receives the attempt's ``JobContext`` (the job is ``JobContext/job``): the form
/// every handler takes inside the pool, and the one middleware wraps. A result travels beside it,
/// through ``JobContext/setResult(_:)``, so middleware need not pass it along.
public typealias ContextHandler = @Sendable (JobContext) async throws -> Void

/// A handler's return value as stored: a JSON text.
public struct JobResult: Sendable, Equatable {
    /// The JSON text.
    public var json: String

    /// A result that is already JSON text (not checked: it is stored as given).
    public init(json: String) {
        self.json = json
    }

    /// Encodes `value` as JSON (a top-level number, string or array is fine too).
    public init<Value: Encodable>(encoding value: Value, encoder: JSONEncoder = JSONEncoder()) throws {
        self.json = String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// Which handler runs which job type on this node, and the middleware around them.
public struct HandlerRegistry: Sendable {
    struct Entry: Sendable {
        var handler: ContextHandler
        /// The type's own backoff (``JobTypeDefaults/backoff``); `nil` uses the pool's.
        var retryPolicy: RetryPolicy?
    }

    private var entries: [String: Entry] = [:]
    private var fallback: ContextHandler?
    /// Runs around every handler, the first outermost (see ``JobMiddleware``). Defaults to none.
    public var middleware: [any JobMiddleware] = []

    public init() {}

    /// Runs `handler` for jobs of `type`.
    public mutating func register(_ type: String, handler: @escaping JobHandler) {
        entries[type] = Entry(handler: { try await handler($0.job) }, retryPolicy: nil)
    }

    /// Runs `handler` for jobs of `type` and stores what it returns, JSON-encoded, as the job's
    /// result: `register("resize", returning: Thumbnail.self) { job in ... }`. (The result type is
    /// named so that `register("t") { job in ... }` keeps meaning the form without a result.)
    public mutating func register<Result: Encodable & Sendable>(
        _ type: String, returning: Result.Type, handler: @escaping @Sendable (Job) async throws -> Result
    ) {
        entries[type] = Entry(handler: { context in context.setResult(try JobResult(encoding: try await handler(context.job))) }, retryPolicy: nil)
    }

    /// Runs `handler` for jobs of `type`; a non-`nil` ``JobResult`` is stored as the job's result.
    public mutating func registerResultHandler(_ type: String, handler: @escaping JobResultHandler) {
        entries[type] = Entry(handler: { context in context.setResult(try await handler(context.job)) }, retryPolicy: nil)
    }

    /// Runs `handler` with the attempt's context for jobs of `type`, retried with `retryPolicy`
    /// (`nil`: the pool's). The handler may store a result with ``JobContext/setResult(_:)``.
    public mutating func register(_ type: String, retryPolicy: RetryPolicy? = nil, contextHandler: @escaping ContextHandler) {
        entries[type] = Entry(handler: contextHandler, retryPolicy: retryPolicy)
    }

    /// Runs `handler` for jobs of `J.type` with the payload decoded as `J`, retried with
    /// `J.defaults.backoff`. A payload that does not decode fails the attempt permanently, naming
    /// the field.
    public mutating func register<J: VesperJob>(_ job: J.Type, handler: @escaping @Sendable (J, JobContext) async throws -> Void) {
        register(J.type, retryPolicy: J.defaults.backoff) { context in
            let payload = try PayloadDecodingError.decode(J.self, from: context.job.payload, decoder: JSONDecoder())
            try await handler(payload, context)
        }
    }

    /// Like ``register(_:handler:)-(J.Type,_)``, and stores what `handler` returns, JSON-encoded,
    /// as the job's result.
    public mutating func register<J: VesperJob, Result: Encodable & Sendable>(
        _ job: J.Type, returning: Result.Type, handler: @escaping @Sendable (J, JobContext) async throws -> Result
    ) {
        register(J.type, retryPolicy: J.defaults.backoff) { context in
            let payload = try PayloadDecodingError.decode(J.self, from: context.job.payload, decoder: JSONDecoder())
            context.setResult(try JobResult(encoding: try await handler(payload, context)))
        }
    }

    /// Runs `handler` for every type that has no handler of its own.
    public mutating func registerFallback(_ handler: @escaping JobHandler) {
        fallback = { try await handler($0.job) }
    }

    /// The handler for `type` (without middleware), if this node has one.
    public func handler(for type: String) -> ContextHandler? {
        entries[type]?.handler ?? fallback
    }

    /// The backoff registered for `type`, if it has its own.
    public func retryPolicy(for type: String) -> RetryPolicy? {
        entries[type]?.retryPolicy
    }

    /// The types with a handler of their own (not the catch-all).
    public var registeredTypes: [String] { Array(entries.keys) }

    /// True when nothing is registered.
    public var isEmpty: Bool { entries.isEmpty && fallback == nil }

    /// The types a claim should be limited to: `nil` (any) when a catch-all consumer is registered.
    public var claimableTypes: [String]? {
        fallback == nil ? entries.keys.sorted() : nil
    }

    /// Every handler wrapped in ``middleware``, resolved once when a pool starts.
    func wrapped() -> (handlers: [String: Entry], fallback: ContextHandler?) {
        let handlers = entries.mapValues { Entry(handler: middleware.wrapping($0.handler), retryPolicy: $0.retryPolicy) }
        return (handlers, fallback.map { middleware.wrapping($0) })
    }
}

/// Where an attempt's result waits between the handler and the completion: shared by every copy of
/// the attempt's ``JobContext``, so a middleware that passes on a changed context keeps it.
final class JobResultSlot: Sendable {
    private let value = Mutex<JobResult?>(nil)

    func set(_ result: JobResult?) { value.withLock { $0 = result } }
    func take() -> JobResult? { value.withLock { $0 } }
}
