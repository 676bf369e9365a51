import Foundation
import Tracing

/// Built-in middleware: carries the producer's trace context with each job and runs every attempt
/// in a consumer span of the tracer the application bootstrapped (swift-distributed-tracing;
/// without one, nothing is stored and spans cost next to nothing).
///
/// - On enqueue, the current `ServiceContext` (the span the producer is in) is injected with the
///   tracer's propagator into the job's ``NewJob/traceContext``, unless the job already carries one
///   (`POST /jobs` sets it from the request's `traceparent`/`tracestate` headers).
/// - Every attempt runs in a `consumer` span named after the job type, recording the job's id,
///   type, queue and attempt, and the error an attempt ends with. The stored context is extracted
///   and, per ``Propagation``, becomes a link of the span (the default) or its parent. The handler
///   runs with the span's `ServiceContext`, so its own spans and traced calls are children.
///
/// A snooze is not an error: the span records `vesper.job.snoozed_seconds` instead. Exporting spans
/// (swift-otel, for example) is the application's choice.
public struct JobTracingMiddleware: JobMiddleware {
    private let tracer: (any Tracer)?
    private let propagation: Propagation

    /// How an attempt's span relates to the producer's span.
    public struct Propagation: Sendable, Hashable {
        enum Kind { case link, child }
        let kind: Kind

        /// Each attempt starts a trace of its own whose span links to the producer's span (the
        /// OpenTelemetry messaging convention, and what Sidekiq's and Oban's instrumentations do by
        /// default): a job retried for hours does not stretch the request's trace.
        public static let link = Propagation(kind: .link)
        /// Each attempt's span is a child of the producer's span, in the producer's trace.
        public static let child = Propagation(kind: .child)
    }

    /// Traces with `tracer`, or with `InstrumentationSystem.tracer` (read per call) when `nil`.
    public init(tracer: (any Tracer)? = nil, propagation: Propagation = .link) {
        self.tracer = tracer
        self.propagation = propagation
    }

    public func enqueue(_ job: inout NewJob) async throws {
        guard job.traceContext == nil else { return }
        // `current` reads the bootstrapped instrument only when there is a context to inject.
        job.traceContext = JobTraceContext.current(instrument: tracer)
    }

    public func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
        let tracer = self.tracer ?? InstrumentationSystem.tracer
        // Without a bootstrapped tracer every span is a no-op: skip building its attributes.
        if tracer is NoOpTracer { return try await next(context) }
        let base = ServiceContext.current ?? .topLevel
        var parent = base
        var link: ServiceContext?
        if let stored = context.job.traceContext {
            var producer = propagation == .child ? base : ServiceContext.topLevel
            tracer.extract(stored.fields, into: &producer, using: JobTraceContextExtractor())
            if propagation == .child { parent = producer } else if !producer.isEmpty { link = producer }
        }
        let span = tracer.startSpan(context.type, context: parent, ofKind: .consumer)
        defer { span.end() }
        if let link { span.addLink(SpanLink(context: link, attributes: [:])) }
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
