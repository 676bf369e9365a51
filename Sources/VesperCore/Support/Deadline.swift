import Synchronization

/// Bounds how long a caller waits for an operation that may hang (a database that went away).
public enum Deadline {
    public struct Exceeded: Error, Sendable, CustomStringConvertible {
        public var limit: Duration
        public var description: String { "no answer within \(limit)" }
    }

    /// Returns `operation`'s result, or throws ``Exceeded`` after `limit`, cancelling the operation.
    ///
    /// Unlike a task group, this does not wait for the operation to notice its cancellation: a
    /// database driver may only give up long after (postgres-nio waits up to a minute for a
    /// connection). The operation runs in an unstructured task for exactly that reason, and is
    /// cancelled when the deadline passes or the caller is cancelled. When the operation finishes
    /// first, the timer is cancelled at once: every PostgreSQL call goes through here, and a timer
    /// left sleeping for the whole `limit` (10 s by default) per call adds up to thousands of
    /// sleeping tasks on a busy node.
    public static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                liveTimers.add(1, ordering: .relaxed)
                let timer = Task {
                    defer { liveTimers.subtract(1, ordering: .relaxed) }
                    // Cancelled means the operation finished first: nothing to do.
                    guard (try? await Task.sleep(for: limit)) != nil, box.settle() else { return }
                    box.cancelWork()
                    continuation.resume(throwing: Exceeded(limit: limit))
                }
                let work = Task {
                    let result = await Result { try await operation() }
                    // Settle before cancelling the timer, so the woken timer finds it settled.
                    if box.settle() { continuation.resume(with: result) }
                    timer.cancel()
                }
                box.set(work: work)
            }
        } onCancel: {
            box.cancelWork()
        }
    }

    /// How many timer tasks exist right now (created and not yet ended); for tests.
    static let liveTimers = Atomic<Int>(0)

    private final class TaskBox: Sendable {
        private struct State {
            var work: Task<Void, Never>?
            var cancelRequested = false
        }

        private let state = Mutex(State())
        private let settled = Atomic<Bool>(false)

        /// True for the first caller only: whoever settles resumes the continuation.
        func settle() -> Bool {
            !settled.exchange(true, ordering: .acquiringAndReleasing)
        }

        /// Hands over the operation's task; cancels it at once if a cancellation came first.
        func set(work: Task<Void, Never>) {
            let cancel = state.withLock { state in
                state.work = work
                return state.cancelRequested
            }
            if cancel { work.cancel() }
        }

        /// Cancels the operation, now or as soon as its task is handed over.
        func cancelWork() {
            let work = state.withLock { state in
                state.cancelRequested = true
                return state.work
            }
            work?.cancel()
        }
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do {
            self = .success(try await body())
        } catch {
            self = .failure(error)
        }
    }
}
