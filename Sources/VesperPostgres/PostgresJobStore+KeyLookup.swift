import Foundation
import PostgresNIO
import VesperCore

extension PostgresJobStore: IdempotencyKeyLookup {
    /// One probe of the partial unique index on `idempotency_key`.
    public func job(idempotencyKey key: String) async throws -> Job? {
        try await perform {
            let rows = try await self.client.query(
                "SELECT \(unescaped: PostgresJobRow.columns()) FROM jobs WHERE idempotency_key = \(key)", logger: self.logger)
            return try await PostgresJobRow.jobs(rows).first
        }
    }
}
