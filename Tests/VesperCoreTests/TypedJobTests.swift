import Foundation
import Logging
import Synchronization
import Testing
import VesperCore
import VesperTestSupport

struct SendEmail: VesperJob, Equatable {
    static let type = "send_email"
    static var defaults: JobTypeDefaults { JobTypeDefaults(queue: "mail", priority: 4, maxRetries: 7, timeout: .seconds(42)) }
    var to: String
    var subject: String
}

/// What a handler saw of its context, copied out for assertions.
struct SeenContext: Sendable {
    var id: UUID
    var type: String
    var queue: String
    var attempt: Int
    var retriesLeft: Int
    var deadline: Date
    var loggedJobID: String?
}

@Suite("Typed jobs, the job context and snoozing, on a real SQLite store")
struct TypedJobTests {
    @Test func typedJobRoundTripsWithTheTypesDefaultsAndAContext() async throws {
        try await withStore(.sqlite) { store in
            let queue = JobQueue(store: store)
            let enqueued = try await queue.enqueue(SendEmail(to: "a@b.c", subject: "hi"))
            #expect(enqueued.type == "send_email")
            #expect(enqueued.queue == "mail")
            #expect(enqueued.priority == 4)
            #expect(enqueued.maxRetries == 7)
            #expect(enqueued.timeoutSeconds == 42)
            let overridden = try await queue.enqueue(SendEmail(to: "x@y.z", subject: "later"), options: .init(priority: 9, delay: .seconds(3600)))
            #expect(overridden.priority == 9)
            #expect(overridden.status() == .scheduled)
            let routed = try await queue.enqueue(SendEmail(to: "e@u.eu", subject: "gdpr"), options: .init(region: "eu", regionStrict: true))
            #expect(try await store.job(id: routed.id)?.region == "eu")
            #expect(try await store.job(id: routed.id)?.regionStrict == true)
            await #expect(throws: ValidationError.self) {
                try await queue.enqueue(SendEmail(to: "e@u.eu", subject: "x"), options: .init(regionStrict: true))
            }

            let received = Recorder<SendEmail>()
            let contexts = Recorder<SeenContext>()
            var registry = HandlerRegistry()
            registry.register(SendEmail.self) { email, context in
                received.append(email)
                contexts.append(
                    SeenContext(
                        id: context.id, type: context.type, queue: context.queue, attempt: context.attempt, retriesLeft: context.retriesLeft,
                        deadline: context.deadline, loggedJobID: context.logger[metadataKey: LogKey.jobID].map { "\($0)" }))
            }
            let final = try await withWorkerPool(store: store, registry: registry, configure: { $0.queues = ["mail"] }) { _ in
                try await store.waitFor(enqueued.id, status: .done)
            }
            #expect(received.all == [SendEmail(to: "a@b.c", subject: "hi")])
            let seen = try #require(contexts.all.first)
            #expect(seen.id == enqueued.id)
            #expect(seen.type == "send_email")
            #expect(seen.queue == "mail")
            #expect(seen.attempt == 1)
            #expect(seen.retriesLeft == 7)
            #expect(seen.loggedJobID == enqueued.id.lowercaseText)
            let started = try #require(final.startedAt)
            #expect(abs(seen.deadline.timeIntervalSince(started) - 42) < 5, "the deadline is the attempt's start plus the type's timeout")
            #expect(try await store.job(id: overridden.id)?.storedStatus == .pending, "the delayed job is not due yet")
        }
    }

    @Test func aPayloadThatDoesNotDecodeFailsPermanentlyNamingTheField() async throws {
        try await withStore(.sqlite) { store in
            let missing = try await store.add(testJob("send_email", payload: #"{"subject":"hi"}"#, maxRetries: 5), now: Date())
            let mistyped = try await store.add(testJob("send_email", payload: #"{"to":7,"subject":"hi"}"#, maxRetries: 5), now: Date())
            let calls = Recorder<String>()
            var registry = HandlerRegistry()
            registry.register(SendEmail.self) { email, _ in calls.append(email.to) }
            let (first, second) = try await withWorkerPool(store: store, registry: registry) { _ in
                (try await store.waitFor(missing.id, status: .failed), try await store.waitFor(mistyped.id, status: .failed))
            }
            #expect(calls.count == 0)
            #expect(first.error == #"payload does not decode as SendEmail: field "to" is missing"#)
            #expect(second.error == #"payload does not decode as SendEmail: field "to" is not a String"#)
            #expect(first.retries == 1 && first.attempt == 1, "no retry: the payload will not decode next time either")
        }
    }

    @Test func aSnoozedJobRunsAgainLaterWithoutUsingARetry() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("poll", maxRetries: 1), now: Date())
            let attempts = Recorder<Int>()
            var registry = HandlerRegistry()
            registry.register("poll", contextHandler: { context in
                attempts.append(context.attempt)
                if context.attempt == 1 { throw JobError.retryable("not ready") }
                if context.attempt < 4 { throw JobSnooze(for: .milliseconds(50)) }
            })
            let final = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(job.id, status: .done)
            }
            #expect(attempts.all == [1, 2, 3, 4])
            #expect(final.retries == 1, "the failure counted, the two snoozes did not")
            #expect(final.attempt == 4)
        }
    }

    @Test func aSnoozeMovesRunAtAndKeepsTheLastError() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("wait"), now: Date())
            let snoozed = Recorder<UUID>()
            var registry = HandlerRegistry()
            registry.register("wait", contextHandler: { context in
                if context.attempt == 1 { throw JobError.retryable("not ready") }
                snoozed.append(context.id)
                throw JobSnooze(for: .seconds(3600))
            })
            let before = Date()
            let stored = try await withWorkerPool(store: store, registry: registry) { _ in
                try await waitUntil("the job to be snoozed") {
                    let row = try await store.job(id: job.id)
                    return row?.storedStatus == .pending && row?.attempt == 2
                }
                return try #require(try await store.job(id: job.id))
            }
            #expect(snoozed.count == 1)
            #expect(stored.retries == 1, "the failure counted, the snooze did not")
            #expect(stored.error == "not ready", "a snooze keeps the last error")
            #expect(stored.workerID == nil)
            #expect(stored.runAt.timeIntervalSince(before) > 3000, "run_at moved on by the snooze")
            #expect(stored.status() == .scheduled)
        }
    }
}
