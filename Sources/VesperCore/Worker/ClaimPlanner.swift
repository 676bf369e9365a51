import Foundation
import Logging

/// Decides how many jobs a round claims and from which queues: the free slots plus a prefetch
/// sized by ``PrefetchSizer``, split by the per-queue limits of `QUEUE_CONCURRENCY`. Pure: time is
/// passed in, and the claims themselves are run by ``ClaimPlan/run(on:finishing:logger:request:)``.
struct ClaimPlanner {
    struct Configuration: Sendable {
        var slots: Int
        var maxClaimBatch: Int
        var prefetchLimit: Int
        var prefetchHorizon: Duration
        var queues: [String]?
        var queueConcurrency: [String: Int]

        init(_ options: WorkerPoolOptions) {
            slots = options.slots
            maxClaimBatch = options.maxClaimBatch
            prefetchLimit = options.prefetchLimit
            prefetchHorizon = options.prefetchHorizon
            queues = options.queues
            queueConcurrency = options.queueConcurrency
        }
    }

    let configuration: Configuration
    private(set) var sizer: PrefetchSizer
    /// After a hand-back, no prefetch until some job finishes: the slots are held by long jobs,
    /// and re-claiming what was just handed back would only bump its attempt.
    private(set) var prefetchPaused = false

    init(_ configuration: Configuration, now: ContinuousClock.Instant) {
        self.configuration = configuration
        self.sizer = PrefetchSizer(now: now)
    }

    mutating func recordRun(_ duration: Duration, at now: ContinuousClock.Instant) {
        sizer.recordRun(duration.secondsDouble, at: now)
        prefetchPaused = false
    }

    mutating func recordClaim(_ duration: Duration) {
        sizer.recordClaim(duration.secondsDouble)
    }

    mutating func pausePrefetch() {
        prefetchPaused = true
    }

    /// How many jobs to claim now: the free slots plus the prefetch target, less what is buffered.
    /// A partly full buffer is topped up only once it is down to half its target, so claims stay large.
    mutating func claimSize(free: Int, buffered: Int, now: ContinuousClock.Instant) -> Int {
        let target = prefetchTarget(now: now)
        let wanted = free + target - buffered
        guard wanted > 0, free > 0 || buffered <= target / 2 else { return 0 }
        return min(configuration.maxClaimBatch, wanted)
    }

    /// See ``PrefetchSizer``; capped by `PREFETCH`. None with per-queue limits, which count held jobs.
    private mutating func prefetchTarget(now: ContinuousClock.Instant) -> Int {
        guard configuration.prefetchLimit > 0, configuration.queueConcurrency.isEmpty, !prefetchPaused else { return 0 }
        return sizer.target(slots: configuration.slots, limit: configuration.prefetchLimit, horizon: configuration.prefetchHorizon, now: now)
    }

    /// The claims for `limit` jobs, given the jobs this node holds per queue; `nil` when no queue
    /// has room.
    ///
    /// Without per-queue limits this is one claim statement. With them, each limited queue that has
    /// room is claimed separately (at most its free room), then the remaining queues in one claim
    /// that excludes the limited ones; so priority order holds within a queue and among the
    /// unlimited queues, not across a limited queue and the rest.
    func plan(limit: Int, held: [String: Int]) -> ClaimPlan? {
        let limits = configuration.queueConcurrency
        let selected = configuration.queues
        if limits.isEmpty {
            return ClaimPlan(limit: limit, steps: [.init(limit: limit, queues: selected)], takesCompletions: true)
        }
        var steps: [ClaimPlan.Step] = []
        for queue in limits.keys.sorted() where selected?.contains(queue) ?? true {
            let room = limits[queue]! - held[queue, default: 0]
            if room > 0 { steps.append(.init(limit: room, queues: [queue])) }
        }
        if let selected {
            let open = selected.filter { limits[$0] == nil }
            if !open.isEmpty { steps.append(.init(limit: limit, queues: open)) }
        } else {
            steps.append(.init(limit: limit, queues: nil, excludedQueues: limits.keys.sorted()))
        }
        return steps.isEmpty ? nil : ClaimPlan(limit: limit, steps: steps, takesCompletions: false)
    }
}

/// The claims of one dispatcher round, run in order until `limit` jobs came.
struct ClaimPlan: Sendable, Equatable {
    struct Step: Sendable, Equatable {
        /// At most this many from this step.
        var limit: Int
        /// Only these queues (`nil`: any).
        var queues: [String]?
        /// Never these queues.
        var excludedQueues: [String] = []
    }

    /// Jobs wanted in all.
    var limit: Int
    var steps: [Step]
    /// The plan is one claim statement, so finished attempts waiting to be written can ride along
    /// in its transaction (``JobStore/finishAndClaim(_:_:)``).
    var takesCompletions: Bool

    /// Runs the claims; `request` builds a step's ``ClaimRequest`` for a number of jobs.
    ///
    /// A failure after some jobs were claimed returns those (they are leased and must run) and
    /// leaves the rest for the next round. `finishing` is written with the first claim, and only
    /// when the plan ``takesCompletions``.
    func run(
        on store: any JobStore, finishing: [Completion], logger: Logger, request: (Step, Int) -> ClaimRequest
    ) async throws -> (finished: Set<LeaseToken>, claimed: [Job]) {
        if takesCompletions, let step = steps.first {
            return try await store.finishAndClaim(finishing, request(step, min(step.limit, limit)))
        }
        var claimed: [Job] = []
        do {
            for step in steps {
                let remaining = min(step.limit, limit - claimed.count)
                guard remaining > 0 else { continue }
                claimed += try await store.claim(request(step, remaining))
            }
        } catch {
            if claimed.isEmpty { throw error }
            logger.warning("claim failed part-way, running what was claimed", metadata: [LogKey.error: "\(error)"])
        }
        return ([], claimed)
    }
}
