import Synchronization

/// A wake-up handle that exists before what it wakes.
///
/// The facade creates the queue client when it opens the store, but the worker pool only when
/// `run()` knows the registered handlers. The client is handed this relay's ``signal()`` at once;
/// the pool is connected with ``connect(_:)`` once it exists. A signal before that has nothing to
/// wake and is dropped: a pool's first round claims whatever is due anyway.
public final class WakeupRelay: Sendable {
    private let target = Mutex<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// Sends later signals to `wake` (a worker pool's `wake()`).
    public func connect(_ wake: @escaping @Sendable () -> Void) {
        target.withLock { $0 = wake }
    }

    /// Wakes the connected target, if any.
    public func signal() {
        target.withLock { $0 }?()
    }
}
