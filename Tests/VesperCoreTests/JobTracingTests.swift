import Foundation
import InMemoryTracing
import Logging
import Synchronization
import Testing
import Tracing
import VesperCore
import VesperTestSupport

@Suite("Tracing middleware, with the in-memory tracer")
struct JobTracingTests {
    @Test func everyAttemptRunsInAConsumerSpanThatTheHandlersSpansAreChildrenOf() async throws {
        try await withStore(.sqlite) { store in
            let tracer = InMemoryTracer()
            let job = try await store.add(testJob("traced", maxRetries: 2), now: Date())
            var registry = HandlerRegistry()
            registry.middleware = [JobTracingMiddleware(tracer: tracer)]
            registry.register("traced", contextHandler: { context in
                tracer.startSpan("inside the handler").end()  // the current context is the job's span
                if context.attempt == 1 { throw JobError.retryable("flaky") }
                if context.attempt == 2 { throw JobSnooze(for: .zero) }
            })
            _ = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(job.id, status: .done)
            }
            let spans = tracer.finishedSpans
            let jobSpans = spans.filter { $0.operationName == "traced" }
            #expect(jobSpans.count == 3)
            #expect(jobSpans.allSatisfy { $0.kind == .consumer })
            for (index, span) in jobSpans.enumerated() {
                #expect(span.attributes[JobTracingMiddleware.SpanKey.jobID]?.toSpanAttribute() == .string(job.id.lowercaseText))
                #expect(span.attributes[JobTracingMiddleware.SpanKey.jobType]?.toSpanAttribute() == .string("traced"))
                #expect(span.attributes[JobTracingMiddleware.SpanKey.queue]?.toSpanAttribute() == .string("default"))
                #expect(span.attributes[JobTracingMiddleware.SpanKey.attempt]?.toSpanAttribute() == .int64(Int64(index + 1)))
                #expect(span.links.isEmpty, "a job enqueued outside any span has nothing to link to")
            }
            #expect(jobSpans[0].errors.count == 1, "the failed attempt's error is recorded")
            #expect(jobSpans[0].status?.code == .error)
            #expect(jobSpans[1].errors.isEmpty, "a snooze is not an error")
            #expect(jobSpans[1].attributes[JobTracingMiddleware.SpanKey.snoozedSeconds] != nil)
            #expect(jobSpans[2].errors.isEmpty && jobSpans[2].status == nil)
            let children = spans.filter { $0.operationName == "inside the handler" }
            #expect(children.count == 3)
            #expect(Set(children.compactMap(\.parentSpanID)) == Set(jobSpans.map(\.spanID)))
        }
    }

    /// Enqueues a "traced" job from inside a producer span and runs it to completion with
    /// `propagation`; returns the producer span, the stored job and the attempt's span.
    private func enqueueInASpanAndRun(
        _ propagation: JobTracingMiddleware.Propagation
    ) async throws -> (producer: FinishedInMemorySpan, stored: Job, attempt: FinishedInMemorySpan) {
        try await withStore(.sqlite) { store in
            let tracer = InMemoryTracer()
            let middleware = JobTracingMiddleware(tracer: tracer, propagation: propagation)
            let queue = JobQueue(store: store, middleware: JobMiddlewareStack([middleware]))
            let created = try await tracer.withSpan("checkout", ofKind: .producer) { _ in
                try await queue.enqueueReturningJob(queue.newJob(type: "traced"))
            }
            var registry = HandlerRegistry()
            registry.middleware = [middleware]
            registry.register("traced", contextHandler: { _ in })
            let stored = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(created.id, status: .done)
            }
            let producer = try #require(tracer.finishedSpans.first { $0.operationName == "checkout" })
            let attempt = try #require(tracer.finishedSpans.first { $0.operationName == "traced" })
            return (producer, stored, attempt)
        }
    }

    @Test func aJobEnqueuedInsideASpanCarriesItsContextAndTheAttemptLinksToIt() async throws {
        let (producer, stored, attempt) = try await enqueueInASpanAndRun(.link)
        // What the store holds is what the tracer's propagator injected.
        #expect(stored.traceContext?.fields[InMemoryTracer.traceIDKey] == producer.traceID)
        #expect(stored.traceContext?.fields[InMemoryTracer.spanIDKey] == producer.spanID)
        let link = try #require(attempt.links.first?.context.inMemorySpanContext)
        #expect(attempt.links.count == 1)
        #expect(link.traceID == producer.traceID)
        #expect(link.spanID == producer.spanID)
        #expect(attempt.traceID != producer.traceID, "with links, every attempt starts a trace of its own")
        #expect(attempt.kind == .consumer)
    }

    @Test func withChildPropagationTheAttemptIsAChildOfTheProducersSpan() async throws {
        let (producer, _, attempt) = try await enqueueInASpanAndRun(.child)
        #expect(attempt.traceID == producer.traceID)
        #expect(attempt.parentSpanID == producer.spanID)
        #expect(attempt.links.isEmpty)
    }

    @Test func withoutASpanOrWithoutATracerNothingIsStored() async throws {
        try await withStore(.sqlite) { store in
            let tracer = InMemoryTracer()
            let traced = JobQueue(store: store, middleware: JobMiddlewareStack([JobTracingMiddleware(tracer: tracer)]))
            let outside = try await traced.enqueueReturningJob(traced.newJob(type: "outside-a-span"))
            // The default instrument (no tracer bootstrapped) injects nothing, even inside a span.
            let untraced = JobQueue(store: store, middleware: JobMiddlewareStack([JobTracingMiddleware(tracer: NoOpTracer())]))
            let noTracer = try await tracer.withSpan("producer") { _ in try await untraced.enqueueReturningJob(untraced.newJob(type: "no-tracer")) }
            for job in [outside, noTracer] {
                #expect(job.traceContext == nil)
                #expect(try await store.job(id: job.id)?.traceContext == nil)
            }
        }
    }

    @Test func replacingTheBuiltInTracingMiddlewareKeepsOneInItsPlace() {
        let stack = JobMiddlewareStack(StandardAttemptObserver.builtIn(logger: .init(label: "t"), metrics: VesperMetrics()))
        let before = stack.all.map { "\(type(of: $0))" }
        stack.replace(with: JobTracingMiddleware(propagation: .child))
        #expect(stack.all.map { "\(type(of: $0))" } == before)
        #expect(stack.all.filter { $0 is JobTracingMiddleware }.count == 1)
        let empty = JobMiddlewareStack()
        empty.replace(with: JobTracingMiddleware())
        #expect(empty.all.count == 1, "with none to replace, it is added")
    }

    @Test func theCurrentContextForCodeThatWritesToAStoreDirectly() {
        let tracer = InMemoryTracer()
        #expect(JobTraceContext.current(instrument: tracer) == nil, "no span, no context")
        tracer.withSpan("order") { span in
            let context = JobTraceContext.current(instrument: tracer)
            #expect(context?.fields[InMemoryTracer.traceIDKey] == span.context.inMemorySpanContext?.traceID)
            #expect(JobTraceContext.current(instrument: NoOpTracer()) == nil, "the default instrument injects nothing")
        }
    }

    @Test func aContextTheJobAlreadyCarriesIsKept() async throws {
        let tracer = InMemoryTracer()
        let fromHeader = JobTraceContext(fields: [W3CTraceContext.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
        var job = NewJob(type: "t", maxRetries: 0, timeoutSeconds: 1, traceContext: fromHeader)
        try await tracer.withSpan("server") { _ in try await JobTracingMiddleware(tracer: tracer).enqueue(&job) }
        #expect(job.traceContext == fromHeader)
    }

    @Test func theJobContextsLoggerCarriesTheProducersW3CTraceID() {
        var job = Job(
            id: UUID(), type: "t", queue: "default", priority: 0, payload: "{}", storedStatus: .processing, retries: 0, maxRetries: 0,
            error: "", runAt: Date(), createdAt: Date(), updatedAt: Date(), startedAt: nil, finishedAt: nil, idempotencyKey: nil,
            attempt: 1, timeoutSeconds: 1, workerID: nil, leaseUntil: nil, sequence: 1)
        #expect(JobContext(job: job, deadline: Date(), logger: .init(label: "t")).logger[metadataKey: LogKey.traceID] == nil)
        job.traceContext = JobTraceContext(fields: [W3CTraceContext.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
        let logger = JobContext(job: job, deadline: Date(), logger: .init(label: "t")).logger
        #expect(logger[metadataKey: LogKey.traceID] == "4bf92f3577b34da6a3ce929d0e0e4736")
    }

    @Test func thePerJobLogLineCarriesTheTraceIDWhenThereIsOne() {
        let lines = CapturedLines()
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        var job = Job(
            id: UUID(), type: "t", queue: "default", priority: 0, payload: "{}", storedStatus: .processing, retries: 0, maxRetries: 0,
            error: "", runAt: Date(), createdAt: Date(), updatedAt: Date(), startedAt: Date(), finishedAt: nil, idempotencyKey: nil,
            attempt: 1, timeoutSeconds: 1, workerID: nil, leaseUntil: nil, sequence: 1)
        let middleware = JobLogMiddleware(logger: logger)
        middleware.finished(FinishedAttempt(job: job, outcome: .done, completion: .done, started: Date(), finished: Date()))
        job.traceContext = JobTraceContext(fields: [W3CTraceContext.traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"])
        middleware.finished(FinishedAttempt(job: job, outcome: .done, completion: .done, started: Date(), finished: Date()))
        let traceIDs = lines.all.map { $0[LogKey.traceID].map { "\($0)" } }
        #expect(traceIDs == [nil, "4bf92f3577b34da6a3ce929d0e0e4736"])
    }

    @Test(arguments: [
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", "4bf92f3577b34da6a3ce929d0e0e4736"),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", nil),  // version 00 has nothing more
        ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", nil),
        ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", nil),  // uppercase
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", nil),
        ("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", nil),
        ("not a traceparent", nil),
    ] as [(String, String?)])
    func traceparentParsing(value: String, traceID: String?) {
        #expect(W3CTraceContext.traceID(ofTraceparent: value) == traceID)
    }

    @Test func theStoredTextRoundTrips() {
        let context = JobTraceContext(fields: ["traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": "a=b,c=d/e"])
        #expect(JobTraceContext(text: context.text) == context)
        #expect(JobTraceContext(text: "not json") == nil)
        #expect(JobTraceContext(text: #"{"traceparent": 1}"#) == nil)
    }
}

/// The metadata of every line a ``CapturingLogHandler`` wrote.
private final class CapturedLines: Sendable {
    private let lines = Mutex<[Logger.Metadata]>([])
    func append(_ metadata: Logger.Metadata) { lines.withLock { $0.append(metadata) } }
    var all: [Logger.Metadata] { lines.withLock { $0 } }
}

private struct CapturingLogHandler: LogHandler {
    let lines: CapturedLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.append(metadata.merging(event.metadata ?? [:]) { $1 })
    }
}
