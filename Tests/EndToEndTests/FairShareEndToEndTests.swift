import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperSQLite
import VesperTestSupport

/// Fair shares across a real fleet: three `vesper serve` processes on one database, one tenant
/// with 1,000 jobs queued and another with 10 queued after them. Both must progress from the
/// start: the order the handlers started in (as the database recorded it) shows the small
/// tenant's jobs among the first, not after the big tenant's backlog.
@Suite("Fair shares across a fleet", .serialized)
struct FairShareEndToEndTests {
    static let queue = "tenants"
    static let bigTenant = 1000
    static let smallTenant = 10

    @Test func onPostgreSQLBothTenantsProgressFromTheStart() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                try await withTemporaryDirectory { directory in
                    try await Self.run(environment: settings.environment, directory: directory.path, store: store)
                }
            }
        }
    }

    @Test func onOneSQLiteFileBothTenantsProgressFromTheStart() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("tenants.db")
            let store = try SQLiteJobStore(path: database)
            try await store.migrate()
            do {
                try await Self.run(environment: ["DB_PATH": database], directory: directory.path, store: store)
                try await store.close()
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    @Test func theCommandLineEnqueuesAndListsByPartition() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(environment: ["DB_PATH": "cli.db", "WORKERS": "0"], directory: directory.path)
            defer { node.stop() }
            func vesper(_ arguments: [String]) async throws -> [String: Any] {
                let (code, output) = try await VesperProcess.run(
                    arguments: arguments + ["--server", node.baseURL, "--json"], environment: [:], directory: directory.path)
                #expect(code == 0, "\(output)")
                return (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
            }
            let created = try await vesper(["enqueue", "--type", "export", "--partition", "tenant-7"])
            #expect(created["partition"] as? String == "tenant-7")
            _ = try await vesper(["enqueue", "--type", "export"])
            let listed = try await vesper(["jobs", "list", "--partition", "tenant-7"])
            let jobs = try #require(listed["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["job_id"] as? String } == [created["job_id"] as? String])
            let store = try SQLiteJobStore(path: directory.file("cli.db"))
            let id = try #require((created["job_id"] as? String).flatMap(UUID.init(uuidString:)))
            #expect(try await store.job(id: id)?.partition == "tenant-7")
            try await store.close()
        }
    }

    /// Starts three nodes, queues the two tenants' jobs behind a paused queue (so the test, not
    /// the machine's speed, decides what is queued when work starts), resumes it, and reads the
    /// start order back once every job is done.
    static func run(environment: [String: String], directory: String, store: some JobStore) async throws {
        var nodes: [VesperProcess] = []
        defer { nodes.forEach { $0.stop() } }
        for _ in 0..<3 {
            var environment = environment
            environment["WORKERS"] = "4"
            // Claims only for free slots, so each start follows its claim: with prefetch a node
            // holds jobs ahead, and a node the busy machine stalls would start the turns it holds
            // late however fair the claims were. The claims' order is what this test pins down.
            environment["PREFETCH"] = "0"
            nodes.append(try await VesperProcess(environment: environment, directory: directory))
        }
        let clients = nodes.map { Node(baseURL: $0.baseURL) }
        #expect(try await clients[0].post("/queues/\(queue)/pause", "").status == 200)
        let job = #"{"type":"demo.sleep","queue":"\#(queue)","payload":{"ms":5},"partition":"%@"}"#
        func batch(_ tenant: String, _ count: Int) -> String {
            "{\"jobs\":[" + Array(repeating: job.replacingOccurrences(of: "%@", with: tenant), count: count).joined(separator: ",") + "]}"
        }
        let big = try await clients[0].post("/jobs/batch", batch("tenant-a", bigTenant))
        #expect(big.status == 201, "\(big.body.prefix(500))")
        let small = try await clients[1].post("/jobs/batch", batch("tenant-b", smallTenant))
        #expect(small.status == 201, "\(small.body.prefix(500))")
        #expect(try await clients[2].post("/queues/\(queue)/resume", "").status == 200)

        let total = bigTenant + smallTenant
        try await waitUntil(timeout: .seconds(240), "every tenant's job to be done") {
            try await store.listJobs(JobQuery(status: .done, queue: queue, limit: total + 1, now: Date())).count == total
        }
        let done = try await store.listJobs(JobQuery(status: .done, queue: queue, limit: total + 1, now: Date()))
        #expect(done.allSatisfy { $0.startedAt != nil && $0.attempt == 1 })
        #expect(Set(done.compactMap(\.workerID)).count == 3, "every node took part")
        let started = done.sorted { ($0.startedAt!, $0.sequence) < ($1.startedAt!, $1.sequence) }
        let smallStarts = started.indices.filter { started[$0].partition == "tenant-b" }
        #expect(smallStarts.count == smallTenant)
        // Taking turns, tenant-b's 10 jobs are claims 2, 4, ... 20; twelve slots let starts drift
        // a little from claims. Without fair shares they would be starts 1,001 to 1,010.
        let lastSmallStart = try #require(smallStarts.last)
        #expect(lastSmallStart < 60, "tenant-b's jobs started at positions \(smallStarts)")
        let lastSmallStartTime = started[lastSmallStart].startedAt!
        let bigFinishedBefore = done.filter { $0.partition == "tenant-a" && $0.finishedAt! <= lastSmallStartTime }.count
        #expect(bigFinishedBefore < 60, "\(bigFinishedBefore) of tenant-a's jobs finished before tenant-b's last one started")
        // And tenant-a was not held back either: it had jobs started before tenant-b's last.
        #expect(started[..<lastSmallStart].contains { $0.partition == "tenant-a" })
        for node in nodes { node.send(SIGTERM) }
        for node in nodes { #expect(try await node.waitForExit() == 0, "\(node.log.suffix(3000))") }
    }
}
