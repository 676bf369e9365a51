import Foundation
import Logging

/// The business logic for a job. Throw ``JobError/permanent(_:)`` to fail without retries; any
/// other error is retried with backoff. Handlers should be idempotent: delivery is at-least-once.
public typealias JobHandler = @Sendable (Job) async throws -> Void

/// A handler that receives the attempt's ``JobContext`` (the job is ``JobContext/job``): the form
/// every handler takes inside the pool, and the one middleware wraps.
public typealias ContextHandler = @Sendable (JobContext) async throws -> Void

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

    /// Runs `handler` with the attempt's context for jobs of `type`, retried with `retryPolicy`
    /// (`nil`: the pool's).
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
