import Foundation

/// A store capability: writing completions and reading the best claimable rank in one
/// transaction, so the read costs no round trip or thread hop of its own.
///
/// A node's completion writer writes batches every few milliseconds while jobs finish; with the
/// read folded in, each batch can renew the strict-order vouch (``JobStore/bestClaimableRank(_:)``)
/// before it runs out, and slots freeing with prefetched jobs rarely have to ask the store
/// themselves (see "Strict order with prefetch" in the design notes).
public protocol RankReadingFinish: Sendable {
    /// Applies `completions` as ``JobStore/finish(_:now:)`` does, then reads what
    /// ``JobStore/bestClaimableRank(_:)`` would for `request`, in the same transaction: the read
    /// sees every commit made before the transaction began.
    func finish(_ completions: [Completion], now: Date, readingBestRankFor request: ClaimRequest) async throws -> (
        finished: Set<LeaseToken>, best: JobRank?
    )
}
