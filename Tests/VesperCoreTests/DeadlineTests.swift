import Synchronization
import Testing
@testable import VesperCore
import VesperTestSupport

@Suite struct DeadlineTests {
    @Test func returnsTheOperationsResult() async throws {
        #expect(try await Deadline.run(.seconds(5)) { 42 } == 42)
        try await Deadline.run(.seconds(5)) {}
        let text = try await Deadline.run(.seconds(5)) { () async throws -> String in
            try await Task.sleep(for: .milliseconds(10))
            return "late but in time"
        }
        #expect(text == "late but in time")
    }

    @Test func throwsTheOperationsError() async throws {
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await Deadline.run(.seconds(5)) { () async throws -> Int in throw Boom() } }
    }

    @Test func givesUpOnAnOperationThatIgnoresCancellation() async throws {
        // The operation ignores cancellation, like a driver waiting for a connection, and can only
        // end when the test releases it, after `run` has returned: so `run` cannot have waited
        // for it. (No wall-clock bound: a busy machine may delay the timer, never skip it.)
        let gate = Gate()
        await #expect(throws: Deadline.Exceeded.self) {
            try await Deadline.run(.milliseconds(100)) { () async throws -> Int in
                await gate.wait()
                return 1
            }
        }
        gate.open()
    }

    /// Holds its waiters until ``open()``.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }

        func open() {
            let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}

/// Counts `Deadline`'s timer tasks, so it runs alone.
@Suite(.serialized) struct DeadlineTimerTests {
    @Test func cancelsItsTimerWhenTheOperationFinishesFirst() async throws {
        let before = Deadline.liveTimers.load(ordering: .relaxed)
        for index in 0..<2_000 {
            #expect(try await Deadline.run(.seconds(10)) { index } == index)
        }
        // Without the fix each call leaves a timer sleeping for the full 10 s: 2,000 of them. The
        // counter is process-wide and other suites' calls come and go in parallel, so allow for
        // those, far below what this loop would leave behind.
        try await waitUntil(timeout: .seconds(5), "timers to end") {
            Deadline.liveTimers.load(ordering: .relaxed) - before < 1_000
        }
    }

    /// A timer woken by its cancellation must not report the deadline as passed.
    @Test func manyConcurrentQuickCallsAllReturnTheirResults() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<100 {
                group.addTask {
                    for index in 0..<100 {
                        let value = task * 1_000 + index
                        let result = try await Deadline.run(.seconds(10)) { value }
                        #expect(result == value)
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
