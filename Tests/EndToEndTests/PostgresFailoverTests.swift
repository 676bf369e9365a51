import Foundation
import Synchronization
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// The primary dies under load and a synchronous standby is promoted: nodes configured with both
/// hosts find the new primary by themselves, never acknowledge a job while there is no primary,
/// and lose nothing they acknowledged.
@Suite("PostgreSQL failover", .serialized)
struct PostgresFailoverTests {
    final class Tally: Sendable {
        /// Acknowledged jobs with when their request was sent and answered.
        let acknowledged = Mutex<[(id: UUID, sent: ContinuousClock.Instant, answered: ContinuousClock.Instant)]>([])
        let unavailable = Atomic<Int>(0)
        let other = Mutex<[String]>([])
        let stopped = Atomic<Bool>(false)
    }

    @Test func promotedStandbyTakesOverWithoutLosingAcknowledgedJobs() async throws {
        let servers = try await ReplicatedPostgresServers()
        do {
            try await run(servers)
        } catch {
            await servers.destroy()
            throw error
        }
        await servers.destroy()
    }

    func run(_ servers: ReplicatedPostgresServers) async throws {
        try await withTemporaryDirectory { directory in
            var base = servers.settings(servers.primaryDirectory).environment
            base["WORKERS"] = "2"
            base["DB_TIMEOUT"] = "1s"
            base["POLL_INTERVAL"] = "200ms"
            // The standby is listed first on one node: a node must pick the host that accepts writes.
            // Two regions: one node beside each server.
            var first = base
            first["DB_HOST"] = "\(servers.standbyDirectory),\(servers.primaryDirectory)"
            first["REGION"] = "us"
            var second = base
            second["DB_HOST"] = "\(servers.primaryDirectory),\(servers.standbyDirectory)"
            second["REGION"] = "eu"
            // A node whose hosts are a standby and nothing does not start, and says what it found.
            var noPrimary = base
            noPrimary["DB_HOST"] = "\(servers.standbyDirectory),\(directory.path)/no-server-here"
            let (refused, output) = try await VesperProcess.run(arguments: ["serve"], environment: noPrimary, directory: directory.path)
            #expect(refused != 0)
            #expect(output.contains("no PostgreSQL host accepts writes"), "\(output)")
            #expect(output.contains("\(servers.standbyDirectory) is read-only"), "\(output)")

            let one = try await VesperProcess(environment: first, directory: directory.path)
            defer { one.stop() }
            let two = try await VesperProcess(environment: second, directory: directory.path)
            defer { two.stop() }
            let nodes = [Node(baseURL: one.baseURL), Node(baseURL: two.baseURL)]
            try await waitUntil("both regions in the fleet") {
                (try await nodes[0].get("/workers").json["regions"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["eu", "us"]
            }
            let tally = Tally()
            let clock = ContinuousClock()
            var killed = clock.now
            var promoted = clock.now

            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<4 {
                    let node = nodes[index % 2]
                    group.addTask {
                        while !tally.stopped.load(ordering: .relaxed) {
                            let sent = clock.now
                            do {
                                let reply = try await node.post("/jobs", #"{"type":"demo.sleep","payload":{"ms":5}}"#)
                                switch reply.status {
                                case 201:
                                    let id = UUID(uuidString: reply.json["job_id"] as! String)!
                                    tally.acknowledged.withLock { $0.append((id, sent, clock.now)) }
                                case 503: tally.unavailable.add(1, ordering: .relaxed)
                                default: tally.other.withLock { $0.append("\(reply.status) \(reply.body)") }
                                }
                            } catch {
                                tally.other.withLock { $0.append("\(error)") }
                            }
                        }
                    }
                }
                try await waitUntil(timeout: .seconds(60), "some jobs to be acknowledged") { tally.acknowledged.withLock { $0.count } >= 100 }
                try await servers.killPrimary()
                killed = clock.now
                for node in nodes {
                    try await waitUntil("/ready to report no primary") { try await node.get("/ready").status == 503 }
                }
                try await waitUntil("POST /jobs to answer 503") { tally.unavailable.load(ordering: .relaxed) > 0 }
                for node in nodes { #expect(try await node.get("/health").status == 200) }
                promoted = clock.now
                try await servers.promoteStandby()
                for node in nodes {
                    try await waitUntil(timeout: .seconds(60), "/ready to recover on the new primary") {
                        try await node.get("/ready").status == 200
                    }
                }
                let before = tally.acknowledged.withLock { $0.count }
                try await waitUntil(timeout: .seconds(60), "submissions to succeed again") {
                    tally.acknowledged.withLock { $0.count } > before + 100
                }
                tally.stopped.store(true, ordering: .relaxed)
                try await group.waitForAll()
            }
            #expect(tally.other.withLock { $0 }.isEmpty, "only 201 and 503 answers: \(tally.other.withLock { $0.prefix(5) })")

            let acknowledged = tally.acknowledged.withLock { $0 }
            // Sent after the primary died and answered before the standby was promoted: no server
            // accepted writes, so a 201 would be a job that is nowhere.
            let withoutPrimary = acknowledged.filter { $0.sent >= killed && $0.answered < promoted }
            #expect(withoutPrimary.isEmpty, "201s while no server accepted writes: \(withoutPrimary.map(\.id))")
            if let firstAfter = acknowledged.filter({ $0.sent >= promoted }).map(\.answered).min() {
                print("failover: first 201 \(firstAfter - promoted) after pg_ctl promote began; \(acknowledged.count) jobs acknowledged")
            }

            let store = try PostgresJobStore(settings: servers.settings(servers.standbyDirectory), logger: PostgresTestServer.logger)
            try await store.withRunning {
                let ids = Set(acknowledged.map(\.id))
                try await waitUntil(timeout: .seconds(120), "every acknowledged job to be done on the new primary") {
                    let done = Set(try await store.listJobs(JobQuery(status: .done, limit: 1_000_000, now: Date())).map(\.id))
                    return done.isSuperset(of: ids)
                }
                #expect(try await store.listJobs(JobQuery(status: .processing, now: Date())).isEmpty)
            }
            for process in [one, two] {
                process.send(SIGTERM)
                #expect(try await process.waitForExit() == 0)
            }
        }
    }
}
