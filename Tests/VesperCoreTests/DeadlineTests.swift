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
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: Deadline.Exceeded.self) {
            try await Deadline.run(.milliseconds(100)) { () async throws -> Int in
                // Ignores cancellation on purpose, like a driver waiting for a connection.
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    Task.detached {
                        try? await Task.sleep(for: .seconds(30))
                        continuation.resume()
                    }
                }
                return 1
            }
        }
        // Far sooner than the operation's 30 s, with room for a loaded machine.
        #expect(clock.now - start < .seconds(15))
    }
}

/// Counts `Deadline`'s timer tasks, so it runs alone.
@Suite(.serialized) struct DeadlineTimerTests {
    @Test func cancelsItsTimerWhenTheOperationFinishesFirst() async throws {
        let before = Deadline.liveTimers.load(ordering: .relaxed)
        for index in 0..<2_000 {
            #expect(try await Deadline.run(.seconds(10)) { index } == index)
        }
        // Without the fix each call leaves a timer sleeping for the full 10 s.
        try await waitUntil(timeout: .seconds(5), "timers to end") {
            Deadline.liveTimers.load(ordering: .relaxed) <= before
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
