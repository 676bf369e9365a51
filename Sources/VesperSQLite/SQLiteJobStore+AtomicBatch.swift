import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: AtomicBatchEnqueue {
    public func enqueueAll(_ jobs: [NewJob], now: Date) async throws -> [EnqueueOutcome] {
        try await run {
            try await self.pool.write { db in
                let statement = try db.cachedStatement(sql: Self.insertSQL)
                let outcomes = try jobs.map { try Self.insert($0, now: now, statement: statement, db: db) }
                // Throwing inside `write` rolls the whole transaction back.
                if let conflict = BatchConflict.first(in: outcomes) { throw conflict }
                return outcomes
            }
        }
    }
}
