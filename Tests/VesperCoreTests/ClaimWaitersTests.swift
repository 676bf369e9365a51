import Testing
import VesperTestSupport

@testable import VesperCore

@Suite("Claim waiters")
struct ClaimWaitersTests {
    /// Every waiting claim wakes on one signal; with an hour's timeout, only the signal can end them.
    @Test func oneSignalWakesEveryWaiter() async throws {
        let waiters = ClaimWaiters()
        let seen = waiters.generation
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { await waiters.wait(since: seen, timeout: .seconds(3600)) } }
            try await waitUntil("three waiters") { waiters.waiting == 3 }
            waiters.signal()
            try await group.waitForAll()
        }
        #expect(waiters.waiting == 0)
    }

    /// A signal between reading the generation and waiting is not lost.
    @Test func aSignalBeforeTheWaitEndsItAtOnce() async {
        let waiters = ClaimWaiters()
        let seen = waiters.generation
        waiters.signal()
        await waiters.wait(since: seen, timeout: .seconds(3600))
        #expect(waiters.generation != seen)
    }

    @Test func cancellationEndsAWait() async throws {
        let waiters = ClaimWaiters()
        let task = Task { await waiters.wait(since: waiters.generation, timeout: .seconds(3600)) }
        try await waitUntil("the waiter") { waiters.waiting == 1 }
        task.cancel()
        await task.value
        #expect(waiters.waiting == 0)
    }
}
