import Foundation
import Testing
import VesperCore
import VesperSQLite
import VesperTestSupport

/// The real `vesper serve` binary, driven over HTTP, checked against what the database holds.
@Suite("vesper serve end to end", .serialized)
struct ServeTests {
    @Test func processesJobsAndStopsCleanlyOnSIGTERM() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: ["WORKERS": "5"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            #expect(vesper.log.contains("database sqlite vesper.db · 5 workers"))
            #expect(try await node.get("/health").status == 200)
            #expect(try await node.get("/ready").status == 200)

            var ids: [UUID] = []
            for priority in [0, 3, 7, 10] {
                ids.append(try await node.submit(#"{"type":"resize_image","priority":\#(priority),"payload":{"image_url":"cat.png","width":640}}"#))
            }
            for id in ids {
                try await waitUntil("job \(id) to be done") {
                    try await node.get("/jobs/\(id.uuidString)").json["status"] as? String == "done"
                }
            }
            vesper.send(SIGTERM)
            #expect(try await vesper.waitForExit() == 0)

            // The file holds every job, done, with its attempt recorded.
            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            defer { Task { try? await store.close() } }
            for id in ids {
                let job = try #require(try await store.job(id: id))
                #expect(job.storedStatus == .done)
                #expect(job.attempt == 1)
                #expect(job.finishedAt != nil)
            }
        }
    }

    @Test(arguments: [
        ("WORKERS", "abc"), ("API_ADDR", "nonsense"), ("HTTP_READ_TIMEOUT", "forever"), ("APP_ENV", "staging"),
    ])
    func invalidConfigurationStopsStartupNamingTheVariable(variable: String, value: String) async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(arguments: ["serve"], environment: [variable: value], directory: directory.path)
            #expect(code == 2)
            #expect(output.contains("invalid \(variable)"), "\(output)")
            #expect(!FileManager.default.fileExists(atPath: directory.file("vesper.db")))
        }
    }

    @Test func dotEnvFileIsRead() async throws {
        try await withTemporaryDirectory { directory in
            try "WORKERS=3\nDB_PATH=queue.db\n".write(toFile: directory.file(".env"), atomically: true, encoding: .utf8)
            let vesper = try await VesperProcess(environment: [:], directory: directory.path)
            defer { vesper.stop() }
            #expect(vesper.log.contains("database sqlite queue.db · 3 workers"))
            vesper.send(SIGINT)
            #expect(try await vesper.waitForExit() == 0)
        }
    }
}
