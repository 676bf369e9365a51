import Foundation
import Synchronization
import Testing
import VesperCore
import VesperTestSupport

@Suite("Worker pool on a real SQLite store")
struct WorkerPoolTests {
    @Test func oneSlotRunsJobsInPriorityThenFIFOOrder() async throws {
        try await withStore(.sqlite) { store in
            let plan = [(0, "a"), (7, "b"), (3, "c"), (10, "d"), (7, "e"), (0, "f"), (10, "g"), (3, "h")]
            for (priority, name) in plan {
                try await store.add(testJob("order", priority: priority, payload: #"{"n":"\#(name)"}"#), now: Date())
            }
            let order = Recorder<String>()
            var registry = HandlerRegistry()
            registry.register("order") { job in
                order.append(try job.decodePayload(as: [String: String].self)["n"]!)
            }
            try await withWorkerPool(store: store, registry: registry, slots: 1) { _ in
                try await waitUntil("all jobs to run") { order.count == plan.count }
            }
            #expect(order.all == ["d", "g", "b", "e", "c", "h", "a", "f"])
        }
    }

    @Test func manySlotsRunEveryJobExactlyOnce() async throws {
        try await withStore(.sqlite) { store in
            let jobs = (0..<3000).map { _ in testJob("count", priority: Int.random(in: 0...10)) }
            for chunk in stride(from: 0, to: jobs.count, by: 500) {
                _ = try await store.enqueue(Array(jobs[chunk..<min(chunk + 500, jobs.count)]), now: Date())
            }
            let ran = Recorder<UUID>()
            var registry = HandlerRegistry()
            registry.register("count") { job in ran.append(job.id) }
            try await withWorkerPool(store: store, registry: registry, slots: 32) { _ in
                try await waitUntil(timeout: .seconds(120), "3000 jobs to run") { ran.count >= jobs.count }
            }
            #expect(ran.count == jobs.count)
            #expect(Set(ran.all) == Set(jobs.map(\.id)))
            let done = try await store.listJobs(JobQuery(status: .done, limit: 5000, now: Date()))
            #expect(done.count == jobs.count)
        }
    }

    @Test func failingHandlerIsRetriedThenDeadLettered() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("flaky", maxRetries: 2), now: Date())
            let attempts = Recorder<Int>()
            var registry = HandlerRegistry()
            registry.register("flaky") { job in
                attempts.append(job.attempt)
                throw JobError.retryable("boom \(job.attempt)")
            }
            let final = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(job.id, status: .dlq)
            }
            #expect(attempts.all == [1, 2, 3])
            #expect(final.retries == 3)
            #expect(final.error == "boom 3")
            #expect(final.finishedAt != nil)
        }
    }

    @Test func retryThenSuccessEndsDone() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("second-time-lucky"), now: Date())
            var registry = HandlerRegistry()
            registry.register("second-time-lucky") { job in
                if job.attempt == 1 { throw JobError.retryable("not yet") }
            }
            let final = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(job.id, status: .done)
            }
            #expect(final.retries == 1)
            #expect(final.attempt == 2)
            #expect(final.error == "", "a done job carries no error from an earlier attempt")
        }
    }

    @Test func permanentErrorFailsWithoutRetry() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("bad", maxRetries: 5), now: Date())
            var registry = HandlerRegistry()
            registry.register("bad") { _ in throw JobError.permanent("invalid image") }
            let final = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(job.id, status: .failed)
            }
            #expect(final.error == "invalid image")
            #expect(final.attempt == 1)
        }
    }

    @Test func handlerThatOverrunsItsTimeoutIsCancelledAndRetried() async throws {
        try await withStore(.sqlite) { store in
            var slow = testJob("slow", maxRetries: 0)
            slow.timeoutSeconds = 0.2
            let job = try await store.add(slow, now: Date())
            let sawCancellation = Recorder<Bool>()
            var registry = HandlerRegistry()
            registry.register("slow") { _ in
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    sawCancellation.append(true)
                    throw error
                }
            }
            let final = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(job.id, status: .dlq)
            }
            #expect(final.error == "timeout")
            #expect(sawCancellation.all == [true])
        }
    }

    @Test func jobsWithoutAHandlerHereStayPending() async throws {
        try await withStore(.sqlite) { store in
            let foreign = try await store.add(testJob("someone_elses"), now: Date())
            let mine = try await store.add(testJob("mine"), now: Date())
            var registry = HandlerRegistry()
            registry.register("mine") { _ in }
            _ = try await withWorkerPool(store: store, registry: registry) { _ in
                try await store.waitFor(mine.id, status: .done)
            }
            let untouched = try #require(try await store.job(id: foreign.id))
            #expect(untouched.storedStatus == .pending)
            #expect(untouched.attempt == 0)
        }
    }

    @Test func shutdownLetsRunningJobsFinish() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("short"), now: Date())
            let started = Recorder<UUID>()
            var registry = HandlerRegistry()
            registry.register("short") { job in
                started.append(job.id)
                try await Task.sleep(for: .milliseconds(300))
            }
            _ = try await withWorkerPool(store: store, registry: registry) { _ in
                try await waitUntil("the job to start") { started.count == 1 }
            }
            // withWorkerPool returned after a graceful shutdown: the job finished and was recorded.
            #expect(try await store.job(id: job.id)?.storedStatus == .done)
        }
    }

    @Test func shutdownTimeoutReleasesUnfinishedJobsWithoutCountingAnAttempt() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("endless"), now: Date())
            let started = Recorder<UUID>()
            var registry = HandlerRegistry()
            registry.register("endless") { job in
                started.append(job.id)
                try await Task.sleep(for: .seconds(600))
            }
            try await withWorkerPool(store: store, registry: registry, configure: { $0.shutdownTimeout = .milliseconds(200) }) { _ in
                try await waitUntil("the job to start") { started.count == 1 }
            }
            let released = try #require(try await store.job(id: job.id))
            #expect(released.storedStatus == .pending)
            #expect(released.retries == 0)
            #expect(released.workerID == nil)
        }
    }

    @Test func leasesOfLongJobsAreExtendedSoNobodyStealsThem() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("long"), now: Date())
            let runs = Recorder<Int>()
            var registry = HandlerRegistry()
            registry.register("long") { job in
                runs.append(job.attempt)
                try await Task.sleep(for: .milliseconds(1500))
            }
            _ = try await withWorkerPool(
                store: store, registry: registry,
                configure: {
                    $0.leaseDuration = .milliseconds(400)
                    $0.leaseCheckInterval = .milliseconds(100)
                }
            ) { _ in
                try await store.waitFor(job.id, status: .done)
            }
            // The lease (400ms) is much shorter than the job (1.5s): without extension another
            // claim would have run it again.
            #expect(runs.all == [1])
        }
    }

    /// A node whose job was reclaimed elsewhere while its handler ran must not report the late
    /// result as done: the store rejects it (the attempt moved on), so it is a lost lease, counted
    /// neither done nor failed, and the job row is the new owner's.
    @Test func aResultTheStoreRejectsIsReportedAsALostLeaseAndNotCounted() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("stolen"), now: Date())
            let started = Recorder<Int>()
            let (gate, open) = AsyncStream<Void>.makeStream()
            var registry = HandlerRegistry()
            registry.register("stolen") { job in
                started.append(job.attempt)
                for await _ in gate { break }
            }
            registry.register("fine") { _ in }
            let observer = RecordingObserver()
            try await withWorkerPool(store: store, registry: registry, observer: observer) { pool in
                try await waitUntil("the handler to start") { started.count == 1 }
                // Another node takes the job over: its lease is recovered as expired, then claimed.
                let later = Date().addingTimeInterval(3_600)
                #expect(try await store.recoverExpiredLeases(now: later) == 1)
                let thief = try #require(try await store.claim(1, worker: "thief", now: later).first)
                #expect(thief.attempt == 2)
                open.finish()
                try await waitUntil("the late result to be reported") { observer.attempts.count == 1 }
                #expect(observer.attempts.all.map(\.outcome) == [.lostLease])
                #expect(observer.attempts.all.first?.completion == .done)
                #expect(pool.counters.done == 0)
                #expect(pool.counters.failed == 0)
                // The late result changed nothing: the job is still the thief's attempt.
                let stored = try #require(try await store.job(id: job.id))
                #expect(stored.storedStatus == .processing)
                #expect(stored.workerID == "thief")
                #expect(stored.attempt == 2)
                #expect(stored.updatedAt == thief.updatedAt)
                // An applied result is still reported and counted.
                let fine = try await store.add(testJob("fine"), now: Date())
                pool.wake()
                try await store.waitFor(fine.id, status: .done)
                try await waitUntil("the applied result to be reported") { observer.attempts.count == 2 }
                #expect(observer.attempts.all.last?.outcome == .done)
                #expect(pool.counters.done == 1)
            }
        }
    }
}
