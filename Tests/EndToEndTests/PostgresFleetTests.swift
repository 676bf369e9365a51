import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// Real `vesper serve` processes sharing one real PostgreSQL database.
@Suite("Fleet on PostgreSQL", .serialized)
struct PostgresFleetTests {
    /// Runs `body` with a migrated store on a fresh database of the shared test server.
    func withDatabase(_ body: (PostgresSettings, PostgresJobStore) async throws -> Void) async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                try await body(settings, store)
            }
        }
    }

    @Test func twoNodesShareTenThousandJobsExactlyOnce() async throws {
        try await withDatabase { settings, store in
            try await withTemporaryDirectory { directory in
                var nodes: [VesperProcess] = []
                defer { nodes.forEach { $0.stop() } }
                for _ in 0..<2 {
                    var environment = settings.environment
                    environment["WORKERS"] = "16"
                    nodes.append(try await VesperProcess(environment: environment, directory: directory.path))
                }
                #expect(nodes[0].log.contains("database postgres postgres@"))
                let clients = nodes.map { Node(baseURL: $0.baseURL) }
                let total = ProcessInfo.processInfo.environment["VESPER_E2E_JOBS"].flatMap(Int.init) ?? 10_000
                let ids = try await submitRoundRobin(total, to: clients, lanes: 32)
                #expect(Set(ids).count == total)
                try await waitUntil(timeout: .seconds(240), "all jobs to be done") {
                    try await store.listJobs(JobQuery(status: .done, limit: total + 1, now: Date())).count == total
                }
                let done = try await store.listJobs(JobQuery(status: .done, limit: total + 1, now: Date()))
                #expect(Set(done.map(\.id)) == Set(ids))
                #expect(done.allSatisfy { $0.attempt == 1 }, "every job ran exactly once")
                #expect(Set(done.compactMap(\.workerID)).count == 2, "both nodes did part of the work")
                for node in nodes { node.send(SIGTERM) }
                for node in nodes { #expect(try await node.waitForExit() == 0, "\(node.log.suffix(3000))") }
            }
        }
    }

    @Test func threeNodesSeeTheWholeFleetAndAKilledOneIsReaped() async throws {
        try await withDatabase { settings, store in
            try await withTemporaryDirectory { directory in
                var nodes: [VesperProcess] = []
                defer { nodes.forEach { $0.stop() } }
                for workers in [10, 15, 5] {
                    var environment = settings.environment
                    environment["WORKERS"] = "\(workers)"
                    environment["HEARTBEAT_INTERVAL"] = "500ms"
                    environment["LEASE_DURATION"] = "10m"
                    nodes.append(try await VesperProcess(environment: environment, directory: directory.path))
                }
                let clients = nodes.map { Node(baseURL: $0.baseURL) }
                for client in clients {
                    try await waitUntil("every node to see 30 workers") {
                        try await client.get("/workers").json["total_workers"] as? Int == 30
                    }
                }
                // A job posted to one node starts on another within milliseconds: LISTEN/NOTIFY.
                var ids: [UUID] = []
                for index in 0..<30 { ids.append(try await clients[index % 3].submit(#"{"type":"demo.sleep","payload":{"ms":4000}}"#)) }
                let victim = nodes[2]
                let victimID = try #require(
                    (try await clients[0].get("/workers").json["nodes"] as? [[String: Any]])?.first { $0["pid"] as? Int == Int(victim.pid) }?["id"]
                        as? String)
                try await waitUntil("the victim to hold jobs") {
                    try await store.listJobs(JobQuery(status: .processing, limit: 100, now: Date())).contains { $0.workerID == victimID }
                }
                let held = Set(
                    try await store.listJobs(JobQuery(status: .processing, limit: 100, now: Date())).filter { $0.workerID == victimID }.map(\.id))
                victim.send(SIGKILL)
                try await victim.waitForExit()
                try await waitUntil(timeout: .seconds(20), "the dead node to leave the fleet") {
                    try await clients[0].get("/workers").json["total_workers"] as? Int == 25
                }
                try await waitUntil(timeout: .seconds(90), "every job to be done") {
                    try await store.listJobs(JobQuery(status: .done, limit: 100, now: Date())).count == 30
                }
                // The jobs the victim held when it died were run again by the survivors.
                #expect(!held.isEmpty)
                for id in held {
                    let job = try #require(try await store.job(id: id))
                    #expect(job.attempt == 2)
                    #expect(job.workerID != victimID)
                    #expect(job.error == "", "a done job carries no error from the attempt its dead node lost")
                }
            }
        }
    }
}
