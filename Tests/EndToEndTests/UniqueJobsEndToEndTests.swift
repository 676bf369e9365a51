import Foundation
import GRDB
import PostgresNIO
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// Three real `vesper serve` processes on one database, PostgreSQL and SQLite: concurrent
/// submissions of one unique key spread over the nodes create exactly one job.
@Suite("Unique jobs across a fleet", .serialized)
struct UniqueJobsEndToEndTests {
    static let submissions = 50

    @Test func oneUniqueKeyOnThreePostgresNodesCreatesOneJob() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                // Done jobs move to `finished_jobs` on PostgreSQL.
                let storedJobs = "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM finished_jobs)"
                try await Self.run(environment: settings.environment, storedJobs: storedJobs) { sql in
                    var counts: [Int] = []
                    for try await count in try await store.client.query(PostgresQuery(unsafeSQL: sql)).decode(Int.self) { counts.append(count) }
                    return counts.first ?? -1
                }
            }
        }
    }

    @Test func oneUniqueKeyOnThreeSQLiteNodesCreatesOneJob() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("unique.db")
            try await Self.run(environment: ["DB_PATH": database], storedJobs: "SELECT count(*) FROM jobs") { sql in
                let reader = try DatabaseQueue(path: database)
                defer { try? reader.close() }
                return try await reader.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
            }
        }
    }

    /// Starts three nodes with `environment`; `count` answers a `SELECT count(*)` on the database,
    /// and `storedJobs` is the one that counts every stored job, finished ones included.
    static func run(
        environment: [String: String], storedJobs: String, count: @escaping (String) async throws -> Int
    ) async throws {
        try await withTemporaryDirectory { directory in
            var nodes: [VesperProcess] = []
            defer { nodes.forEach { $0.stop() } }
            for _ in 0..<3 {
                var node = environment
                node["WORKERS"] = "2"
                nodes.append(try await VesperProcess(environment: node, directory: directory.path))
            }
            let clients = nodes.map { Node(baseURL: $0.baseURL) }
            // The queue is paused so that the job cannot finish while the submissions race.
            #expect(try await clients[0].post("/queues/unique/pause", "").status == 200)
            let body = #"{"type":"demo.noop","queue":"unique","unique":{"key":"account:42","for":"1h"}}"#
            let replies = try await withThrowingTaskGroup(of: Node.Reply.self) { group in
                for index in 0..<submissions { group.addTask { try await clients[index % 3].post("/jobs", body) } }
                return try await group.reduce(into: [Node.Reply]()) { $0.append($1) }
            }
            let created = replies.filter { $0.status == 201 }
            let answered = replies.filter { $0.status == 200 }
            #expect(created.count == 1, "\(replies.map(\.status))")
            #expect(answered.count == submissions - 1, "\(replies.filter { $0.status != 200 && $0.status != 201 }.map(\.body))")
            let id = try #require(created.first?.json["job_id"] as? String)
            #expect(answered.allSatisfy { $0.json["job_id"] as? String == id && $0.json["duplicate"] as? Bool == true })
            #expect(try await count("SELECT count(*) FROM jobs") == 1)
            #expect(try await count("SELECT count(*) FROM unique_locks") == 1)

            // Once the job is done, the key is free: the next submission creates a new job.
            #expect(try await clients[1].post("/queues/unique/resume", "").status == 200)
            try await waitUntil(timeout: .seconds(60), "the unique job to be done") {
                try await clients[2].get("/jobs/\(id)").json["status"] as? String == "done"
            }
            let next = try await clients[2].post("/jobs", body)
            #expect(next.status == 201, "\(next.body)")
            #expect(next.json["job_id"] as? String != id)
            // The first job is done, and the new one may be by now (its queue runs).
            #expect(try await count(storedJobs) == 2)
            for node in nodes { node.send(SIGTERM) }
            for node in nodes { #expect(try await node.waitForExit() == 0, "\(node.log.suffix(3000))") }
        }
    }
}
