import Testing
import VesperCore

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
