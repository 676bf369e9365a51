import Foundation
import Synchronization

/// Code that runs around every handler, before every enqueue and after every finished attempt.
///
/// Implement the hooks you need; the others do nothing. Middleware added first is outermost: its
/// ``run(_:next:)`` starts first and ends last, and its ``enqueue(_:)`` and ``finished(_:)`` are
/// called first. The built-in metrics and per-job log line are middleware too
/// (``JobMetricsMiddleware``, ``JobLogMiddleware``), installed first by default.
///
/// ```swift
/// struct Audit: JobMiddleware {
///     func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
///         context.logger.debug("starting")
///         try await next(context)
///     }
/// }
/// ```
public protocol JobMiddleware: Sendable {
    /// Runs before a job is stored, on the producer's node (code, HTTP, cron); may change the job
    /// (add to its payload) or throw to refuse it. Called for each job of a batch, in order.
    func enqueue(_ job: inout NewJob) async throws

    /// Runs around the handler: call `next` (with this context or a changed one) to go on, or throw
    /// (``JobError``, ``JobSnooze``) to end the attempt as that error does.
    func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws

    /// Called once per attempt after the store has ruled on it, with its outcome (`done`,
    /// `retried`, `snoozed`, ..., or `lost_lease`). Called from the pool's tasks: return quickly.
    func finished(_ attempt: FinishedAttempt)
}

extension JobMiddleware {
    public func enqueue(_ job: inout NewJob) async throws {}

    public func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
        try await next(context)
    }

    public func finished(_ attempt: FinishedAttempt) {}
}

/// The ordered middleware of a node, shared by its queue client (``JobMiddleware/enqueue(_:)``)
/// and its worker pool (``JobMiddleware/run(_:next:)``, ``JobMiddleware/finished(_:)``).
/// Add middleware before the node runs; a running pool keeps the list it started with.
public final class JobMiddlewareStack: Sendable {
    private let list: Mutex<[any JobMiddleware]>

    public init(_ middleware: [any JobMiddleware] = []) {
        self.list = Mutex(middleware)
    }

    /// Appends `middleware`: it runs inside (after) everything added before it.
    public func add(_ middleware: any JobMiddleware) {
        list.withLock { $0.append(middleware) }
    }

    /// Puts `middleware` in the place of the first middleware of its type, or appends it when
    /// there is none: how a built-in middleware is configured
    /// (`replace(with: JobTracingMiddleware(propagation: .child))`) without running it twice.
    public func replace<M: JobMiddleware>(with middleware: M) {
        list.withLock { list in
            if let index = list.firstIndex(where: { $0 is M }) { list[index] = middleware } else { list.append(middleware) }
        }
    }

    /// The middleware, outermost first.
    public var all: [any JobMiddleware] { list.withLock { $0 } }

    /// Runs every ``JobMiddleware/enqueue(_:)`` hook on `job`, in order.
    func prepare(_ job: inout NewJob) async throws {
        for middleware in all { try await middleware.enqueue(&job) }
    }
}

extension Array where Element == any JobMiddleware {
    /// `handler` wrapped in these middleware, the first outermost.
    func wrapping(_ handler: @escaping ContextHandler) -> ContextHandler {
        var next: ContextHandler = handler
        for middleware in reversed() {
            let inner = next
            next = { context in try await middleware.run(context) { try await inner($0) } }
        }
        return next
    }
}
