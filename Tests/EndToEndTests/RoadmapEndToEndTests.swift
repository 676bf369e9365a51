import Foundation
import Testing
import VesperCore
import VesperSQLite
import VesperTestSupport

/// Queues, listing filters, retention, delayed and periodic jobs through the real binary.
@Suite("Queues, retention and schedules end to end", .serialized)
struct RoadmapEndToEndTests {
    func status(_ node: Node, _ id: UUID) async throws -> String? {
        try await node.get("/jobs/\(id.uuidString)").json["status"] as? String
    }

    func queues(_ node: Node) async throws -> [String: [String: Any]] {
        let list = try await node.get("/queues").json["queues"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    @Test func queueSelectionPauseResumeLimitsAndFilters() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["WORKERS": "4", "QUEUES": "critical,default", "QUEUE_CONCURRENCY": "critical:1", "POLL_INTERVAL": "100ms"],
                directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)

            // A queue this node does not serve stays pending.
            let other = try await node.submit(#"{"type":"demo.noop","queue":"other","priority":10}"#)
            // Pausing is fleet-wide and persisted; a paused queue is not claimed even at top priority.
            let pause = try await node.post("/queues/critical/pause", "")
            #expect(pause.status == 200)
            #expect(pause.json["paused"] as? Bool == true)
            #expect(try await node.post("/queues/bad%20name/pause", "").status == 400)
            let held = try await node.submit(#"{"type":"demo.noop","queue":"critical","priority":10}"#)
            let free = try await node.submit(#"{"type":"demo.noop","priority":0}"#)
            try await waitUntil("the default job to be done") { try await status(node, free) == "done" }
            #expect(try await status(node, held) == "pending")
            #expect(try await status(node, other) == "pending")
            let paused = try await queues(node)
            #expect(paused["critical"]?["paused"] as? Bool == true)
            #expect(paused["critical"]?["pending"] as? Int == 1)
            #expect(paused["other"]?["pending"] as? Int == 1)
            #expect(paused["other"]?["paused"] as? Bool == false)

            #expect(try await node.post("/queues/critical/resume", "").json["paused"] as? Bool == false)
            try await waitUntil("the resumed queue's job to be done") { try await status(node, held) == "done" }

            // critical:1 runs one critical job at a time on this node, however many slots are free.
            var slow: [UUID] = []
            for _ in 0..<3 { slow.append(try await node.submit(#"{"type":"demo.sleep","queue":"critical","payload":{"ms":400}}"#)) }
            try await waitUntil(timeout: .seconds(60), "the critical jobs to finish") {
                for id in slow where try await status(node, id) != "done" { return false }
                return true
            }
            // Each attempt sleeps 400ms and the next can only be claimed once its slot in the queue's
            // limit is free again, so claims are at least 400ms apart (without the limit, four free
            // slots would take all three in one claim).
            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            defer { Task { try? await store.close() } }
            let starts = try await slow.asyncMap { try #require(try await store.job(id: $0)?.startedAt) }.sorted()
            for (first, second) in zip(starts, starts.dropFirst()) {
                #expect(second.timeIntervalSince(first) >= 0.39, "critical jobs ran concurrently")
            }

            // GET /jobs filters: queue, priority and created range.
            let listed = try await node.get("/jobs?queue=critical&priority=10&created_after=2000-01-01T00:00:00Z")
            #expect((listed.json["jobs"] as? [[String: Any]])?.compactMap { $0["job_id"] as? String } == [held.uuidString.lowercased()])
            #expect(try await node.get("/jobs?created_before=nope").status == 400)
        }
    }

    @Test func finishedJobsArePrunedAndTheirKeysFreed() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["RETENTION": "1s", "RETENTION_INTERVAL": "200ms", "RETENTION_FAILED": "off"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let first = try await node.post("/jobs", #"{"type":"demo.noop"}"#, headers: [("Idempotency-Key", "nightly-report")])
            #expect(first.status == 201)
            let id = try #require((first.json["job_id"] as? String).flatMap(UUID.init(uuidString:)))
            try await waitUntil("the job to be pruned") { try await node.get("/jobs/\(id.uuidString)").status == 404 }
            let again = try await node.post("/jobs", #"{"type":"demo.noop"}"#, headers: [("Idempotency-Key", "nightly-report")])
            #expect(again.status == 201, "the key was freed with the job")
            #expect(again.json["job_id"] as? String != id.uuidString.lowercased())
        }
    }

    @Test func delayedJobWaitsThenRuns() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: ["POLL_INTERVAL": "100ms"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let reply = try await node.post("/jobs", #"{"type":"demo.noop","delay":"1s"}"#)
            #expect(reply.json["status"] as? String == "scheduled")
            let id = try #require((reply.json["job_id"] as? String).flatMap(UUID.init(uuidString:)))
            try await waitUntil("the delayed job to run") { try await status(node, id) == "done" }
            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            defer { Task { try? await store.close() } }
            let job = try #require(try await store.job(id: id))
            #expect(job.startedAt! >= job.runAt)
            // The delay counts from when the request was read; `created_at` is stamped at commit, a
            // little later (group commit), so the gap may be a few milliseconds under the delay.
            #expect(job.runAt.timeIntervalSince(job.createdAt) > 0.9)
        }
    }

    @Test func threeNodesEnqueueEachCronTickOnce() async throws {
        try await withTemporaryDirectory { directory in
            let database = directory.file("shared.db")
            // Six fields: a tick every two seconds (the seconds extension), so the test takes seconds.
            let environment = [
                "DB_PATH": database, "WORKERS": "2", "POLL_INTERVAL": "100ms", "CRON_CATCH_UP": "0",
                "CRON_JOBS": #"[{"name":"tick","schedule":"*/2 * * * * *","type":"demo.noop","payload":{"from":"cron"}}]"#,
            ]
            var nodes: [VesperProcess] = []
            defer { nodes.forEach { $0.stop() } }
            for _ in 0..<3 { nodes.append(try await VesperProcess(environment: environment, directory: directory.path)) }
            let store = try SQLiteJobStore(path: database)
            defer { Task { try? await store.close() } }
            try await waitUntil(timeout: .seconds(120), "six ticks to run") {
                try await store.listJobs(JobQuery(status: .done, type: "demo.noop", limit: 1000, now: Date())).count >= 6
            }
            for node in nodes { node.send(SIGTERM) }
            for node in nodes { #expect(try await node.waitForExit() == 0) }
            let jobs = try await store.listJobs(JobQuery(type: "demo.noop", limit: 1000, now: Date()))
            // One job per tick across three nodes: the key names the tick (an even second).
            let ticks = try jobs.map { job in
                let key = try #require(job.idempotencyKey)
                #expect(key.hasPrefix("cron:tick:"))
                #expect(job.payload == #"{"from":"cron"}"#)
                return try Date(String(key.dropFirst("cron:tick:".count)), strategy: .iso8601)
            }
            #expect(Set(ticks).count == jobs.count)
            #expect(ticks.allSatisfy { Int($0.timeIntervalSince1970) % 2 == 0 })
            #expect(jobs.allSatisfy { $0.attempt == 1 }, "each tick's job ran once")
        }
    }
}
