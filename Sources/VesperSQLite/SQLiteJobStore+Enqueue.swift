import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore {
    /// Inserts the jobs in one write transaction (one fsync). A job whose idempotency key is taken
    /// is skipped and answered `.existing` or `.conflict`; the others are stored regardless.
    public func enqueue(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome] {
        if jobs.contains(where: { $0.concurrency != nil }) { limitsMayApply() }
        return try await run {
            try await self.pool.write { db in
                let insert = try SQLiteJobInsert(db: db, now: now)
                return try jobs.map(insert.insert)
            }
        }
    }
}

extension SQLiteJobStore: AtomicBatchEnqueue {
    public func enqueueAll(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome] {
        if jobs.contains(where: { $0.concurrency != nil }) { limitsMayApply() }
        return try await run {
            try await self.pool.write { db in
                let insert = try SQLiteJobInsert(db: db, now: now)
                let outcomes = try jobs.map(insert.insert)
                // Throwing inside `write` rolls the whole transaction back.
                if let conflict = BatchConflict.first(in: outcomes) { throw conflict }
                return outcomes
            }
        }
    }
}
