/// The part of ``QueueStatistics`` that counts retained history: jobs per finished state, and
/// `done` jobs of the last minute and five minutes. Counting it reads every retained finished job
/// (an index scan that grows with `RETENTION`), so a store reuses a count of a large history until
/// it is ``costFactor`` times its own running time old.
///
/// A history under ``largeHistory`` finished jobs is counted afresh on every read, so the figures
/// stay exact; the rule depends on the data, not on how busy the machine is. A table of ten million
/// finished jobs, whose count takes a second or more, is counted about once a minute instead of on
/// every five-second sample of every node, which kept a core busy. A reused count's
/// done-in-the-last-minutes figures are those of when it was taken.
public struct HistoryCounts: Sendable, Equatable {
    /// Jobs per finished state (`done`, `failed`, `dlq`, `cancelled`).
    public var byState: [JobStatus: Int] = [:]
    public var doneLastMinute = 0
    public var doneLast5Minutes = 0

    public init() {}

    /// How much older than its own running time a reused count may get before it is taken again.
    public static let costFactor = 60

    /// A count of at least this many finished jobs is reused.
    public static let largeHistory = 100_000

    /// Finished jobs counted, in every state.
    public var total: Int { byState.values.reduce(0, +) }

    /// The last count, and when and how fast it was taken.
    public struct Cache: Sendable {
        private var counts: HistoryCounts?
        private var takenAt: ContinuousClock.Instant?
        private var took: Duration = .zero

        public init() {}

        /// The last count while it is fresh enough to reuse, or `nil` when it must be taken again.
        public func reusable(now: ContinuousClock.Instant) -> HistoryCounts? {
            guard let counts, let takenAt, counts.total >= HistoryCounts.largeHistory else { return nil }
            return now - takenAt < took * HistoryCounts.costFactor ? counts : nil
        }

        /// A count that started at `start` and has just finished at `end`.
        public mutating func record(_ counts: HistoryCounts, start: ContinuousClock.Instant, end: ContinuousClock.Instant) {
            self.counts = counts
            takenAt = end
            took = end - start
        }
    }
}
