import Foundation
import Testing
import VesperTestSupport

/// The client subcommands of the real binary against a real node.
@Suite("vesper CLI", .serialized)
struct CLITests {
    func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    @Test func enqueueInspectDeadLetterAndRetry() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(
                environment: ["RETRY_BASE_DELAY": "10ms", "MAX_RETRIES": "1", "POLL_INTERVAL": "50ms"], directory: directory.path)
            defer { node.stop() }
            let server = ["--server", node.baseURL]
            func vesper(_ arguments: [String]) async throws -> (Int32, String) {
                try await VesperProcess.run(arguments: arguments + server, environment: [:], directory: directory.path)
            }

            let (code, created) = try await vesper(["enqueue", "--type", "demo.fail", "--priority", "4", "--payload", #"{"n":1}"#])
            #expect(code == 0, "\(created)")
            let id = try #require(json(created)["job_id"] as? String)

            try await waitUntil("the job to reach the dead-letter queue") {
                self.json(try await vesper(["job", "get", id]).1)["status"] as? String == "dlq"
            }
            let dead = try await vesper(["jobs", "list", "--status", "dlq"])
            #expect((json(dead.1)["jobs"] as? [[String: Any]])?.first?["job_id"] as? String == id)
            let detail = json(try await vesper(["job", "get", id]).1)
            #expect(detail["retries"] as? Int == 2)
            #expect((detail["error"] as? String)?.contains("demo.fail always fails") == true)

            let retried = try await vesper(["job", "retry", id])
            #expect(retried.0 == 0)
            #expect(json(retried.1)["retries"] as? Int == 0)

            let missing = try await vesper(["job", "cancel", UUID().uuidString])
            #expect(missing.0 == 1)
            #expect(missing.1.contains("not_found"))

            let paused = try await vesper(["queues", "pause", "default"])
            #expect(paused.0 == 0, "\(paused.1)")
            let queues = try await vesper(["queues"])
            #expect(queues.1.contains(#""paused":true"#), "\(queues.1)")
            #expect(try await vesper(["queues", "resume", "default"]).0 == 0)
            let filtered = try await vesper(["jobs", "list", "--queue", "default", "--priority", "4"])
            #expect((json(filtered.1)["jobs"] as? [[String: Any]])?.count == 1, "\(filtered.1)")

            let workers = try await vesper(["workers"])
            #expect(workers.0 == 0)
            #expect(workers.1.contains("1 nodes on 1 machines · 5 workers"))
        }
    }

    @Test func migrateCreatesTheSchemaAndExits() async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(arguments: ["migrate"], environment: ["DB_PATH": "q.db"], directory: directory.path)
            #expect(code == 0, "\(output)")
            #expect(output.contains("schema of sqlite q.db is up to date"))
            #expect(FileManager.default.fileExists(atPath: directory.file("q.db")))
        }
    }

    @Test func withAutoMigrateOffServeRefusesAnOldSchemaUntilMigrated() async throws {
        try await withTemporaryDirectory { directory in
            let environment = ["AUTO_MIGRATE": "0", "API_ADDR": "127.0.0.1:0"]
            let (code, output) = try await VesperProcess.run(arguments: ["serve"], environment: environment, directory: directory.path)
            #expect(code == 2, "\(output)")
            #expect(output.contains("invalid AUTO_MIGRATE: the database schema is not up to date"), "\(output)")
            #expect(output.contains("run `vesper migrate`"))

            let migrated = try await VesperProcess.run(arguments: ["migrate"], environment: ["AUTO_MIGRATE": "0"], directory: directory.path)
            #expect(migrated.0 == 0, "\(migrated.1)")
            let node = try await VesperProcess(environment: environment, directory: directory.path)
            defer { node.stop() }
            node.send(SIGTERM)
            #expect(try await node.waitForExit() == 0)
        }
    }
}
