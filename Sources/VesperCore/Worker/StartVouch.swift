/// What a recent claim or rank read proved about the claimable jobs, so that slots freeing soon
/// after may start buffered jobs without asking the store again.
///
/// A statement that began at `since` saw every claimable job of this node's selection: a rank
/// read saw the best one (`best`), a claim took the best ones (everything left ranks below its last
/// job, or nothing is left). Until something arrives on this node (an enqueue, a notification, a
/// job handed back or retried: the state machine drops the vouch then) the claimable set can only
/// have shrunk, except for jobs that fall due by the clock or that another process commits without
/// a notification; for those the vouch lasts only a short lifetime, after which a slot asks again.
struct StartVouch: Equatable {
    typealias Instant = ContinuousClock.Instant

    enum Bound: Equatable {
        /// Nothing was claimable: every held job may start.
        case all
        /// The best claimable job: held jobs ranked above it may start.
        case above(JobRank)
        /// A full claim's last job: held jobs ranked at or above it may start.
        case atOrAbove(JobRank)
    }

    var bound: Bound
    /// When the statement began; the vouch holds until `since + lifetime`.
    var since: Instant

    /// Whether a held job of `rank` may start at `now` on the strength of this vouch.
    func covers(_ rank: JobRank, now: Instant, lifetime: Duration) -> Bool {
        guard now < since + lifetime else { return false }
        switch bound {
        case .all: return true
        case .above(let best): return rank < best
        case .atOrAbove(let last): return rank <= last
        }
    }
}
