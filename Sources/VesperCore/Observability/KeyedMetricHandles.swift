import Synchronization

/// swift-metrics handles created once per key: creating one per event would ask the backend's
/// registry (and take its lock) every time.
///
/// Hot-path events (an HTTP request, an enqueued or finished job) key by their label values,
/// hashed in place: a key string built from label names and values cost a dozen or more string
/// allocations per event, on every request. Rare events key by such a string.
public final class KeyedMetricHandles<Key: Hashable & Sendable, Handles: Sendable>: Sendable {
    private let cache = Mutex<[Key: Handles]>([:])

    public init() {}

    /// The handles for `key`, made by `make` the first time.
    public func handles(_ key: Key, make: (Key) -> Handles) -> Handles {
        cache.withLock { cache in
            if let handles = cache[key] { return handles }
            let handles = make(key)
            cache[key] = handles
            return handles
        }
    }
}
