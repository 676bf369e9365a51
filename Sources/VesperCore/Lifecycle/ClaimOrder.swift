/// The order in which claimable jobs are handed out: highest priority first, then first in, first
/// out by `seq` (the insertion order).
///
/// Stores walk their claim index in this order (`jobs_claimable (priority DESC, seq)` in both), and
/// re-sort what a claim returns with ``sorted(_:)`` because `RETURNING` has no order. A node's
/// prefetch buffer keeps what it holds in the same order through ``JobRank``.
public enum ClaimOrder {
    /// One key of the order.
    public struct Key: Sendable, Equatable {
        public var column: JobColumn
        public var descending: Bool
    }

    /// The sort keys, most significant first. The claim index must list the same keys.
    public static let keys: [Key] = [Key(column: .priority, descending: true), Key(column: .sequence, descending: false)]

    /// True when `first` is handed out before `second`.
    public static func precedes(_ first: Job, _ second: Job) -> Bool {
        first.rank < second.rank
    }

    /// `jobs` in claim order.
    public static func sorted(_ jobs: [Job]) -> [Job] {
        jobs.sorted(by: precedes)
    }
}

/// A job's place in ``ClaimOrder``: a lower rank is handed out first.
public struct JobRank: Sendable, Hashable, Comparable {
    public var priority: Int
    public var sequence: Int64

    public init(priority: Int, sequence: Int64) {
        self.priority = priority
        self.sequence = sequence
    }

    public static func < (lhs: JobRank, rhs: JobRank) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        return lhs.sequence < rhs.sequence
    }
}

extension Job {
    /// This job's place in ``ClaimOrder``.
    public var rank: JobRank { JobRank(priority: priority, sequence: sequence) }
}
