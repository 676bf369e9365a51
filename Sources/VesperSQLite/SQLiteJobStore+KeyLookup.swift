import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: IdempotencyKeyLookup {
    /// One probe of the partial unique index on `idempotency_key`.
    public func job(idempotencyKey key: String) async throws -> Job? {
        try await run {
            try await self.pool.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT \(SQLiteRow.columns) FROM jobs WHERE idempotency_key = ?", arguments: [key]
                ).map(SQLiteRow.job)
            }
        }
    }
}
