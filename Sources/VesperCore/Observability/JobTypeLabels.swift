import Synchronization

/// Bounds the values of the `type` label on job metrics.
///
/// Job types come from producers, so without a bound every new type is a new time series on every
/// node (20,000 types once made `/metrics` 100 MB and a scrape took seconds). A type keeps its own
/// label when this node has a handler for it, or when it is among the first ``maxOtherTypes``
/// other types seen; every type after that is counted under ``overflowLabel``.
final class JobTypeLabels: Sendable {
    /// The label of types past the bound. Not a valid job type, so it never hides a real one.
    static let overflowLabel = "(other)"

    private struct State {
        var handled: Set<String> = []
        var others: Set<String> = []
        var maxOtherTypes = 100
    }

    private let state = Mutex(State())

    /// The label for `type`.
    func label(for type: String) -> String {
        state.withLock { state in
            if state.handled.contains(type) || state.others.contains(type) { return type }
            guard state.others.count < state.maxOtherTypes else { return Self.overflowLabel }
            state.others.insert(type)
            return type
        }
    }

    /// Types this node has handlers for, which always keep their label; and how many other types may.
    func configure(handledTypes: some Sequence<String>, maxOtherTypes: Int) {
        state.withLock { state in
            state.handled.formUnion(handledTypes)
            state.maxOtherTypes = max(0, maxOtherTypes)
        }
    }
}
