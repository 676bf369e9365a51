import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// Real `vesper serve` nodes in two regions (`eu`, `us`) on one real PostgreSQL database: routed
/// jobs run only in their region, wait while it has no node, and fail over after
/// `REGION_FAILOVER_AFTER` unless strict. Where each attempt ran is read from the database.
@Suite("Region routing on PostgreSQL", .serialized)
struct RegionRoutingTests {
    func withDatabase(_ body: (PostgresSettings, PostgresJobStore) async throws -> Void) async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                try await body(settings, store)
            }
        }
    }

    /// Starts a node of `region` and returns it with its node id (read from `/workers`).
    func startNode(
        region: String, settings: PostgresSettings, directory: String, extra: [String: String] = [:]
    ) async throws -> (VesperProcess, String) {
        var environment = settings.environment
        environment["REGION"] = region
        environment["WORKERS"] = "4"
        environment["HEARTBEAT_INTERVAL"] = "300ms"
        environment["POLL_INTERVAL"] = "200ms"
        environment.merge(extra) { $1 }
        let process = try await VesperProcess(environment: environment, directory: directory)
        let client = Node(baseURL: process.baseURL)
        var id: String?
        try await waitUntil("the \(region) node to be in the fleet") {
            let nodes = try await client.get("/workers").json["nodes"] as? [[String: Any]] ?? []
            id = nodes.first { $0["pid"] as? Int == Int(process.pid) }?["id"] as? String
            return id != nil
        }
        return (process, id!)
    }

    /// The nodes that ran each attempt of the done jobs `ids`, from the attempt history.
    func attemptNodes(_ ids: [UUID], store: PostgresJobStore) async throws -> Set<String> {
        var nodes = Set<String>()
        for id in ids {
            let job = try #require(try await store.job(id: id))
            for attempt in job.attempts ?? [] { nodes.insert(attempt.node ?? "?") }
        }
        return nodes
    }

    func submit(_ count: Int, region: String?, strict: Bool = false, to node: Node) async throws -> [UUID] {
        var ids: [UUID] = []
        for index in 0..<count {
            let routing = region.map { #","region":"\#($0)","region_strict":\#(strict)"# } ?? ""
            ids.append(try await node.submit(#"{"type":"demo.noop","payload":{"n":\#(index)}\#(routing)}"#))
        }
        return ids
    }

    func allDone(_ ids: [UUID], store: PostgresJobStore) async throws -> Bool {
        for id in ids where try await store.job(id: id)?.storedStatus != .done { return false }
        return true
    }

    @Test func routedJobsRunOnlyInTheirRegionAndWaitWhileItHasNoNode() async throws {
        try await withDatabase { settings, store in
            try await withTemporaryDirectory { directory in
                let (eu, euID) = try await startNode(region: "eu", settings: settings, directory: directory.path)
                let (us, usID) = try await startNode(region: "us", settings: settings, directory: directory.path)
                defer {
                    eu.stop()
                    us.stop()
                }
                let client = Node(baseURL: us.baseURL)
                // Posted to the us node; run by the eu one.
                let euJobs = try await submit(20, region: "eu", to: client)
                let usJobs = try await submit(20, region: "us", to: Node(baseURL: eu.baseURL))
                let anywhere = try await submit(20, region: nil, to: client)
                try await waitUntil(timeout: .seconds(60), "every job to be done") {
                    try await allDone(euJobs + usJobs + anywhere, store: store)
                }
                #expect(try await attemptNodes(euJobs, store: store) == [euID])
                #expect(try await attemptNodes(usJobs, store: store) == [usID])
                let shown = try await client.get("/jobs/\(euJobs[0].lowercaseText)").json
                #expect(shown["region"] as? String == "eu")
                #expect(shown["region_strict"] as? Bool == false)
                #expect((shown["attempts"] as? [[String: Any]])?.first?["node"] as? String == euID)

                // Without eu nodes (and no failover), eu jobs wait while us jobs still run.
                eu.send(SIGTERM)
                #expect(try await eu.waitForExit() == 0)
                let waiting = try await submit(5, region: "eu", to: client)
                let usLater = try await submit(5, region: "us", to: client)
                try await waitUntil(timeout: .seconds(60), "the us jobs to be done") { try await allDone(usLater, store: store) }
                // The us node has polled many times since (POLL_INTERVAL 200ms) and still left them.
                for id in waiting { #expect(try await store.job(id: id)?.storedStatus == .pending) }

                // A new eu node takes them.
                let (euAgain, euAgainID) = try await startNode(region: "eu", settings: settings, directory: directory.path)
                defer { euAgain.stop() }
                try await waitUntil(timeout: .seconds(60), "the waiting eu jobs to be done") { try await allDone(waiting, store: store) }
                #expect(try await attemptNodes(waiting, store: store) == [euAgainID])
            }
        }
    }

    @Test func afterTheFailoverDelayALostRegionsJobsRunElsewhereUnlessStrict() async throws {
        try await withDatabase { settings, store in
            try await withTemporaryDirectory { directory in
                let (eu, _) = try await startNode(region: "eu", settings: settings, directory: directory.path)
                let (us, usID) = try await startNode(
                    region: "us", settings: settings, directory: directory.path, extra: ["REGION_FAILOVER_AFTER": "2s"])
                defer {
                    eu.stop()
                    us.stop()
                }
                let client = Node(baseURL: us.baseURL)
                // The eu node dies without a word (its region's last sighting is its last heartbeat).
                eu.send(SIGKILL)
                _ = try await eu.waitForExit()
                let loose = try await submit(5, region: "eu", to: client)
                let strict = try await submit(5, region: "eu", strict: true, to: client)
                try await waitUntil(timeout: .seconds(60), "the non-strict eu jobs to run in us") { try await allDone(loose, store: store) }
                #expect(try await attemptNodes(loose, store: store) == [usID])
                // The strict ones, committed with them, wait for their region: the claims that
                // took the loose jobs passed them over.
                for id in strict { #expect(try await store.job(id: id)?.storedStatus == .pending) }
                let shown = try await client.get("/jobs/\(strict[0].lowercaseText)").json
                #expect(shown["region_strict"] as? Bool == true)
            }
        }
    }
}
