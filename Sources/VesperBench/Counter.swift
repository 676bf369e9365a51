import Synchronization

/// A number one task updates and the progress line reads.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)

    func set(_ value: Int) { storage.store(value, ordering: .relaxed) }

    func add(_ value: Int) { storage.add(value, ordering: .relaxed) }

    /// Adds one and returns the value before: hands out indexes to concurrent tasks.
    func next() -> Int { storage.add(1, ordering: .relaxed).oldValue }

    var value: Int { storage.load(ordering: .relaxed) }
}
