import Foundation
import Synchronization
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// PostgreSQL stops and comes back while a node is under load: the node says so (503s), loses
/// nothing it acknowledged, and resumes by itself.
@Suite("PostgreSQL outage", .serialized)
struct PostgresOutageTests {
    final class Tally: Sendable {
        let acknowledged = Mutex<[UUID]>([])
        let unavailable = Atomic<Int>(0)
        let other = Mutex<[String]>([])
        let stopped = Atomic<Bool>(false)
    }

    @Test func databaseRestartUnderLoadLosesNothingAcknowledged() async throws {
        let server = try await StoppablePostgresServer()
        do {
            try await run(server)
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }

    func run(_ server: StoppablePostgresServer) async throws {
        try await withTemporaryDirectory { directory in
            var environment = server.settings.environment
            environment["WORKERS"] = "4"
            environment["DB_TIMEOUT"] = "1s"
            environment["POLL_INTERVAL"] = "200ms"
            let vesper = try await VesperProcess(environment: environment, directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let tally = Tally()

            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        while !tally.stopped.load(ordering: .relaxed) {
                            do {
                                let reply = try await node.post("/jobs", #"{"type":"demo.sleep","payload":{"ms":5}}"#)
                                switch reply.status {
                                case 201: tally.acknowledged.withLock { $0.append(UUID(uuidString: reply.json["job_id"] as! String)!) }
                                case 503: tally.unavailable.add(1, ordering: .relaxed)
                                default: tally.other.withLock { $0.append("\(reply.status) \(reply.body)") }
                                }
                            } catch {
                                tally.other.withLock { $0.append("\(error)") }
                            }
                        }
                    }
                }
                try await waitUntil("some jobs to be acknowledged") { tally.acknowledged.withLock { $0.count } >= 50 }
                try await server.stop()
                try await waitUntil("/ready to report the outage") { try await node.get("/ready").status == 503 }
                try await waitUntil("POST /jobs to answer 503") { tally.unavailable.load(ordering: .relaxed) > 0 }
                #expect(try await node.get("/health").status == 200)
                try await server.start()
                try await waitUntil(timeout: .seconds(60), "/ready to recover") { try await node.get("/ready").status == 200 }
                let before = tally.acknowledged.withLock { $0.count }
                try await waitUntil(timeout: .seconds(60), "submissions to succeed again") { tally.acknowledged.withLock { $0.count } > before + 50 }
                tally.stopped.store(true, ordering: .relaxed)
                try await group.waitForAll()
            }
            #expect(tally.other.withLock { $0 }.isEmpty, "only 201 and 503 answers: \(tally.other.withLock { $0.prefix(5) })")

            let acknowledged = tally.acknowledged.withLock { $0 }
            var settings = server.settings
            settings.database = "postgres"
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await waitUntil(timeout: .seconds(120), "every acknowledged job to be done") {
                    let done = Set(try await store.listJobs(JobQuery(status: .done, limit: 1_000_000, now: Date())).map(\.id))
                    return done.isSuperset(of: acknowledged)
                }
                for id in acknowledged.prefix(20) { #expect(try await store.job(id: id) != nil) }
                #expect(try await store.listJobs(JobQuery(status: .processing, now: Date())).isEmpty)
            }
            vesper.send(SIGTERM)
            #expect(try await vesper.waitForExit() == 0)
        }
    }
}
