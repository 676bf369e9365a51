import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Records every hook it sees under its name, in one shared list, to assert on order.
struct TracingRecorderMiddleware: JobMiddleware {
    let name: String
    let events: Recorder<String>

    func enqueue(_ job: inout NewJob) async throws {
        events.append("\(name).enqueue")
        job.priority += 1
    }

    func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
        events.append("\(name).before")
        var context = context
        context.logger[metadataKey: "seen_by_\(name)"] = "yes"
        try await next(context)
        events.append("\(name).after")
    }

    func finished(_ attempt: FinishedAttempt) {
        events.append("\(name).finished.\(attempt.outcome.name)")
    }
}

/// Turns every handler failure into a snooze: middleware may end an attempt as it likes.
struct SnoozeOnFailure: JobMiddleware {
    func run(_ context: JobContext, next: (JobContext) async throws -> Void) async throws {
        do {
            try await next(context)
        } catch is JobError {
            throw JobSnooze(for: .seconds(3600))
        }
    }
}

@Suite("Job middleware on a real SQLite store")
struct JobMiddlewareTests {
    @Test func middlewareRunsInTheOrderAddedAroundTheHandlerOnEnqueueAndOnFinish() async throws {
        try await withStore(.sqlite) { store in
            let events = Recorder<String>()
            let stack = JobMiddlewareStack()
            stack.add(TracingRecorderMiddleware(name: "a", events: events))
            stack.add(TracingRecorderMiddleware(name: "b", events: events))
            let queue = JobQueue(store: store, middleware: stack)
            let job = try await queue.enqueueReturningJob(queue.newJob(type: "m", priority: 3))
            #expect(job.priority == 5, "each enqueue hook changed the job before it was stored")
            #expect(try await store.job(id: job.id)?.priority == 5)

            var registry = HandlerRegistry()
            registry.middleware = stack.all
            registry.register("m", contextHandler: { context in
                events.append("handler:\(context.logger[metadataKey: "seen_by_a"].map { "\($0)" } ?? "-")")
            })
            let observer = MiddlewareObserver(middleware: stack.all, metrics: VesperMetrics())
            try await withWorkerPool(store: store, registry: registry, observer: observer) { _ in
                try await store.waitFor(job.id, status: .done)
                try await waitUntil("the finish hooks") { events.count >= 9 }
            }
            #expect(
                events.all == [
                    "a.enqueue", "b.enqueue", "a.before", "b.before", "handler:yes", "b.after", "a.after", "a.finished.done",
                    "b.finished.done",
                ])
        }
    }

    @Test func middlewareCanEndAnAttemptItsOwnWay() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("flaky", maxRetries: 0), now: Date())
            var registry = HandlerRegistry()
            registry.middleware = [SnoozeOnFailure()]
            registry.register("flaky") { _ in throw JobError.permanent("no") }
            let observer = RecordingObserver()
            let stored = try await withWorkerPool(store: store, registry: registry, observer: observer) { _ in
                try await waitUntil("the attempt's report") { observer.attempts.count == 1 }
                return try #require(try await store.job(id: job.id))
            }
            #expect(observer.attempts.all.first?.outcome == .snoozed)
            #expect(stored.storedStatus == .pending)
            #expect(stored.retries == 0)
        }
    }
}
