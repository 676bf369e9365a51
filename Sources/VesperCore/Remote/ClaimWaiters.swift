import Synchronization

/// Wakes every waiting long-poll claim at once, without losing a signal that arrives between a
/// claim that found nothing and the wait that follows it.
///
/// ``Wakeup`` serves one waiter (the dispatcher); remote workers' claims wait in any number of
/// request handlers. A waiter reads ``generation`` before it looks for work and waits only while
/// the generation is unchanged, so an enqueue that lands in between ends the wait at once.
public final class ClaimWaiters: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextID: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Changes whenever ``signal()`` is called.
    public var generation: UInt64 { state.withLock { $0.generation } }

    /// How many claims are waiting now (for tests).
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Wakes every waiter, and makes waits that began from an older generation return at once.
    public func signal() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.generation &+= 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once the generation differs from `seen`, after `timeout`, or on cancellation.
    public func wait(since seen: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal(since: seen) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(since seen: UInt64) async {
        let id = state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.generation != seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
