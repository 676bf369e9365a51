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
