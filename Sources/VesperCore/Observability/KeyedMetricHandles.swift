import Synchronization

/// swift-metrics handles for the label values of one hot-path event (an HTTP request, an enqueued
/// or finished job), created once per distinct set of values.
///
/// The key is the label values themselves, hashed in place: looking handles up by a string built
/// from label names and values (as ``MetricHandleCache`` does) cost a dozen or more string
/// allocations per event, on every request.
final class KeyedMetricHandles<Key: Hashable & Sendable, Handles: Sendable>: Sendable {
    private let cache = Mutex<[Key: Handles]>([:])

    func handles(_ key: Key, make: (Key) -> Handles) -> Handles {
        cache.withLock { cache in
            if let handles = cache[key] { return handles }
            let handles = make(key)
            cache[key] = handles
            return handles
        }
    }
}
