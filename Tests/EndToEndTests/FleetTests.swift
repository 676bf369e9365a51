import Foundation
import Testing
import VesperCore
import VesperSQLite
import VesperTestSupport

/// Several real `vesper serve` processes sharing one SQLite file.
@Suite("Fleet on one SQLite file", .serialized)
struct FleetTests {
    @Test func regionsShowInTheFleetViewTheCLIAndTheGauges() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("regions.db")
            var nodes: [VesperProcess] = []
            defer { nodes.forEach { $0.stop() } }
            for (region, workers) in [("eu", 3), ("eu", 2), ("us", 4)] {
                nodes.append(
                    try await VesperProcess(
                        environment: [
                            "WORKERS": "\(workers)", "DB_PATH": database, "REGION": region, "METRICS_SAMPLE_INTERVAL": "200ms",
                            "NODE_TIMEOUT": "10s",
                        ], directory: directory.path))
            }
            let client = Node(baseURL: nodes[0].baseURL)
            try await waitUntil("the node to see three nodes") { (try await client.get("/workers").json["nodes"] as? [Any])?.count == 3 }
            let fleet = try await client.get("/workers").json
            let regions = try #require(fleet["regions"] as? [[String: Any]])
            #expect(regions.map { $0["name"] as? String } == ["eu", "us"])
            #expect(regions.map { $0["nodes"] as? Int } == [2, 1])
            #expect(regions.map { $0["slots"] as? Int } == [5, 4])
            let nodeRegions = (fleet["nodes"] as? [[String: Any]] ?? []).compactMap { $0["region"] as? String }.sorted()
            #expect(nodeRegions == ["eu", "eu", "us"])
            try await waitUntil("the gauges to carry the region") {
                let metrics = try await client.get("/metrics").body
                return metrics.contains(#"vesper_fleet_nodes{region="eu"} 2"#) && metrics.contains(#"vesper_fleet_workers{region="us"} 4"#)
            }
            let (status, table) = try await VesperProcess.run(
                arguments: ["workers", "--server", client.baseURL], environment: [:], directory: directory.path)
            #expect(status == 0)
            #expect(table.contains("REGION"))
            #expect(table.contains("regions: eu 2 nodes, 5 slots"))

            let (badStatus, badOutput) = try await VesperProcess.run(
                arguments: ["serve"], environment: ["DB_PATH": database, "REGION": "eu west"], directory: directory.path)
            #expect(badStatus != 0)
            #expect(badOutput.contains("REGION"))
        }
    }

    @Test func threeNodesSeeTheWholeFleetAndShareTheWork() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("shared.db")
            var nodes: [VesperProcess] = []
            defer { nodes.forEach { $0.stop() } }
            for workers in [10, 15, 5] {
                nodes.append(
                    try await VesperProcess(
                        environment: [
                            "WORKERS": "\(workers)", "DB_PATH": database, "HEARTBEAT_INTERVAL": "500ms",
                            // Not about reaping (the next test is): three nodes fsyncing into one file on
                            // a loaded machine can miss three half-second heartbeats in a row.
                            "NODE_TIMEOUT": "10s",
                        ], directory: directory.path))
            }
            let clients = nodes.map { Node(baseURL: $0.baseURL) }
            for client in clients {
                try await waitUntil("every node to see three nodes") {
                    let fleet = try await client.get("/workers").json
                    return fleet["total_workers"] as? Int == 30 && (fleet["nodes"] as? [Any])?.count == 3
                }
                let machines = try #require(try await client.get("/workers").json["machines"] as? [[String: Any]])
                #expect(machines.count == 1)
                #expect(machines.first?["workers"] as? Int == 30)
            }

            let total = 5000
            let ids = try await submitRoundRobin(total, to: clients, lanes: 24)
            #expect(ids.count == total)

            let store = try SQLiteJobStore(path: database)
            defer { Task { try? await store.close() } }
            try await waitUntil(timeout: .seconds(180), "all jobs to be done") {
                try await store.listJobs(JobQuery(status: .done, limit: total + 1, now: Date())).count == total
            }
            let done = try await store.listJobs(JobQuery(status: .done, limit: total + 1, now: Date()))
            #expect(Set(done.map(\.id)) == Set(ids))
            let repeated = done.filter { $0.attempt != 1 }
            #expect(repeated.isEmpty, "every job ran exactly once; again: \(repeated.prefix(3).map { "attempt \($0.attempt) retries \($0.retries) error '\($0.error)'" })")
            let workersUsed = Set(done.compactMap(\.workerID))
            #expect(workersUsed.count == 3, "each node did some of the work: \(workersUsed)")
            for node in nodes { node.send(SIGTERM) }
            for node in nodes { #expect(try await node.waitForExit() == 0) }
            #expect(try await store.listNodes().isEmpty, "graceful shutdown deregisters")
        }
    }

    @Test func aKilledNodeIsReapedAndItsJobsFinishElsewhere() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("shared.db")
            // A long lease, so only reaping (not lease expiry) can explain a fast recovery.
            let environment = ["WORKERS": "4", "DB_PATH": database, "HEARTBEAT_INTERVAL": "500ms", "LEASE_DURATION": "10m"]
            let doomed = try await VesperProcess(environment: environment, directory: directory.path)
            defer { doomed.stop() }
            let doomedClient = Node(baseURL: doomed.baseURL)
            var ids: [UUID] = []
            // Long enough to still be running after the survivor has started on a busy machine.
            for _ in 0..<4 { ids.append(try await doomedClient.submit(#"{"type":"demo.sleep","payload":{"ms":8000}}"#)) }
            let store = try SQLiteJobStore(path: database)
            defer { Task { try? await store.close() } }
            try await waitUntil("the first node to run all four") {
                try await store.listJobs(JobQuery(status: .processing, now: Date())).count == 4
            }
            let survivor = try await VesperProcess(environment: environment, directory: directory.path)
            defer { survivor.stop() }
            let survivorClient = Node(baseURL: survivor.baseURL)
            try await waitUntil("the survivor to see two nodes") {
                (try await survivorClient.get("/workers").json["nodes"] as? [Any])?.count == 2
            }
            let interrupted = Set(try await store.listJobs(JobQuery(status: .processing, now: Date())).map(\.id))
            doomed.send(SIGKILL)
            try await doomed.waitForExit()
            let killedAt = ContinuousClock.now
            #expect(!interrupted.isEmpty, "the first node was killed while running jobs")
            try await waitUntil(timeout: .seconds(20), "the dead node to leave the fleet view") {
                let nodes = try await survivorClient.get("/workers").json["nodes"] as? [[String: Any]] ?? []
                return nodes.count == 1 && nodes.first?["pid"] as? Int == Int(survivor.pid)
            }
            // Three heartbeats (1.5s) plus one reaping interval and some slack for a busy machine.
            #expect(ContinuousClock.now - killedAt < .seconds(10))
            try await waitUntil(timeout: .seconds(90), "the survivor to finish the dead node's jobs") {
                try await store.listJobs(JobQuery(status: .done, now: Date())).count == 4
            }
            for id in ids {
                let job = try #require(try await store.job(id: id))
                if interrupted.contains(id) {
                    #expect(job.attempt == 2)
                    #expect(job.error == "", "a done job carries no error from the attempt its dead node lost")
                } else {
                    #expect(job.attempt == 1, "finished before the kill")
                }
            }
        }
    }
}
