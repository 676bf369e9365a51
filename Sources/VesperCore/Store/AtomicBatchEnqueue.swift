import Foundation

/// A store capability: a batch that is all or nothing, idempotency conflicts included.
///
/// Plain ``JobStore/enqueue(_:now:)`` reports a conflicting key as an outcome and stores the rest
/// (right for group-committed single requests, which share a transaction but not a fate). A batch
/// submitted as one request must not be half-created, so a conflict here aborts the transaction.
public protocol AtomicBatchEnqueue: Sendable {
    /// Inserts every job in one transaction. A known key with the same request is `.existing`;
    /// a known key with a different request throws ``VesperError`` (`idempotencyConflict`) and
    /// nothing is stored.
    func enqueueAll(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome]
}

/// The first idempotency conflict in a batch, as the error that aborts it.
public enum BatchConflict {
    public static func first(in outcomes: [EnqueueOutcome]) -> VesperError? {
        for (index, outcome) in outcomes.enumerated() {
            if case .conflict(let key, let existing) = outcome {
                return VesperError(
                    .idempotencyConflict,
                    "jobs[\(index)]: idempotency key \"\(key)\" was already used for a different request "
                        + "(job \(existing.id.lowercaseText)); nothing was stored")
            }
        }
        return nil
    }
}
