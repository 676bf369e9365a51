import Foundation
import Synchronization
import VesperCore

/// Counts handler invocations per job id, so a run can prove each job ran exactly once, and tells
/// a waiting task when a target number of distinct jobs has run.
final class InvocationLedger: Sendable {
    private struct State {
        var counts: [UUID: UInt32] = [:]
        var distinct = 0
        var target = Int.max
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(expected: Int) {
        var initial = State()
        initial.counts.reserveCapacity(expected)
        state = Mutex(initial)
    }

    /// Records one invocation of the handler for `id`.
    func record(_ id: UUID) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            let previous = state.counts.updateValue((state.counts[id] ?? 0) + 1, forKey: id)
            if previous == nil { state.distinct += 1 }
            guard state.distinct >= state.target, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Distinct jobs run so far.
    var distinct: Int { state.withLock { $0.distinct } }

    /// How often the handler ran for `id`.
    func count(_ id: UUID) -> UInt32 { state.withLock { $0.counts[id] ?? 0 } }

    /// A copy of every count (for the final check).
    var snapshot: [UUID: UInt32] { state.withLock { $0.counts } }

    /// Returns once `target` distinct jobs have run, or after `timeout`. Returns whether the target was reached.
    func wait(forDistinct target: Int, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = self.state.withLock { state -> Bool in
                        if state.distinct >= target { return true }
                        state.target = target
                        state.waiter = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
                return true
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            if !first { self.release() }
            group.cancelAll()
            _ = await group.next()
            return first || self.distinct >= target
        }
    }

    private func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
