import Foundation
import Testing
import VesperCore
import VesperTestSupport

@Suite("Node registry conformance")
struct NodeRegistryConformanceTests {
    func node(_ id: String, host: String = "machine-a", workers: Int = 5, at time: Date = testEpoch) -> NodeInfo {
        NodeInfo(
            id: id, hostname: host, pid: 42, apiAddress: "127.0.0.1:8080", workers: workers, types: ["*"], startedAt: time,
            lastHeartbeat: time)
    }

    @Test(arguments: StoreKind.allCases)
    func registerHeartbeatListDeregister(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.registerNode(node("n1", workers: 10))
            try await store.registerNode(node("n2", host: "machine-b", workers: 5))
            let beat = NodeHeartbeat(apiAddress: "127.0.0.1:9000", busy: 3, jobsDone: 7, jobsFailed: 1)
            #expect(try await store.heartbeat(nodeID: "n1", beat, at: testEpoch.addingTimeInterval(5)))
            #expect(try await !store.heartbeat(nodeID: "unknown", beat, at: testEpoch))
            let nodes = try await store.listNodes().sorted { $0.id < $1.id }
            #expect(nodes.map(\.id) == ["n1", "n2"])
            #expect(nodes[0].busy == 3)
            #expect(nodes[0].jobsDone == 7)
            #expect(nodes[0].jobsFailed == 1)
            #expect(nodes[0].apiAddress == "127.0.0.1:9000")
            #expect(nodes[0].lastHeartbeat == testEpoch.addingTimeInterval(5))
            #expect(nodes[0].types == ["*"])
            let view = FleetView(nodes: nodes)
            #expect(view.totalWorkers == 15)
            #expect(view.busyWorkers == 3)
            #expect(view.machines.map(\.hostname) == ["machine-a", "machine-b"])
            try await store.deregisterNode(id: "n1")
            #expect(try await store.listNodes().map(\.id) == ["n2"])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func regionsAreStoredAndSummed(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            var eu = node("eu-1", workers: 4)
            eu.region = "eu"
            var eu2 = node("eu-2", host: "machine-b", workers: 6)
            eu2.region = "eu"
            try await store.registerNode(eu)
            try await store.registerNode(eu2)
            try await store.registerNode(node("plain", workers: 2))
            _ = try await store.heartbeat(nodeID: "eu-2", NodeHeartbeat(apiAddress: "x", busy: 5, jobsDone: 0, jobsFailed: 0), at: testEpoch)
            let nodes = try await store.listNodes().sorted { $0.id < $1.id }
            #expect(nodes.map(\.region) == ["eu", "eu", "default"])
            let view = FleetView(nodes: nodes)
            #expect(
                view.regions == [
                    FleetView.Region(name: "default", nodes: 1, slots: 2, busy: 0), FleetView.Region(name: "eu", nodes: 2, slots: 10, busy: 5),
                ])
            if let source = store as? any QueueStatisticsSource {
                let statistics = try await source.statistics(now: testEpoch)
                #expect(statistics.fleetByRegion == ["eu": FleetFigures(nodes: 2, slots: 10, busy: 5), "default": FleetFigures(nodes: 1, slots: 2, busy: 0)])
                #expect(statistics.fleetNodes == 3)
                #expect(statistics.fleetWorkers == 12)
            }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func reapingRemovesSilentNodesAndReleasesTheirJobsAtOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            try await store.registerNode(node("dead"))
            try await store.registerNode(node("alive"))
            _ = try await store.heartbeat(
                nodeID: "alive", NodeHeartbeat(apiAddress: "x", busy: 0, jobsDone: 0, jobsFailed: 0), at: testEpoch.addingTimeInterval(20))
            let retryable = try await store.add(testJob())
            let exhausted = try await store.add(testJob(maxRetries: 0))
            let other = try await store.add(testJob())
            #expect(try await store.claim(2, worker: "dead").count == 2)
            #expect(try await store.claim(1, worker: "alive").count == 1)

            let result = try await store.reapNodes(silentSince: testEpoch.addingTimeInterval(10), now: testEpoch.addingTimeInterval(21))
            #expect(result == ReapResult(nodes: ["dead"], releasedJobs: 2))
            #expect(try await store.listNodes().map(\.id) == ["alive"])
            let released = try #require(try await store.job(id: retryable.id))
            #expect(released.storedStatus == .pending)
            #expect(released.retries == 1)
            #expect(released.error == "node dead stopped heartbeating")
            #expect(released.workerID == nil)
            #expect(try await store.job(id: exhausted.id)?.storedStatus == .dlq)
            #expect(try await store.job(id: other.id)?.storedStatus == .processing)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentReapersReapEachNodeOnce(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            for index in 0..<6 {
                try await store.registerNode(node("dead-\(index)"))
                try await store.add(testJob())
                _ = try await store.claim(1, worker: "dead-\(index)")
            }
            let results = try await withThrowingTaskGroup(of: ReapResult.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await store.reapNodes(silentSince: testEpoch.addingTimeInterval(1), now: testEpoch.addingTimeInterval(2)) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let reaped = results.flatMap(\.nodes)
            #expect(reaped.count == 6)
            #expect(Set(reaped).count == 6)
            #expect(results.reduce(0) { $0 + $1.releasedJobs } == 6)
            #expect(try await store.listJobs(JobQuery(status: .pending, now: testEpoch.addingTimeInterval(2))).count == 6)
        }
    }
}
