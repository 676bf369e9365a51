import Foundation

/// The fleet table: which nodes exist and when each was last heard from. Every store implements it,
/// so the fleet needs no coordination service beyond the queue's own database.
public protocol NodeRegistry: Sendable {
    /// Adds or replaces a node.
    func registerNode(_ node: NodeInfo) async throws

    /// Records a heartbeat. Returns false when the node is no longer registered (it was reaped
    /// while silent), so the caller can register again.
    func heartbeat(nodeID: String, _ beat: NodeHeartbeat, at now: Date) async throws -> Bool

    /// Removes a node (graceful shutdown).
    func deregisterNode(id: String) async throws

    /// Every registered node.
    func listNodes() async throws -> [NodeInfo]

    /// Removes nodes whose last heartbeat is older than `silentSince` and, in the same transaction,
    /// returns the jobs they held to `pending` (counted as a failed attempt; `dlq` when none are
    /// left, with error "node <id> stopped heartbeating"). Safe when several nodes reap at once:
    /// each dead node is reaped by exactly one of them.
    func reapNodes(silentSince: Date, now: Date) async throws -> ReapResult
}

/// What a Vesper node needs from its database: the job store and the fleet table.
public typealias VesperStore = JobStore & NodeRegistry
