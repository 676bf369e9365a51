import Foundation
import Synchronization
import Testing
import VesperTestSupport

@testable import VesperCore

/// The group commit's leader/follower hand-off, with an in-test write function whose batches the
/// test opens one at a time.
@Suite("Enqueue batcher")
struct EnqueueBatcherTests {
    /// A write function that records each batch (by job type) and holds it until the test opens it.
    final class Writer: Sendable {
        private struct State {
            var batches: [[String]] = []
            var opened: Set<Int> = []
            var held: [Int: CheckedContinuation<Void, Never>] = [:]
            var failing: Set<Int> = []
        }

        private let state = Mutex(State())

        struct Failed: Error {}

        /// Batch `index` (0-based) throws instead of storing its jobs.
        func fail(batch index: Int) { state.withLock { _ = $0.failing.insert(index) } }

        var batches: [[String]] { state.withLock { $0.batches } }

        /// Lets batch `index` finish, now or as soon as it is written.
        func open(batch index: Int) {
            let held = state.withLock { state in
                state.opened.insert(index)
                return state.held.removeValue(forKey: index)
            }
            held?.resume()
        }

        func write(_ jobs: [NewJob]) async throws -> [EnqueueOutcome] {
            let index = state.withLock { state in
                state.batches.append(jobs.map(\.type))
                return state.batches.count - 1
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let openNow = state.withLock { state in
                    if state.opened.contains(index) { return true }
                    state.held[index] = continuation
                    return false
                }
                if openNow { continuation.resume() }
            }
            if state.withLock({ $0.failing.contains(index) }) { throw Failed() }
            return jobs.map { .created(stored($0)) }
        }

        private func stored(_ job: NewJob) -> Job {
            Job(
                id: job.id, type: job.type, queue: job.queue, priority: job.priority, payload: job.payloadJSON, storedStatus: .pending,
                retries: 0, maxRetries: job.maxRetries, error: "", runAt: testEpoch, createdAt: testEpoch, updatedAt: testEpoch,
                startedAt: nil, finishedAt: nil, idempotencyKey: job.idempotencyKey, attempt: 0, timeoutSeconds: job.timeoutSeconds,
                workerID: nil, leaseUntil: nil, sequence: 0)
        }
    }

    /// What each caller got back, by job type.
    final class Results: Sendable {
        private let results = Mutex<[String: Result<String, any Error>]>([:])

        func record(_ type: String, _ result: Result<EnqueueOutcome, any Error>) {
            results.withLock {
                $0[type] = result.map { outcome in
                    if case .created(let job) = outcome { return job.type }
                    return "not created"
                }
            }
        }

        func returned(_ type: String) -> Bool { results.withLock { $0[type] != nil } }
        func value(_ type: String) -> String? { results.withLock { try? $0[type]?.get() } }
        func failed(_ type: String) -> Bool {
            results.withLock {
                if case .failure = $0[type] { return true }
                return false
            }
        }
    }

    func job(_ type: String) -> NewJob { testJob(type) }

    /// Starts a caller enqueueing a job of `type` and returns once it is the leader or a waiter.
    func start(
        _ type: String, _ batcher: EnqueueBatcher, _ results: Results, group: inout ThrowingTaskGroup<Void, any Error>,
        waitForWaiters waiters: Int? = nil
    ) async throws {
        let job = job(type)
        group.addTask {
            let result = await Result { try await batcher.enqueue(job) }
            results.record(type, result)
        }
        if let waiters { try await waitUntil(timeout: .seconds(10), "\(type) to wait") { batcher.waitingCount == waiters } }
    }

    /// `a` starts and is being written; then `b`, `c` and `d` arrive and wait for the next batch.
    func startLeaderAndThreeWaiting(
        _ batcher: EnqueueBatcher, _ writer: Writer, _ results: Results, group: inout ThrowingTaskGroup<Void, any Error>
    ) async throws {
            try await start("a", batcher, results, group: &group)
            try await waitUntil(timeout: .seconds(10), "the leader's write") { writer.batches.count == 1 }
            for (index, type) in ["b", "c", "d"].enumerated() {
                try await start(type, batcher, results, group: &group, waitForWaiters: index + 1)
            }
    }

    @Test func callersArrivingDuringAWriteShareTheNextBatchAndReturnOnlyAfterIt() async throws {
        let writer = Writer()
        let batcher = EnqueueBatcher { jobs in try await writer.write(jobs) }
        let results = Results()
        try await withThrowingTaskGroup(of: Void.self) { group in
            try await startLeaderAndThreeWaiting(batcher, writer, results, group: &group)
            #expect(writer.batches == [["a"]])
            #expect(!results.returned("a"))

            writer.open(batch: 0)
            // The oldest waiter leads the next batch, carrying everyone who arrived meanwhile.
            try await waitUntil(timeout: .seconds(10), "the second write") { writer.batches.count == 2 }
            #expect(writer.batches == [["a"], ["b", "c", "d"]])
            try await waitUntil(timeout: .seconds(10), "a to return") { results.returned("a") }
            // b, c and d are still waiting for their own batch to be written.
            try await Task.sleep(for: .milliseconds(50))
            #expect(!["b", "c", "d"].contains(where: results.returned))

            writer.open(batch: 1)
            try await group.waitForAll()
        }
        for type in ["a", "b", "c", "d"] { #expect(results.value(type) == type) }
        #expect(batcher.waitingCount == 0)
    }

    @Test func aFailingBatchFailsEachOfItsCallersAndNotTheNextBatch() async throws {
        let writer = Writer()
        writer.fail(batch: 1)
        let batcher = EnqueueBatcher { jobs in try await writer.write(jobs) }
        let results = Results()
        try await withThrowingTaskGroup(of: Void.self) { group in
            try await start("a", batcher, results, group: &group)
            try await waitUntil(timeout: .seconds(10), "the leader's write") { writer.batches.count == 1 }
            try await start("b", batcher, results, group: &group, waitForWaiters: 1)
            try await start("c", batcher, results, group: &group, waitForWaiters: 2)
            writer.open(batch: 0)
            try await waitUntil(timeout: .seconds(10), "the second write") { writer.batches.count == 2 }
            // d arrives while the failing batch is being written: it goes into the third.
            try await start("d", batcher, results, group: &group, waitForWaiters: 1)
            writer.open(batch: 1)
            writer.open(batch: 2)
            try await group.waitForAll()
        }
        #expect(writer.batches == [["a"], ["b", "c"], ["d"]])
        #expect(results.value("a") == "a")
        #expect(results.failed("b"))
        #expect(results.failed("c"))
        #expect(results.value("d") == "d")
    }

    @Test func aBatchHoldsAtMostMaxBatchJobs() async throws {
        let writer = Writer()
        let batcher = EnqueueBatcher(maxBatch: 2) { jobs in try await writer.write(jobs) }
        let results = Results()
        try await withThrowingTaskGroup(of: Void.self) { group in
            try await startLeaderAndThreeWaiting(batcher, writer, results, group: &group)
            for batch in 0..<3 { writer.open(batch: batch) }
            try await group.waitForAll()
        }
        #expect(writer.batches == [["a"], ["b", "c"], ["d"]])
        for type in ["a", "b", "c", "d"] { #expect(results.value(type) == type) }
    }
}
