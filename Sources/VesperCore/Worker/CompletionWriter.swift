import Foundation
import Logging
import Synchronization

/// Buffers finished attempts and writes them in batches, so a worker slot is free the moment its
/// handler returns and many completions share one transaction.
///
/// Batching needs no timer: while one batch is being written the next one accumulates.
/// A write that fails (database away) is retried with backoff; nothing is dropped. If the process
/// dies with completions still buffered, the jobs' leases expire and they run again (at-least-once).
final class CompletionWriter: Sendable {
    private let store: any JobStore
    private let clock: WallClock
    private let logger: Logger
    private let buffer = Mutex<[Completion]>([])
    private let wakeup = Wakeup()
    private let stopped = Mutex(false)
    private let writtenCount = Atomic<Int>(0)

    init(store: any JobStore, clock: WallClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    func submit(_ completion: Completion) {
        buffer.withLock { $0.append(completion) }
        wakeup.signal()
    }

    /// Writes until ``stop()`` is called and the buffer is empty.
    func run() async {
        var failures = 0
        while true {
            let batch = buffer.withLock { buffer -> [Completion] in
                defer { buffer.removeAll(keepingCapacity: true) }
                return buffer
            }
            if Task.isCancelled && (batch.isEmpty || failures > 0) { return }
            if batch.isEmpty {
                if stopped.withLock({ $0 }) { return }
                await wakeup.wait()
                continue
            }
            do {
                try await store.finish(batch, now: clock.now())
                writtenCount.add(batch.count, ordering: .relaxed)
                failures = 0
            } catch {
                failures += 1
                logger.error("could not record finished jobs, will retry", metadata: [LogKey.count: "\(batch.count)", LogKey.error: "\(error)"])
                buffer.withLock { $0.insert(contentsOf: batch, at: 0) }
                try? await Task.sleep(for: .milliseconds(min(5_000, 50 * (1 << min(failures, 7)))))
            }
        }
    }

    /// Finish what is buffered, then return from ``run()``.
    func stop() {
        stopped.withLock { $0 = true }
        wakeup.signal()
    }
}
