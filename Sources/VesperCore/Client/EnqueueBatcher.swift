import Foundation
import Synchronization

/// Group commit for single enqueues: requests that arrive while a write is in flight share the
/// next transaction (one fsync on SQLite), and each caller returns only once its job is durable.
///
/// No background task is involved: the first caller becomes the leader and writes a batch; when it
/// is done it hands leadership to the oldest waiter, whose write then carries everyone who arrived
/// meanwhile. Latency stays bounded because a leader writes exactly one batch.
final class EnqueueBatcher: Sendable {
    private enum Wake {
        case finished(Result<EnqueueOutcome, any Error>)
        case lead
    }

    private struct Waiter {
        var job: NewJob
        var continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var writing = false
        var waiters: [Waiter] = []
    }

    private let state = Mutex(State())
    private let maxBatch: Int
    private let write: @Sendable ([NewJob]) async throws -> [EnqueueOutcome]

    init(maxBatch: Int = 1_000, write: @escaping @Sendable ([NewJob]) async throws -> [EnqueueOutcome]) {
        self.maxBatch = maxBatch
        self.write = write
    }

    /// How many callers wait for a batch to take them (or for leadership); for tests.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    func enqueue(_ job: NewJob) async throws -> EnqueueOutcome {
        let wake = await withCheckedContinuation { (continuation: CheckedContinuation<Wake, Never>) in
            let leadNow = state.withLock { state -> Bool in
                if state.writing {
                    state.waiters.append(Waiter(job: job, continuation: continuation))
                    return false
                }
                state.writing = true
                return true
            }
            if leadNow { continuation.resume(returning: .lead) }
        }
        switch wake {
        case .finished(let result):
            return try result.get()
        case .lead:
            return try await lead(with: job)
        }
    }

    private func lead(with job: NewJob) async throws -> EnqueueOutcome {
        let followers = state.withLock { state -> [Waiter] in
            let count = min(state.waiters.count, maxBatch - 1)
            defer { state.waiters.removeFirst(count) }
            return Array(state.waiters.prefix(count))
        }
        let result: Result<[EnqueueOutcome], any Error>
        do {
            result = .success(try await write([job] + followers.map(\.job)))
        } catch {
            result = .failure(error)
        }
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.writing = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        for (index, follower) in followers.enumerated() {
            follower.continuation.resume(returning: .finished(result.map { $0[index + 1] }))
        }
        return try result.get()[0]
    }
}
