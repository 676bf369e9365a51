import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import Vesper
@testable import VesperHTTP
import VesperTestSupport

/// A clock a test moves by hand.
final class ManualClock: Sendable {
    private let current = Mutex(Date())
    var wallClock: WallClock { WallClock { self.current.withLock { $0 } } }
    func advance(_ seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    func now() -> Date { current.withLock { $0 } }
}

/// The API of a node with the worker protocol, on a real store, with a clock the test controls.
struct ProtocolNode: Sendable {
    let client: any TestClientProtocol
    let store: any VesperStore
    let gateway: RemoteWorkerGateway
    let clock: ManualClock

    func claim(_ body: String) async throws -> [String: Any] {
        let response = try await client.post("/claims", json: body)
        #expect(response.status == .ok, "\(response.text)")
        return response.json
    }

    /// The ids of the jobs a claim returned.
    func claimIDs(_ body: String) async throws -> [String] {
        let jobs = try await claim(body)["jobs"] as? [[String: Any]] ?? []
        return jobs.compactMap { ($0["job"] as? [String: Any])?["job_id"] as? String }
    }

    func enqueue(_ body: String) async throws -> UUID {
        let response = try await client.post("/jobs", json: body)
        #expect(response.status == .created, "\(response.text)")
        return UUID(uuidString: response.json["job_id"] as? String ?? "")!
    }
}

func withProtocolNode<T: Sendable>(
    store kind: StoreKind, tokens: [APIToken] = [], options: RemoteWorkerGateway.Options = RemoteWorkerGateway.Options(),
    _ body: @Sendable (ProtocolNode) async throws -> T
) async throws -> T {
    try await withStore(kind) { store in
        let clock = ManualClock()
        let gateway = RemoteWorkerGateway(store: store, options: options, clock: clock.wallClock, logger: Logger(label: "test"))
        let queue = JobQueue(store: store, clock: clock.wallClock) { gateway.wake() }
        let router = VesperAPI.router(queue: queue, maxBodyBytes: 1 << 20, tokens: tokens, fleet: store, remoteWorkers: gateway)
        let app = VesperAPI.application(
            router: router, address: ListenAddress(host: "127.0.0.1", port: 0), http: HTTPSettings(), logger: Logger(label: "test"))
        return try await app.test(.router) { client in
            try await body(ProtocolNode(client: client, store: store, gateway: gateway, clock: clock))
        }
    }
}

@Suite("Worker protocol over HTTP")
struct WorkerProtocolTests {
    /// The fencing rule for remote workers: an attempt that is no longer current is refused with a
    /// 409 by heartbeat, complete and fail alike, and the row is left exactly as it was.
    @Test(arguments: StoreKind.allCases)
    func aStaleAttemptIs409AndChangesNothing(kind: StoreKind) async throws {
        try await withProtocolNode(store: kind) { node in
            let id = try await node.enqueue(#"{"type":"resize","payload":{"w":1}}"#)
            let first = try await node.claim(#"{"worker":"py-1","types":["resize"],"max":1}"#)
            let firstLease = try #require((first["jobs"] as? [[String: Any]])?.first)
            #expect(firstLease["attempt"] as? Int == 1)
            // The worker goes quiet past its lease; another node's lease keeper recovers the job
            // and it is claimed again: attempt 2 is current, attempt 1 is stale.
            node.clock.advance(31)
            #expect(try await node.store.recoverExpiredLeases(now: node.clock.now()) == 1)
            let second = try await node.claim(#"{"worker":"py-2","max":1}"#)
            #expect((second["jobs"] as? [[String: Any]])?.first?["attempt"] as? Int == 2)
            let before = try #require(try await node.store.job(id: id))
            for (path, body) in [
                ("heartbeat", #"{"attempt":1}"#), ("complete", #"{"attempt":1,"result":{"ok":true}}"#),
                ("fail", #"{"attempt":1,"error":"boom","retryable":false}"#), ("complete", #"{"attempt":3}"#),
            ] {
                let response = try await node.client.post("/jobs/\(id.lowercaseText)/\(path)", json: body)
                #expect(response.status == .conflict, "\(path): \(response.text)")
                #expect(response.errorCode == "stale_attempt", "\(path): \(response.text)")
                #expect(response.errorField == "attempt")
            }
            #expect(try await node.store.job(id: id) == before)
            let done = try await node.client.post("/jobs/\(id.lowercaseText)/complete", json: #"{"attempt":2,"result":[1,2]}"#)
            #expect(done.status == .ok, "\(done.text)")
            #expect(done.json["status"] as? String == "done")
            let stored = try #require(try await node.store.job(id: id))
            #expect(stored.storedStatus == .done)
            #expect(stored.retries == 1)
            // Once done, every attempt is stale, the current one too.
            let again = try await node.client.post("/jobs/\(id.lowercaseText)/complete", json: #"{"attempt":2}"#)
            #expect(again.status == .conflict)
            #expect(try await node.store.job(id: id) == stored)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func failuresFollowTheRetryRules(kind: StoreKind) async throws {
        try await withProtocolNode(store: kind) { node in
            let retried = try await node.enqueue(#"{"type":"a","max_retries":1}"#)
            let permanent = try await node.enqueue(#"{"type":"b"}"#)
            let claimed = try await node.claim(#"{"worker":"w","max":10}"#)
            #expect((claimed["jobs"] as? [[String: Any]])?.count == 2)
            let first = try await node.client.post("/jobs/\(retried.lowercaseText)/fail", json: #"{"attempt":1,"error":"flaky"}"#)
            #expect(first.status == .ok, "\(first.text)")
            var job = try #require(try await node.store.job(id: retried))
            #expect(job.storedStatus == .pending)
            #expect(job.retries == 1)
            #expect(job.error == "flaky")
            // The retry's backoff is random up to its ceiling: move the clock past it.
            node.clock.advance(3600)
            let again = try await node.claim(#"{"worker":"w","types":["a"]}"#)
            #expect((again["jobs"] as? [[String: Any]])?.first?["attempt"] as? Int == 2)
            let last = try await node.client.post("/jobs/\(retried.lowercaseText)/fail", json: #"{"attempt":2,"error":"flaky again"}"#)
            #expect(last.json["status"] as? String == "dlq", "\(last.text)")
            let failed = try await node.client.post(
                "/jobs/\(permanent.lowercaseText)/fail", json: #"{"attempt":1,"error":"bad input","retryable":false}"#)
            #expect(failed.json["status"] as? String == "failed", "\(failed.text)")
            job = try #require(try await node.store.job(id: permanent))
            #expect(job.storedStatus == .failed)
            #expect(job.error == "bad input")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func heartbeatsExtendTheLeaseUntilTheDeadline(kind: StoreKind) async throws {
        try await withProtocolNode(store: kind) { node in
            let id = try await node.enqueue(#"{"type":"slow","timeout_seconds":60}"#)
            let claimed = try await node.claim(#"{"worker":"w"}"#)
            let lease = try #require((claimed["jobs"] as? [[String: Any]])?.first)
            let firstExpiry = try #require(RFC3339.parse(lease["lease_expires_at"] as? String ?? ""))
            node.clock.advance(20)
            let beat = try await node.client.post("/jobs/\(id.lowercaseText)/heartbeat", json: #"{"attempt":1}"#)
            #expect(beat.status == .ok, "\(beat.text)")
            let extended = try #require(RFC3339.parse(beat.json["lease_expires_at"] as? String ?? ""))
            #expect(extended > firstExpiry)
            #expect(try #require(try await node.store.job(id: id)?.leaseUntil) > firstExpiry)
            // Past the 60 s deadline a heartbeat ends the attempt as a timeout, like the watchdog.
            node.clock.advance(41)
            let late = try await node.client.post("/jobs/\(id.lowercaseText)/heartbeat", json: #"{"attempt":1}"#)
            #expect(late.status == .conflict)
            #expect(late.errorCode == "deadline_exceeded", "\(late.text)")
            let job = try #require(try await node.store.job(id: id))
            #expect(job.storedStatus == .pending)
            #expect(job.error == "timeout")
            #expect(job.retries == 1)
        }
    }

    /// A remote worker's progress rides on its heartbeat, its result is stored with the job, and a
    /// cancel requested meanwhile ends the job at the next heartbeat, which answers 409 `cancelled`.
    @Test(arguments: StoreKind.allCases)
    func progressResultsAndCancelTravelOverTheProtocol(kind: StoreKind) async throws {
        var options = RemoteWorkerGateway.Options()
        options.maxResultBytes = 100
        try await withProtocolNode(store: kind, options: options) { node in
            let done = try await node.enqueue(#"{"type":"resize"}"#)
            let cancelled = try await node.enqueue(#"{"type":"resize"}"#)
            #expect(try await node.claimIDs(#"{"worker":"w","max":2}"#).count == 2)

            let beat = try await node.client.post(
                "/jobs/\(done.lowercaseText)/heartbeat", json: #"{"attempt":1,"progress":{"percent":40,"message":"resizing"}}"#)
            #expect(beat.status == .ok, "\(beat.text)")
            let running = try #require(try await node.store.job(id: done))
            #expect(running.progress?.percent == 40 && running.progress?.message == "resizing")
            let badProgress = try await node.client.post(
                "/jobs/\(done.lowercaseText)/heartbeat", json: #"{"attempt":1,"progress":{"percent":140}}"#)
            #expect(badProgress.status == .badRequest && badProgress.text.contains("progress.percent"), "\(badProgress.text)")

            let completed = try await node.client.post(
                "/jobs/\(done.lowercaseText)/complete", json: #"{"attempt":1,"result":{"width":640}}"#)
            #expect(completed.status == .ok, "\(completed.text)")
            let stored = try #require(try await node.store.job(id: done))
            #expect(stored.storedStatus == .done)
            #expect(stored.result == #"{"width":640}"#)
            #expect(stored.attempts?.map(\.outcome) == ["done"])

            let cancel = try await node.client.post("/jobs/\(cancelled.lowercaseText)/cancel", json: "")
            #expect(cancel.status == .accepted, "\(cancel.text)")
            let stop = try await node.client.post("/jobs/\(cancelled.lowercaseText)/heartbeat", json: #"{"attempt":1}"#)
            #expect(stop.status == .conflict)
            #expect(stop.errorCode == "cancelled", "\(stop.text)")
            #expect(try await node.store.job(id: cancelled)?.storedStatus == .cancelled)
            let late = try await node.client.post("/jobs/\(cancelled.lowercaseText)/complete", json: #"{"attempt":1,"result":1}"#)
            #expect(late.status == .conflict)
            #expect(try await node.store.job(id: cancelled)?.storedStatus == .cancelled)

            // A result over MAX_RESULT_BYTES fails the attempt, as it does in process.
            let big = try await node.enqueue(#"{"type":"resize","max_retries":0}"#)
            #expect(try await node.claimIDs(#"{"worker":"w"}"#) == [big.lowercaseText])
            let padding = String(repeating: "x", count: 200)
            let tooBig = try await node.client.post("/jobs/\(big.lowercaseText)/complete", json: #"{"attempt":1,"result":"\#(padding)"}"#)
            #expect(tooBig.status == .ok, "\(tooBig.text)")
            let failed = try #require(try await node.store.job(id: big))
            #expect(failed.storedStatus == .dlq)
            #expect(failed.error.contains("MAX_RESULT_BYTES"), "\(failed.error)")
            #expect(failed.result == nil)
        }
    }

    /// A waiting claim is ended by an enqueue, not by polling: the poll interval is longer than the
    /// wait, so only the wake-up can hand it the job.
    @Test(arguments: StoreKind.allCases)
    func aWaitingClaimIsWokenByAnEnqueue(kind: StoreKind) async throws {
        var options = RemoteWorkerGateway.Options()
        options.pollInterval = .seconds(600)
        try await withProtocolNode(store: kind, options: options) { node in
            async let claimed = node.claimIDs(#"{"worker":"w","types":["wake"],"wait":"60s"}"#)
            try await waitUntil("the claim to wait") { node.gateway.waitingClaims == 1 }
            _ = try await node.enqueue(#"{"type":"other"}"#)  // not a type it asked for: it goes on waiting
            try await waitUntil("the claim to wait again") { node.gateway.waitingClaims == 1 }
            let id = try await node.enqueue(#"{"type":"wake"}"#)
            #expect(try await claimed == [id.lowercaseText])
        }
    }

    /// A worker waiting in a long poll is not silent: its fleet row is refreshed every heartbeat
    /// interval while the claim waits, so it is never reaped for waiting.
    @Test func aWaitingWorkerKeepsItsPlaceInTheFleet() async throws {
        var options = RemoteWorkerGateway.Options()
        options.pollInterval = .seconds(600)
        options.heartbeatInterval = .milliseconds(50)
        try await withProtocolNode(store: .sqlite, options: options) { node in
            async let claimed = node.claimIDs(#"{"worker":"patient","types":["late"],"wait":"60s"}"#)
            try await waitUntil("the claim to wait") { node.gateway.waitingClaims == 1 }
            node.clock.advance(20)
            let later = node.clock.now()
            // Stores keep microseconds: compare with a margin, not with the exact instant.
            try await waitUntil("the waiting worker's row to be refreshed") {
                try await node.store.listNodes().first { $0.id == "remote:patient" }.map { $0.lastHeartbeat > later.addingTimeInterval(-1) } ?? false
            }
            let reaped = try await node.store.reapNodes(silentSince: later.addingTimeInterval(-15), now: later)
            #expect(reaped.nodes.isEmpty)
            let id = try await node.enqueue(#"{"type":"late"}"#)
            #expect(try await claimed == [id.lowercaseText])
        }
    }

    @Test func aRemoteWorkerShowsInTheFleetAndIsReapedWhenSilent() async throws {
        try await withProtocolNode(store: .sqlite) { node in
            let id = try await node.enqueue(#"{"type":"t"}"#)
            _ = try await node.claim(#"{"worker":"py-7","types":["t","u"],"max":4}"#)
            let fleet = try await node.client.get("/workers").json
            let remote = try #require((fleet["nodes"] as? [[String: Any]])?.first { $0["id"] as? String == "remote:py-7" })
            #expect(remote["workers"] as? Int == 4)
            #expect(remote["busy"] as? Int == 1)
            #expect(remote["types"] as? [String] == ["t", "u"])
            // Silent past NODE_TIMEOUT: reaped like a node, its job released as a lost attempt.
            node.clock.advance(20)
            let reaped = try await node.store.reapNodes(silentSince: node.clock.now().addingTimeInterval(-15), now: node.clock.now())
            #expect(reaped.nodes == ["remote:py-7"])
            let job = try #require(try await node.store.job(id: id))
            #expect(job.storedStatus == .pending)
            #expect(job.retries == 1)
        }
    }

    @Test func badRequestsNameTheField() async throws {
        try await withProtocolNode(store: .sqlite) { node in
            let id = UUID().lowercaseText
            for (path, body, field) in [
                ("/claims", #"{"types":["a"]}"#, "worker"), ("/claims", #"{"worker":"w","max":0}"#, "max"),
                ("/claims", #"{"worker":"w","max":1001}"#, "max"), ("/claims", #"{"worker":"w","types":[]}"#, "types"),
                ("/claims", #"{"worker":"w","types":[1]}"#, "types"), ("/claims", #"{"worker":"w","wait":"2m"}"#, "wait"),
                ("/claims", #"{"worker":"w w"}"#, "worker"), ("/claims", #"{"worker":"w","maxx":1}"#, "maxx"),
                ("/jobs/\(id)/heartbeat", "{}", "attempt"), ("/jobs/\(id)/complete", #"{"attempt":"1"}"#, "attempt"),
                ("/jobs/\(id)/fail", #"{"attempt":1}"#, "error"), ("/jobs/\(id)/fail", #"{"attempt":1,"error":"x","retryable":1}"#, "retryable"),
                ("/jobs/nope/complete", #"{"attempt":1}"#, "job_id"), ("/jobs/\(id)/complete", #"{"attempt":0}"#, "attempt"),
            ] {
                let response = try await node.client.post(path, json: body)
                #expect(response.status == .badRequest, "\(path) \(body): \(response.text)")
                #expect(response.errorField == field, "\(path) \(body): \(response.text)")
            }
            let unknown = try await node.client.post("/jobs/\(id)/complete", json: #"{"attempt":1}"#)
            #expect(unknown.status == .notFound)
            let notJSON = try await node.client.post("/claims", json: #"{"worker":"w"}"#, headers: [.contentType: "text/plain"])
            #expect(notJSON.status == .unsupportedMediaType)
        }
    }

    @Test func theWorkerRoleMayRunTheProtocolAndRead() async throws {
        let tokens = [APIToken(role: .worker, token: "worker-token-1"), APIToken(role: .producer, token: "producer-token-1")]
        try await withProtocolNode(store: .sqlite, tokens: tokens) { node in
            func post(_ path: String, _ body: String, token: String) async throws -> TestResponse {
                try await node.client.post(path, json: body, headers: [.contentType: "application/json", .authorization: "Bearer \(token)"])
            }
            let created = try await post("/jobs", #"{"type":"t"}"#, token: "producer-token-1")
            let id = created.json["job_id"] as? String ?? ""
            #expect(try await post("/claims", #"{"worker":"w"}"#, token: "producer-token-1").status == .forbidden)
            #expect(try await post("/claims", #"{"worker":"w"}"#, token: "worker-token-1").status == .ok)
            #expect(try await post("/jobs/\(id)/complete", #"{"attempt":1}"#, token: "worker-token-1").status == .ok)
            #expect(try await post("/jobs", #"{"type":"t"}"#, token: "worker-token-1").status == .forbidden)
            #expect(try await post("/jobs/\(id)/retry", "{}", token: "worker-token-1").status == .forbidden)
            let read = try await node.client.execute(uri: "/jobs/\(id)", method: .get, headers: [.authorization: "Bearer worker-token-1"])
            #expect(read.status == .ok)
            #expect(try await node.client.get("/openapi.json").status == .ok)
        }
    }
}
