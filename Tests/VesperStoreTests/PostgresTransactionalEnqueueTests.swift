import Foundation
import PostgresNIO
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// Enqueueing inside the application's own PostgreSQL transaction, as River and Oban allow.
@Suite("PostgreSQL transactional enqueue")
struct PostgresTransactionalEnqueueTests {
    struct Rollback: Error {}

    @Test func jobsExistExactlyWhenTheCallersTransactionCommits() async throws {
        try await withPostgresStore { store in
            try await store.client.query("CREATE TABLE orders (id INT PRIMARY KEY)")
            let kept = testJob("send_receipt")
            let dropped = testJob("send_receipt")

            try await store.client.withTransaction(logger: PostgresTestServer.logger) { connection in
                try await connection.query("INSERT INTO orders VALUES (1)", logger: PostgresTestServer.logger)
                _ = try await store.enqueue([kept], now: testEpoch, on: connection)
            }
            do {
                try await store.client.withTransaction(logger: PostgresTestServer.logger) { connection in
                    try await connection.query("INSERT INTO orders VALUES (2)", logger: PostgresTestServer.logger)
                    _ = try await store.enqueue([dropped], now: testEpoch, on: connection)
                    throw Rollback()
                }
            } catch {}

            #expect(try await store.job(id: kept.id)?.type == "send_receipt")
            #expect(try await store.job(id: dropped.id) == nil, "rolled back with the order")
            var orders: [Int] = []
            for try await id in try await store.client.query("SELECT id FROM orders ORDER BY id").decode(Int.self) { orders.append(id) }
            #expect(orders == [1])
        }
    }
}
