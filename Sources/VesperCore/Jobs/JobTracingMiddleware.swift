import Foundation
import Tracing

/// Built-in middleware: runs every attempt in a consumer span of the tracer the application
/// bootstrapped (swift-distributed-tracing; without one, spans cost next to nothing), named after the
/// job type and recording the job's id, type, queue and attempt, and the error an attempt ends with.
/// The handler runs with the span's `ServiceContext`, so its own spans and traced calls are children.
///
/// A snooze is not an error: the span records `vesper.job.snoozed_seconds` instead. Exporting spans
/// (swift-otel, for example) is the application's choice.
public struct JobTracingMiddleware: JobMiddleware {
    private let tracer: (any Tracer)?

    /// Traces with `tracer`, or with `InstrumentationSystem.tracer` (read per attempt) when `nil`.
    public init(tracer: (any Tracer)? = nil) {
        self.tracer = tracer
    }

    public func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
        let tracer = self.tracer ?? InstrumentationSystem.tracer
        let span = tracer.startSpan(context.type, ofKind: .consumer)
        defer { span.end() }
        span.attributes[SpanKey.jobID] = context.id.lowercaseText
        span.attributes[SpanKey.jobType] = context.type
        span.attributes[SpanKey.queue] = context.queue
        span.attributes[SpanKey.attempt] = context.attempt
        do {
            try await ServiceContext.withValue(span.context) { try await next(context) }
        } catch let snooze as JobSnooze {
            span.attributes[SpanKey.snoozedSeconds] = snooze.delay.secondsDouble
            throw snooze
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Span attribute names, with the same prefix as the log metadata keys.
    public enum SpanKey {
        public static let jobID = "vesper.job.id"
        public static let jobType = "vesper.job.type"
        public static let queue = "vesper.job.queue"
        public static let attempt = "vesper.job.attempt"
        public static let snoozedSeconds = "vesper.job.snoozed_seconds"
    }
}
