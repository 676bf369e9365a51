import Foundation
import Testing
import VesperCore
import VesperSQLite
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
            let server = ["--server", node.baseURL, "--json"]
            func vesper(_ arguments: [String]) async throws -> (Int32, String) {
                try await VesperProcess.run(arguments: arguments + server, environment: [:], directory: directory.path)
            }

            let (code, created) = try await vesper(["enqueue", "--type", "demo.fail", "--priority", "4", "--payload", #"{"n":1}"#])
            #expect(code == 0, "\(created)")
            let id = try #require(json(created)["job_id"] as? String)

            try await waitUntil("the job to reach the dead-letter queue") {
                self.json(try await vesper(["job", "get", id]).1)["status"] as? String == "dlq"
            }
            // `list` is the default subcommand of `jobs`.
            let dead = try await vesper(["jobs", "--status", "dlq"])
            #expect((json(dead.1)["jobs"] as? [[String: Any]])?.first?["job_id"] as? String == id)
            let detail = json(try await vesper(["job", "get", id]).1)
            #expect(detail["retries"] as? Int == 2)
            #expect((detail["error"] as? String)?.contains("demo.fail always fails") == true)

            let retried = try await vesper(["job", "retry", id])
            #expect(retried.0 == 0)
            #expect(json(retried.1)["retries"] as? Int == 0)

            let missing = try await vesper(["job", "cancel", UUID().uuidString])
            #expect(missing.0 == 1)
            #expect(missing.1.contains("(not_found, HTTP 404)"), "\(missing.1)")

            let paused = try await vesper(["queues", "pause", "default"])
            #expect(paused.0 == 0, "\(paused.1)")
            let queues = try await vesper(["queues"])
            #expect(queues.1.contains(#""paused":true"#), "\(queues.1)")
            #expect(try await vesper(["queues", "resume", "default"]).0 == 0)
            let filtered = try await vesper(["jobs", "list", "--queue", "default", "--priority", "4"])
            #expect((json(filtered.1)["jobs"] as? [[String: Any]])?.count == 1, "\(filtered.1)")

            let workers = try await VesperProcess.run(arguments: ["workers", "--server", node.baseURL], environment: [:], directory: directory.path)
            #expect(workers.0 == 0)
            #expect(workers.1.contains("1 nodes on 1 machines · 5 workers"))
        }
    }

    /// `vesper job delete|run` and `vesper jobs retry|delete` with filters, as text and `--json`,
    /// checked against what the node's SQLite file holds afterwards.
    @Test func deleteRunNowAndBulkActionsByFilter() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(
                environment: ["MAX_RETRIES": "0", "POLL_INTERVAL": "50ms", "DB_PATH": "cli.db"], directory: directory.path)
            defer { node.stop() }
            func vesper(_ arguments: [String], json: Bool = true) async throws -> (Int32, String) {
                try await VesperProcess.run(
                    arguments: arguments + ["--server", node.baseURL] + (json ? ["--json"] : []), environment: [:], directory: directory.path)
            }
            var dead: [String: [String]] = [:]
            for queue in ["q1", "q1", "q1", "q2"] {
                let created = try await vesper(["enqueue", "--type", "demo.fail", "--queue", queue])
                dead[queue, default: []].append(try #require(json(created.1)["job_id"] as? String, "\(created.1)"))
            }
            let later = try #require(json(try await vesper(["enqueue", "--type", "demo.noop", "--queue", "q1", "--delay", "1h"]).1)["job_id"] as? String)
            try await waitUntil("four jobs in the dead-letter queue") {
                (self.json(try await vesper(["jobs", "--status", "dlq"]).1)["jobs"] as? [[String: Any]])?.count == 4
            }
            #expect(try await vesper(["queues", "pause", "q1"]).0 == 0)  // so what is retried or run now stays pending

            let store = try SQLiteJobStore(path: directory.file("cli.db"))  // a second reader of the node's file (WAL)
            func stored(_ id: String) async throws -> Job? { try await store.job(id: try #require(UUID(uuidString: id))) }

            let retried = try await vesper(["jobs", "retry", "--status", "dlq", "--queue", "q1"], json: false)
            #expect(retried.0 == 0 && retried.1.contains("retried 3 jobs · skipped 0"), "\(retried.1)")
            for id in dead["q1"]! { #expect(try await stored(id)?.storedStatus == .pending) }
            #expect(try await stored(dead["q2"]![0])?.storedStatus == .dlq)
            let skipped = try await vesper(["jobs", "retry", "--queue", "q1"])
            #expect(skipped.1.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"retried":0,"skipped":4}"#, "\(skipped.1)")

            let ran = try await vesper(["job", "run", later], json: false)
            #expect(ran.0 == 0 && ran.1.contains("job \(later) pending"), "\(ran.1)")
            #expect(try #require(try await stored(later)).runAt <= Date())
            let ranAgain = try await vesper(["job", "run", later])
            #expect(ranAgain.0 == 1 && ranAgain.1.contains("only scheduled jobs can be run now (invalid_state, HTTP 409)"), "\(ranAgain.1)")

            let deleted = try await vesper(["job", "delete", later], json: false)
            #expect(deleted.0 == 0 && deleted.1.contains("deleted job \(later)"), "\(deleted.1)")
            #expect(try await stored(later) == nil)
            let deletedAgain = try await vesper(["job", "delete", later])
            #expect(deletedAgain.0 == 1 && deletedAgain.1.contains("(not_found, HTTP 404)"), "\(deletedAgain.1)")

            let bulkDeleted = try await vesper(["jobs", "delete", "--queue", "q2", "--type", "demo.fail"])
            #expect(bulkDeleted.1.trimmingCharacters(in: .whitespacesAndNewlines) == #"{"deleted":1,"skipped":0}"#, "\(bulkDeleted.1)")
            #expect(try await stored(dead["q2"]![0]) == nil)
            for id in dead["q1"]! { #expect(try await stored(id) != nil) }

            let unfiltered = try await vesper(["jobs", "delete"])
            #expect(unfiltered.0 != 0 && unfiltered.1.contains("give at least one filter"), "\(unfiltered.1)")
            let badStatus = try await vesper(["jobs", "delete", "--status", "nope"])
            #expect(badStatus.0 == 1 && badStatus.1.contains("status must be one of") && badStatus.1.contains("HTTP 400"), "\(badStatus.1)")
            for id in dead["q1"]! { #expect(try await stored(id) != nil) }
            try await store.close()
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

    /// `--payload '{}, "run_at": "2030-01-01T00:00:00Z"'` once scheduled a job for 2030: the
    /// payload was pasted into the body unchecked.
    @Test func payloadCannotInjectFieldsAndErrorsNameTheirCause() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(environment: [:], directory: directory.path)
            defer { node.stop() }
            // host:port without a scheme is accepted.
            let hostPort = "127.0.0.1:\(node.port)"
            func vesper(_ arguments: [String]) async throws -> (Int32, String) {
                try await VesperProcess.run(arguments: arguments, environment: [:], directory: directory.path)
            }
            let injected = try await vesper(["enqueue", "--type", "x", "--payload", #"{}, "run_at": "2030-01-01T00:00:00Z""#, "--server", hostPort])
            #expect(injected.0 != 0)
            #expect(injected.1.contains("--payload is not one JSON value: unexpected text after the JSON value at byte 2 of the payload"), "\(injected.1)")
            let malformed = try await vesper(["enqueue", "--type", "x", "--payload", #"{"a": tru}"#, "--server", hostPort])
            #expect(malformed.0 != 0)
            #expect(malformed.1.contains("at byte 6 of the payload"), "\(malformed.1)")
            let listed = try await vesper(["jobs", "--server", hostPort, "--json"])
            #expect((json(listed.1)["jobs"] as? [Any])?.isEmpty == true, "\(listed.1)")

            // The payload goes in byte for byte; people get a line, scripts the JSON.
            let created = try await vesper(["enqueue", "--type", "x", "--payload", #"{"b": [1, 2.50]}"#, "--server", hostPort])
            #expect(created.0 == 0, "\(created.1)")
            #expect(created.1.hasPrefix("job "), "\(created.1)")
            #expect(created.1.contains(" pending · type x · queue default · priority 0"), "\(created.1)")
            let table = try await vesper(["jobs", "--server", hostPort])
            #expect(table.1.contains("ID"), "\(table.1)")
            #expect(table.1.contains("1 jobs"), "\(table.1)")
            let page = json(try await vesper(["jobs", "--server", hostPort, "--json"]).1)
            let id = try #require((page["jobs"] as? [[String: Any]])?.first?["job_id"] as? String)
            let raw = try await Node(baseURL: node.baseURL).get("/jobs/\(id)")
            #expect(raw.body.contains(#""payload":{"b": [1, 2.50]}"#), "\(raw.body)")
        }
    }

    @Test func anUnreachableServerIsNamed() async throws {
        try await withTemporaryDirectory { directory in
            let port = try freePort()
            let (code, output) = try await VesperProcess.run(
                arguments: ["jobs", "--server", "127.0.0.1:\(port)"], environment: [:], directory: directory.path)
            #expect(code == 1)
            #expect(output.contains("cannot reach a Vesper node at http://127.0.0.1:\(port) (connection refused)"), "\(output)")
        }
    }

    /// `serve --help` lists every variable the README's configuration tables document.
    @Test func serveHelpListsTheEnvironment() async throws {
        try await withTemporaryDirectory { directory in
            let (code, help) = try await VesperProcess.run(arguments: ["serve", "--help"], environment: [:], directory: directory.path)
            #expect(code == 0)
            let readme = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../README.md").path, encoding: .utf8)
            let documented = readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { line -> String? in
                let name = line.dropFirst(3).prefix { $0 != "`" }
                return name.allSatisfy { $0.isUppercase || $0 == "_" } && name.count > 2 ? String(name) : nil
            }
            #expect(documented.count > 40)
            for name in Set(documented) {
                #expect(help.contains(name), "\(name) is in the README but not in `vesper serve --help`")
            }
        }
    }
}
