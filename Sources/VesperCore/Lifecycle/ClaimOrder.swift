/// The order in which claimable jobs are handed out: highest priority first, then by fair-share tag
/// (`fair_tag`), then first in, first out by `seq` (the insertion order).
///
/// A job without a partition has tag 0, so a queue that uses no partitions is plain priority, then
/// FIFO. A partitioned job's tag is its start tag in its partition's turn (start-time fair queuing):
/// at enqueue it gets `max(partition's last tag + 1, the queue's virtual time)`, where the virtual
/// time is the lowest tag among the queue's pending partitioned jobs. Partitions therefore take
/// turns, one job each, at each priority; un-partitioned jobs of the same priority go before them.
///
/// Stores walk their claim index in this order (`jobs_claimable (priority DESC, fair_tag, seq)`), and
/// re-sort what a claim returns with ``sorted(_:)`` because `RETURNING` has no order. A node's
/// prefetch buffer keeps what it holds in the same order through ``JobRank``.
public enum ClaimOrder {
    /// One key of the order.
    public struct Key: Sendable, Equatable {
        public var column: JobColumn
        public var descending: Bool
    }

    /// The sort keys, most significant first. The claim index must list the same keys.
    public static let keys: [Key] = [
        Key(column: .priority, descending: true), Key(column: .fairTag, descending: false), Key(column: .sequence, descending: false),
    ]

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
    /// The fair-share tag (``Job/fairTag``), 0 for an un-partitioned job.
    public var fairTag: Int64
    public var sequence: Int64

    public init(priority: Int, fairTag: Int64 = 0, sequence: Int64) {
        self.priority = priority
        self.fairTag = fairTag
        self.sequence = sequence
    }

    public static func < (lhs: JobRank, rhs: JobRank) -> Bool {
        if lhs.priority != rhs.priority { return lhs.priority > rhs.priority }
        if lhs.fairTag != rhs.fairTag { return lhs.fairTag < rhs.fairTag }
        return lhs.sequence < rhs.sequence
    }
}

extension Job {
    /// This job's place in ``ClaimOrder``.
    public var rank: JobRank { JobRank(priority: priority, fairTag: fairTag, sequence: sequence) }
}
