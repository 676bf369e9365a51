import Synchronization

/// A wake-up handle that exists before what it wakes.
///
/// The facade creates the queue client when it opens the store, but the worker pool only when
/// `run()` knows the registered handlers. The client is handed this relay's ``signal()`` at once;
/// the pool is connected with ``connect(_:)`` once it exists. A signal before that has nothing to
/// wake and is dropped: a pool's first round claims whatever is due anyway.
public final class WakeupRelay: Sendable {
    /// The closure sits in a struct on purpose: a `Mutex` of a bare function type reabstracts the
    /// closure on every `withLock` and writes the thunk back, so each signal wrapped it once more
    /// and calling it got slower with every enqueue (half the throughput of a burst).
    private struct Target: Sendable {
        var wake: @Sendable () -> Void
    }

    private let target = Mutex<Target?>(nil)

    public init() {}

    /// Sends later signals to `wake` (a worker pool's `wake()`).
    public func connect(_ wake: @escaping @Sendable () -> Void) {
        target.withLock { $0 = Target(wake: wake) }
    }

    /// Wakes the connected target, if any.
    public func signal() {
        let wake = target.withLock { $0?.wake }
        wake?()
    }
}
