import Foundation
import Testing
import VesperCore
import VesperSQLite
import VesperTestSupport

/// Tokens and batches through the real binary.
@Suite("Batches and tokens end to end", .serialized)
struct BatchAndAuthEndToEndTests {
    @Test func producerSubmitsABatchReaderOnlyReads() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["API_TOKENS": "producer:producer-secret-1,reader:reader-secret-1", "METRICS_REQUIRE_TOKEN": "0"],
                directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let batch = #"{"jobs":[{"type":"a","priority":3},{"type":"b","priority":9},{"type":"c"}]}"#

            #expect(try await node.post("/jobs/batch", batch).status == 401)
            #expect(try await node.post("/jobs/batch", batch, headers: [("Authorization", "Bearer reader-secret-1")]).status == 403)
            let created = try await node.post("/jobs/batch", batch, headers: [("Authorization", "Bearer producer-secret-1")])
            #expect(created.status == 201)
            let ids = (created.json["jobs"] as? [[String: Any]] ?? []).compactMap { ($0["job_id"] as? String).flatMap { UUID(uuidString: $0) } }
            #expect(ids.count == 3)
            #expect(try await node.get("/health").status == 200)
            #expect(try await node.get("/metrics").status == 200)
            #expect(try await node.get("/workers").status == 401)
            #expect(!vesper.log.contains("producer-secret-1"), "tokens never reach the log")

            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            defer { Task { try? await store.close() } }
            try await waitUntil("the batch to be done") {
                try await ids.asyncAllSatisfy { try await store.job(id: $0)?.storedStatus == .done }
            }
            vesper.send(SIGTERM)
            #expect(try await vesper.waitForExit() == 0)
        }
    }
}
