import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// Running jobs under control, through real `vesper serve` processes: cancelling a running job
/// from another node of the fleet, results, progress and attempt history.
@Suite("Running jobs end to end", .serialized)
struct RunningJobsTests {
    @Test func aRunningJobCancelledThroughAnotherNodeEndsCancelledAndFreesItsSlot() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                try await withTemporaryDirectory { directory in
                    // The worker: one slot, a short heartbeat. The API node runs no handlers
                    // (production registers no demo handlers), so the job can only be on the worker.
                    var workerEnvironment = settings.environment
                    workerEnvironment["WORKERS"] = "1"
                    workerEnvironment["HEARTBEAT_INTERVAL"] = "500ms"
                    let worker = try await VesperProcess(environment: workerEnvironment, directory: directory.path)
                    defer { worker.stop() }
                    var apiEnvironment = settings.environment
                    apiEnvironment["APP_ENV"] = "production"
                    let api = try await VesperProcess(environment: apiEnvironment, directory: directory.path)
                    defer { api.stop() }
                    let workerNode = Node(baseURL: worker.baseURL)
                    let apiNode = Node(baseURL: api.baseURL)

                    let id = try await apiNode.submit(#"{"type":"demo.sleep","payload":{"ms":120000}}"#)
                    try await waitUntil("the sleep to run") { try await store.job(id: id)?.storedStatus == .processing }
                    let running = try #require(try await store.job(id: id))

                    let reply = try await apiNode.post("/jobs/\(id.lowercaseText)/cancel", "")
                    #expect(reply.status == 202, "\(reply.body)")
                    #expect(reply.json["status"] as? String == "processing")
                    #expect(reply.json["cancel_requested"] as? Bool == true)

                    try await waitUntil(timeout: .seconds(30), "the job to end cancelled") {
                        try await store.job(id: id)?.storedStatus == .cancelled
                    }
                    let cancelled = try #require(try await store.job(id: id))
                    #expect(cancelled.error == "cancelled by request")
                    #expect(cancelled.attempts?.map(\.outcome) == ["cancelled"])
                    #expect(cancelled.attempts?.first?.node == running.workerID)

                    // The slot is free: the one-slot worker runs the next job.
                    try await waitUntil(timeout: .seconds(30), "the worker's slot to free") {
                        try await workerNode.get("/workers").json["busy_workers"] as? Int == 0
                    }
                    let next = try await apiNode.submit(#"{"type":"demo.noop"}"#)
                    try await waitUntil(timeout: .seconds(30), "the next job to run") { try await store.job(id: next)?.storedStatus == .done }

                    // A late completion of the cancelled attempt is refused, and `cancelled` stays.
                    let late = Completion(token: LeaseToken(id: id, attempt: running.attempt), outcome: .done, result: "1")
                    #expect(try await store.finish([late], now: Date()).isEmpty)
                    #expect(try await store.job(id: id)?.storedStatus == .cancelled)

                    // Cancelling it again, now finished, is a conflict.
                    let again = try await apiNode.post("/jobs/\(id.lowercaseText)/cancel", "")
                    #expect(again.status == 409)
                    #expect(!worker.log.contains("lost_lease"), "the node must not write over the cancel: \(worker.log.suffix(2000))")
                }
            }
        }
    }

    @Test func resultsProgressAndAttemptHistoryComeBackFromTheAPI() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(
                environment: [
                    "DB_PATH": directory.file("vesper.db"), "WORKERS": "4", "HEARTBEAT_INTERVAL": "500ms", "RETRY_BASE_DELAY": "10ms",
                    "RETRY_MAX_DELAY": "20ms", "MAX_RESULT_BYTES": "200",
                ], directory: directory.path)
            defer { node.stop() }
            let client = Node(baseURL: node.baseURL)

            // demo.echo: its payload, byte for byte, is the result.
            let payload = #"{"greeting": "hello", "n": [1, 2, 3]}"#
            let echo = try await client.submit(#"{"type":"demo.echo","payload":\#(payload)}"#)
            let echoed = try await waitForJob(echo, on: client) { $0["status"] as? String == "done" }
            #expect(echoed.body.contains(#""result":\#(payload)"#), "\(echoed.body)")
            #expect((echoed.json["attempts"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["done"])

            // A result over MAX_RESULT_BYTES fails the attempt with an error that says so.
            let big = "{\"text\": \"\(String(repeating: "x", count: 300))\"}"
            let oversize = try await client.submit(#"{"type":"demo.echo","max_retries":0,"payload":\#(big)}"#)
            let failed = try await waitForJob(oversize, on: client) { $0["status"] as? String == "dlq" }
            let error = try #require(failed.json["error"] as? String)
            #expect(error.contains("MAX_RESULT_BYTES (200)"), "\(error)")
            #expect(failed.json["result"] is NSNull)

            // demo.fail: every attempt is kept, with its node, times and error.
            let fail = try await client.submit(#"{"type":"demo.fail","max_retries":2}"#)
            let dead = try await waitForJob(fail, on: client) { $0["status"] as? String == "dlq" }
            let attempts = try #require(dead.json["attempts"] as? [[String: Any]])
            #expect(attempts.map { $0["attempt"] as? Int } == [1, 2, 3])
            #expect(attempts.map { $0["outcome"] as? String } == ["retried", "retried", "dlq"])
            #expect(attempts.map { $0["error"] as? String } == (1...3).map { "demo.fail always fails (attempt \($0))" })
            #expect(attempts.allSatisfy { $0["node"] is String && $0["started_at"] is String && $0["finished_at"] is String })

            // demo.progress: progress shows while it runs; then it is cancelled (on SQLite too).
            let slow = try await client.submit(#"{"type":"demo.progress","payload":{"steps":200,"ms":100}}"#)
            let midway = try await waitForJob(slow, on: client) { json in
                json["status"] as? String == "processing" && ((json["progress"] as? [String: Any])?["percent"] as? Int ?? 0) > 0
            }
            let progress = try #require(midway.json["progress"] as? [String: Any])
            #expect((progress["message"] as? String)?.hasPrefix("step ") == true, "\(progress)")
            #expect(progress["updated_at"] is String)
            let cancel = try await client.post("/jobs/\(slow.lowercaseText)/cancel", "")
            #expect(cancel.status == 202)
            let stopped = try await waitForJob(slow, on: client) { $0["status"] as? String == "cancelled" }
            #expect(stopped.json["error"] as? String == "cancelled by request")

            // Listings carry progress and the cancel flag, not results or attempts.
            let listed = try await client.get("/jobs?limit=10")
            let first = try #require((listed.json["jobs"] as? [[String: Any]])?.first)
            #expect(first["cancel_requested"] != nil && first["attempts"] == nil && first["result"] == nil)
            node.send(SIGTERM)
            #expect(try await node.waitForExit() == 0, "\(node.log.suffix(3000))")
        }
    }

    /// Polls `GET /jobs/{id}` until `condition` holds on its JSON.
    private func waitForJob(
        _ id: UUID, on client: Node, _ condition: @escaping ([String: Any]) -> Bool
    ) async throws -> Node.Reply {
        var last: Node.Reply?
        try await waitUntil(timeout: .seconds(60), "job \(id) to reach the expected state") {
            let reply = try await client.get("/jobs/\(id.lowercaseText)")
            last = reply
            return condition(reply.json)
        }
        return try #require(last)
    }
}
