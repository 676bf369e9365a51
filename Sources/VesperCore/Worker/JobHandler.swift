import Foundation
import Logging

/// The business logic for a job. Throw ``JobError/permanent(_:)`` to fail without retries; any
/// other error is retried with backoff. Handlers should be idempotent: delivery is at-least-once.
public typealias JobHandler = @Sendable (Job) async throws -> Void

/// A handler that returns the job's result (stored with the job, returned by `GET /jobs/{id}`), or
/// `nil` for none. The form every registered handler is kept in; typed APIs build on it.
public typealias JobResultHandler = @Sendable (Job) async throws -> JobResult?

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

/// Which handler runs which job type on this node.
public struct HandlerRegistry: Sendable {
    private var handlers: [String: JobResultHandler] = [:]
    private var fallback: JobResultHandler?

    public init() {}

    /// Runs `handler` for jobs of `type`.
    public mutating func register(_ type: String, handler: @escaping JobHandler) {
        handlers[type] = Self.withoutResult(handler)
    }

    /// Runs `handler` for jobs of `type` and stores what it returns, JSON-encoded, as the job's
    /// result: `register("resize", returning: Thumbnail.self) { job in ... }`. (The result type is
    /// named so that `register("t") { job in ... }` keeps meaning the form without a result.)
    public mutating func register<Result: Encodable & Sendable>(
        _ type: String, returning: Result.Type, handler: @escaping @Sendable (Job) async throws -> Result
    ) {
        handlers[type] = { job in try JobResult(encoding: try await handler(job)) }
    }

    /// Runs `handler` for jobs of `type`; a non-`nil` ``JobResult`` is stored as the job's result.
    /// The form every handler is kept in, for APIs built on top.
    public mutating func registerResultHandler(_ type: String, handler: @escaping JobResultHandler) {
        handlers[type] = handler
    }

    /// Runs `handler` for every type that has no handler of its own.
    public mutating func registerFallback(_ handler: @escaping JobHandler) {
        fallback = Self.withoutResult(handler)
    }

    /// The handler for `type`, if this node has one.
    public func handler(for type: String) -> JobResultHandler? {
        handlers[type] ?? fallback
    }

    /// The types with a handler of their own (not the catch-all).
    public var registeredTypes: Dictionary<String, JobResultHandler>.Keys { handlers.keys }

    /// True when nothing is registered.
    public var isEmpty: Bool { handlers.isEmpty && fallback == nil }

    /// The types a claim should be limited to: `nil` (any) when a catch-all consumer is registered.
    public var claimableTypes: [String]? {
        fallback == nil ? handlers.keys.sorted() : nil
    }

    private static func withoutResult(_ handler: @escaping JobHandler) -> JobResultHandler {
        { job in
            try await handler(job)
            return nil
        }
    }
}
