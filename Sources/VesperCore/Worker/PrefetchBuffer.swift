/// Jobs this node has leased but not started yet, handed out in claim order: highest priority
/// first, then oldest first.
struct PrefetchBuffer {
    private struct Held {
        var job: Job
        var claimedAt: ContinuousClock.Instant
    }

    /// Kept in reverse order, so the next job is `removeLast()`.
    private var reversed: [Held] = []

    var count: Int { reversed.count }
    var isEmpty: Bool { reversed.isEmpty }
    /// The leases to keep alive while the jobs wait.
    var tokens: [LeaseToken] { reversed.map(\.job.leaseToken) }
    /// The queue of each waiting job, for per-queue limits.
    var queues: [String] { reversed.map(\.job.queue) }

    mutating func add(_ claimed: [Job], at now: ContinuousClock.Instant) {
        guard !claimed.isEmpty else { return }
        let held = claimed.reversed().map { Held(job: $0, claimedAt: now) }
        if reversed.isEmpty {
            reversed = held
        } else {
            // A later claim may hold higher priorities than what is already waiting.
            reversed = (reversed + held).sorted { ($0.job.priority, -$0.job.sequence) < ($1.job.priority, -$1.job.sequence) }
        }
    }

    /// The job ``next()`` would hand out.
    var first: Job? { reversed.last?.job }

    mutating func next() -> Job? {
        reversed.popLast()?.job
    }

    /// Takes out the jobs claimed before `cutoff`, in claim order.
    mutating func removeClaimed(before cutoff: ContinuousClock.Instant) -> [Job] {
        var stale: [Job] = []
        reversed.removeAll { held in
            guard held.claimedAt < cutoff else { return false }
            stale.append(held.job)
            return true
        }
        return stale.reversed()
    }

    /// Takes out the jobs holding these leases, in claim order.
    mutating func remove(_ tokens: Set<LeaseToken>) -> [Job] {
        var removed: [Job] = []
        reversed.removeAll { held in
            guard tokens.contains(held.job.leaseToken) else { return false }
            removed.append(held.job)
            return true
        }
        return removed.reversed()
    }

    mutating func removeAll() -> [Job] {
        defer { reversed = [] }
        return reversed.reversed().map(\.job)
    }
}

extension Job {
    /// The fencing token of the attempt this job was claimed for.
    var leaseToken: LeaseToken { LeaseToken(id: id, attempt: attempt) }
}
