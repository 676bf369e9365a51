import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Jobs routed to a region, on each store: who may claim them, and when a region's jobs fail over.
@Suite("Region routing conformance")
struct RegionRoutingConformanceTests {
    static func request(
        region: String, now: Date = testEpoch, failoverAfter: TimeInterval? = nil, limit: Int = 10, worker: String? = nil
    ) -> ClaimRequest {
        ClaimRequest(
            limit: limit, types: nil, workerID: worker ?? "\(region)-1", leaseUntil: now.addingTimeInterval(30), now: now, region: region,
            regionFailoverBefore: failoverAfter.map { now.addingTimeInterval(-$0) })
    }

    static func routed(_ region: String?, strict: Bool = false, priority: Int = 0) -> NewJob {
        var job = testJob(priority: priority)
        job.region = region
        job.regionStrict = strict
        return job
    }

    static func node(_ id: String, region: String, at time: Date = testEpoch) -> NodeInfo {
        NodeInfo(
            id: id, hostname: "machine", pid: 1, apiAddress: "127.0.0.1:8080", workers: 5, types: ["*"], startedAt: time, lastHeartbeat: time,
            region: region)
    }

    @Test(arguments: StoreKind.allCases)
    func aRoutedJobIsStoredAndReadBackWithItsRegion(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let created = try await store.add(Self.routed("eu", strict: true))
            #expect(created.region == "eu")
            #expect(created.regionStrict)
            let read = try #require(try await store.job(id: created.id))
            #expect(read.region == "eu")
            #expect(read.regionStrict)
            let plain = try await store.add(testJob())
            #expect(try await store.job(id: plain.id)?.region == nil)
            #expect(try await store.job(id: plain.id)?.regionStrict == false)
            let claimed = try await store.claim(Self.request(region: "eu"))
            #expect(Set(claimed.map(\.region)) == [nil, "eu"])
            #expect(claimed.first { $0.id == created.id }?.regionStrict == true)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func onlyNodesOfTheRegionClaimARoutedJobAndAnyNodeClaimsAnUnroutedOne(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let eu = try await store.add(Self.routed("eu", priority: 5))
            let anywhere = try await store.add(Self.routed(nil, priority: 1))
            let us = try await store.add(Self.routed("us", priority: 3))
            // The rank read filters as the claim does: a us node's best is the us job, not the eu one.
            #expect(try await store.bestClaimableRank(Self.request(region: "us", limit: 1)) == us.rank)
            #expect(try await store.claim(Self.request(region: "us")).map(\.id).sorted { $0.uuidString < $1.uuidString }
                == [us.id, anywhere.id].sorted { $0.uuidString < $1.uuidString })
            #expect(try await store.bestClaimableRank(Self.request(region: "us", limit: 1)) == nil)
            #expect(try await store.bestClaimableRank(Self.request(region: "eu", limit: 1)) == eu.rank)
            #expect(try await store.claim(Self.request(region: "eu")).map(\.id) == [eu.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aRegionSilentForTheFailoverDelayHandsItsNonStrictJobsToOtherRegions(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let registry = store
            try await registry.registerNode(Self.node("eu-1", region: "eu"))
            let beatAt = testEpoch.addingTimeInterval(10)
            #expect(try await registry.heartbeat(nodeID: "eu-1", NodeHeartbeat(apiAddress: "x", busy: 0, jobsDone: 0, jobsFailed: 0), at: beatAt))
            let loose = try await store.add(Self.routed("eu"))
            let strict = try await store.add(Self.routed("eu", strict: true))
            let unseen = try await store.add(Self.routed("ap"))
            // The eu node is reaped: the region's last sighting stays.
            _ = try await registry.reapNodes(silentSince: beatAt.addingTimeInterval(1), now: beatAt.addingTimeInterval(1))
            #expect(try await registry.listNodes().isEmpty)
            // Without failover, never.
            #expect(try await store.claim(Self.request(region: "us", now: beatAt.addingTimeInterval(3600))).isEmpty)
            // 60s failover: not yet 60s after the last heartbeat.
            let early = beatAt.addingTimeInterval(59)
            #expect(try await store.bestClaimableRank(Self.request(region: "us", now: early, failoverAfter: 60, limit: 1)) == nil)
            #expect(try await store.claim(Self.request(region: "us", now: early, failoverAfter: 60)).isEmpty)
            // After it: the loose job only; the strict one and the never-seen region's wait.
            let late = beatAt.addingTimeInterval(61)
            #expect(try await store.bestClaimableRank(Self.request(region: "us", now: late, failoverAfter: 60, limit: 1)) == loose.rank)
            #expect(try await store.claim(Self.request(region: "us", now: late, failoverAfter: 60)).map(\.id) == [loose.id])
            #expect(try await store.job(id: strict.id)?.storedStatus == .pending)
            #expect(try await store.job(id: unseen.id)?.storedStatus == .pending)
            // Its own region still claims the strict one.
            #expect(try await store.claim(Self.request(region: "eu", now: late)).map(\.id) == [strict.id])
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aHeartbeatKeepsTheRegionFromFailingOver(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let registry = store
            try await registry.registerNode(Self.node("eu-1", region: "eu"))
            let job = try await store.add(Self.routed("eu"))
            let later = testEpoch.addingTimeInterval(100)
            #expect(try await store.claim(Self.request(region: "us", now: later, failoverAfter: 60)).map(\.id) == [job.id])
            try await store.finish([Completion(token: LeaseToken(id: job.id, attempt: 1), outcome: .release)], now: later)
            #expect(try await registry.heartbeat(nodeID: "eu-1", NodeHeartbeat(apiAddress: "x", busy: 0, jobsDone: 0, jobsFailed: 0), at: later))
            #expect(try await store.claim(Self.request(region: "us", now: later.addingTimeInterval(1), failoverAfter: 60)).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aReapedNodesRoutedJobGoesBackToItsRegion(kind: StoreKind) async throws {
        try await withStore(kind) { store in
            let registry = store
            try await registry.registerNode(Self.node("eu-1", region: "eu"))
            try await registry.registerNode(Self.node("us-1", region: "us"))
            let job = try await store.add(Self.routed("eu"))
            #expect(try await store.claim(Self.request(region: "eu")).map(\.id) == [job.id])
            var us = Self.node("us-1", region: "us", at: testEpoch.addingTimeInterval(20))
            us.lastHeartbeat = testEpoch.addingTimeInterval(20)
            try await registry.registerNode(us)
            let result = try await registry.reapNodes(silentSince: testEpoch.addingTimeInterval(10), now: testEpoch.addingTimeInterval(21))
            #expect(result.releasedJobs == 1)
            let released = try #require(try await store.job(id: job.id))
            #expect(released.storedStatus == .pending)
            #expect(released.region == "eu")
            // Back to its region: the us node cannot take it (no failover), a new eu node can.
            #expect(try await store.claim(Self.request(region: "us", now: testEpoch.addingTimeInterval(22))).isEmpty)
            #expect(try await store.claim(Self.request(region: "eu", now: testEpoch.addingTimeInterval(22))).map(\.id) == [job.id])
        }
    }
}
