import Foundation
import InMemoryTracing
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
}
