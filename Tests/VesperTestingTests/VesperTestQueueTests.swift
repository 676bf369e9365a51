import Foundation
import Testing
import VesperCore
import VesperTesting

struct Count: VesperJob, Equatable {
    static let type = "count"
    var n: Int
}

@Suite("VesperTestQueue")
struct VesperTestQueueTests {
    @Test func drainRunsFollowUpJobsAndRetriesUntilIdleAndLeavesLaterJobsWaiting() async throws {
        let queue = try await VesperTestQueue()
        queue.register(Count.self) { count, context in
            if count.n == 2 && context.attempt == 1 { throw JobError.retryable("flaky") }
            if count.n < 3 { try await queue.enqueue(Count(n: count.n + 1)) }
        }
        try await queue.enqueue(Count(n: 1))
        try await queue.enqueue(Count(n: 100), options: .init(delay: .seconds(3600)))
        let ran = try await queue.drain()
        #expect(ran.map(\.outcome) == [.done, .retried, .done, .done])
        #expect(try await queue.enqueued(Count.self, status: .done) == [Count(n: 1), Count(n: 2), Count(n: 3)])
        #expect(try await queue.jobs(Count.self, status: .scheduled).count == 1, "a job scheduled for later is left waiting")
        try await queue.close()
    }

    @Test func drainLeavesTypesWithoutAHandlerAlone() async throws {
        let queue = try await VesperTestQueue()
        queue.register(Count.self) { _, _ in }
        _ = try await queue.queue.enqueue(queue.queue.newJob(type: "unknown"))
        try await queue.enqueue(Count(n: 1))
        let ran = try await queue.drain()
        #expect(ran.count == 1)
        #expect(try await queue.store.listJobs(JobQuery(status: .pending, type: "unknown", now: Date())).count == 1)
        try await queue.close()
    }

    @Test func aFailingDrainSaysSoAndTheQueueStaysUsable() async throws {
        let queue = try await VesperTestQueue()
        queue.register(Count.self) { _, _ in throw JobError.permanent("no") }
        try await queue.enqueue(Count(n: 1))
        let ran = try await queue.drain()
        #expect(ran.map(\.outcome) == [.failed])
        #expect(try await queue.jobs(Count.self, status: .failed).first?.error == "no")
        try await queue.close()
    }
}
