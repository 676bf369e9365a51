import Logging

/// The business logic for a job. Throw ``JobError/permanent(_:)`` to fail without retries; any
/// other error is retried with backoff. Handlers should be idempotent: delivery is at-least-once.
public typealias JobHandler = @Sendable (Job) async throws -> Void

/// Which handler runs which job type on this node.
public struct HandlerRegistry: Sendable {
    private var handlers: [String: JobHandler] = [:]
    private var fallback: JobHandler?

    public init() {}

    /// Runs `handler` for jobs of `type`.
    public mutating func register(_ type: String, handler: @escaping JobHandler) {
        handlers[type] = handler
    }

    /// Runs `handler` for every type that has no handler of its own.
    public mutating func registerFallback(_ handler: @escaping JobHandler) {
        fallback = handler
    }

    /// The handler for `type`, if this node has one.
    public func handler(for type: String) -> JobHandler? {
        handlers[type] ?? fallback
    }

    /// The types with a handler of their own (not the catch-all).
    public var registeredTypes: Dictionary<String, JobHandler>.Keys { handlers.keys }

    /// True when nothing is registered.
    public var isEmpty: Bool { handlers.isEmpty && fallback == nil }

    /// The types a claim should be limited to: `nil` (any) when a catch-all consumer is registered.
    public var claimableTypes: [String]? {
        fallback == nil ? handlers.keys.sorted() : nil
    }
}
