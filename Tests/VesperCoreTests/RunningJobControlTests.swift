import Foundation
import Synchronization
import Testing
import VesperCore
import VesperTestSupport

/// A real worker pool on a real SQLite store: cancel requests reaching running handlers, results,
/// progress.
@Suite("Running job control in the worker pool")
struct RunningJobControlTests {
    /// Lease renewals every 50 ms, so cancel requests and progress arrive quickly.
    private func fastBeat(_ options: inout WorkerPoolOptions) {
        options.leaseCheckInterval = .milliseconds(50)
    }

    @Test func aHandlerThatIgnoresCancellationKeepsItsSlotAndItsResultIsNotRecorded() async throws {
        try await withStore(.sqlite) { store in
            let stubborn = try await store.add(testJob("stubborn"), now: Date())
            let release = Mutex(false)
            let sawCancel = Recorder<Bool>()
            let afterwards = Recorder<String>()
            var registry = HandlerRegistry()
            registry.register("stubborn", returning: [String: Bool].self) { _ in
                // Ignores cancellation: waits for the test, then returns a result anyway.
                // (A detached sleep is not cancelled with the handler.)
                while !release.withLock({ $0 }) { await Task.detached { try? await Task.sleep(for: .milliseconds(5)) }.value }
                sawCancel.append(Task.isCancelled)
                return ["late": true]
            }
            registry.register("next") { job in afterwards.append(job.id.lowercaseText) }
            let observer = RecordingObserver()
            try await withWorkerPool(store: store, registry: registry, slots: 1, observer: observer, configure: fastBeat) { pool in
                try await waitUntil("the handler to run") { pool.counters.busy == 1 }
                let requested = try await store.cancel(id: stubborn.id, now: Date())
                #expect(requested.cancelRequested && requested.storedStatus == .processing)
                let cancelled = try await store.waitFor(stubborn.id, status: .cancelled)
                #expect(cancelled.error == "cancelled by request")
                // The slot stays busy while the handler ignores the cancel: the next job waits.
                let next = try await store.add(testJob("next"), now: Date())
                #expect(pool.counters.busy == 1)
                release.withLock { $0 = true }
                try await store.waitFor(next.id, status: .done)
                try await waitUntil("the cancelled attempt to be reported") { observer.attempts.count == 2 }
            }
            let stored = try #require(try await store.job(id: stubborn.id))
            #expect(stored.storedStatus == .cancelled)
            #expect(stored.result == nil)
            #expect(stored.attempts?.map(\.outcome) == ["cancelled"])
            #expect(sawCancel.all == [true])
            #expect(observer.attempts.all.first { $0.job.id == stubborn.id }?.outcome == .cancelled)
        }
    }

    @Test func progressIsStoredWhileTheHandlerRunsAndTheResultWhenItEnds() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("report"), now: Date())
            let seen = Mutex(false)
            var registry = HandlerRegistry()
            registry.register("report", returning: [String: Int].self) { _ in
                JobProgressReporter.report(percent: 150, message: "halfway")
                while !seen.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                return ["pages": 12]
            }
            try await withWorkerPool(store: store, registry: registry, configure: fastBeat) { _ in
                try await waitUntil("progress to be stored") { try await store.job(id: job.id)?.progress != nil }
                let progress = try #require(try await store.job(id: job.id)?.progress)
                #expect(progress.percent == 100)
                #expect(progress.message == "halfway")
                #expect(progress.attempt == 1)
                seen.withLock { $0 = true }
                try await store.waitFor(job.id, status: .done)
            }
            #expect(try await store.job(id: job.id)?.result == #"{"pages":12}"#)
            // Outside a handler, a report does nothing.
            JobProgressReporter.report(percent: 10)
        }
    }

    @Test func aResultOverTheLimitFailsTheAttempt() async throws {
        try await withStore(.sqlite) { store in
            let job = try await store.add(testJob("big", maxRetries: 0), now: Date())
            var registry = HandlerRegistry()
            registry.register("big", returning: String.self) { _ in String(repeating: "x", count: 100) }
            try await withWorkerPool(store: store, registry: registry, configure: { $0.maxResultBytes = 50 }) { _ in
                let failed = try await store.waitFor(job.id, status: .dlq)
                #expect(failed.error == "result is 102 bytes, more than MAX_RESULT_BYTES (50)")
                #expect(failed.result == nil)
            }
        }
    }
}
