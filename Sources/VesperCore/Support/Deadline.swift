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
    /// cancelled when the deadline passes or the caller is cancelled.
    public static func run<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let work = Task {
                    let result = await Result { try await operation() }
                    if box.settle() { continuation.resume(with: result) }
                }
                let timer = Task {
                    try? await Task.sleep(for: limit)
                    if box.settle() {
                        work.cancel()
                        continuation.resume(throwing: Exceeded(limit: limit))
                    }
                }
                box.set(work: work, timer: timer)
            }
        } onCancel: {
            box.cancelAll()
        }
    }

    private final class TaskBox: Sendable {
        private let tasks = Mutex<[Task<Void, Never>]>([])
        private let settled = Atomic<Bool>(false)

        /// True for the first caller only: whoever settles resumes the continuation.
        func settle() -> Bool {
            !settled.exchange(true, ordering: .acquiringAndReleasing)
        }

        func set(work: Task<Void, Never>, timer: Task<Void, Never>) {
            tasks.withLock { $0 = [work, timer] }
        }

        func cancelAll() {
            for task in tasks.withLock({ $0 }) { task.cancel() }
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
