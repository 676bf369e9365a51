import Foundation
import GRDB
import Testing
import VesperCore
import VesperPostgres
@testable import VesperSQLite
import VesperTestSupport

/// Fleet-wide limits with three real nodes on one database (PostgreSQL, and one SQLite file),
/// checked against what the database holds.
@Suite("Fleet limits end to end", .serialized)
struct FleetLimitsEndToEndTests {
    /// What a scenario reads from the shared database.
    struct Database: Sendable {
        /// Jobs of `key` leased right now.
        var processingOfKey: @Sendable (String) async throws -> Int
        /// Claim times of the jobs of `queue` that were claimed.
        var claimTimes: @Sendable (String) async throws -> [Date]
        /// Jobs of any state but `done`.
        var unfinished: @Sendable () async throws -> Int
    }

    // MARK: PostgreSQL

    func withPostgresFleet(_ body: ([Node], Database) async throws -> Void) async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                let database = Database(
                    processingOfKey: { key in
                        let rows = try await store.client.query(
                            "SELECT count(*)::BIGINT FROM jobs WHERE status = 'processing' AND concurrency_key = \(key)")
                        for try await count in rows.decode(Int.self) { return count }
                        return 0
                    },
                    claimTimes: { queue in
                        // On PostgreSQL done jobs are in `finished_jobs`, with the claim time they had in `jobs`.
                        let rows = try await store.client.query(
                            """
                            SELECT claimed_at FROM jobs WHERE queue = \(queue) AND claimed_at IS NOT NULL
                            UNION ALL SELECT claimed_at FROM finished_jobs WHERE queue = \(queue) AND claimed_at IS NOT NULL
                            """)
                        var times: [Date] = []
                        for try await time in rows.decode(Date.self) { times.append(time) }
                        return times
                    },
                    unfinished: {
                        let rows = try await store.client.query("SELECT count(*)::BIGINT FROM jobs WHERE status <> 'done'")
                        for try await count in rows.decode(Int.self) { return count }
                        return 0
                    })
                try await withTemporaryDirectory { directory in
                    try await withNodes(settings.environment, directory: directory.path) { nodes in try await body(nodes, database) }
                }
            }
        }
    }

    // MARK: SQLite

    func withSQLiteFleet(_ body: ([Node], Database) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file("limits.db")
            let store = try SQLiteJobStore(path: path)
            try await store.migrate()
            let pool = store.pool
            let database = Database(
                processingOfKey: { key in
                    try await pool.read { db in
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE status = 'processing' AND concurrency_key = ?", arguments: [key]) ?? 0
                    }
                },
                claimTimes: { queue in
                    try await pool.read { db in
                        try Int64.fetchAll(db, sql: "SELECT claimed_at FROM jobs WHERE queue = ? AND claimed_at IS NOT NULL", arguments: [queue])
                            .map(SQLiteRow.date)
                    }
                },
                unfinished: {
                    try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM jobs WHERE status <> 'done'") ?? 0 }
                })
            try await withNodes(["DB_PATH": path], directory: directory.path) { nodes in try await body(nodes, database) }
            try await store.close()
        }
    }

    func withNodes(_ environment: [String: String], directory: String, _ body: ([Node]) async throws -> Void) async throws {
        var processes: [VesperProcess] = []
        defer { processes.forEach { $0.stop() } }
        for _ in 0..<3 {
            var environment = environment
            environment["WORKERS"] = "8"
            environment["METRICS_SAMPLE_INTERVAL"] = "200ms"
            processes.append(try await VesperProcess(environment: environment, directory: directory))
        }
        try await body(processes.map { Node(baseURL: $0.baseURL) })
    }

    // MARK: Scenarios

    /// 45 jobs of one key limited to 3, each sleeping 300 ms, posted round-robin to 3 nodes with 24
    /// slots between them: sampled continuously, never more than 3 leased, and 3 reached.
    func keyLimitHolds(_ nodes: [Node], _ database: Database) async throws {
        let total = 45
        // Paused while posting, so that the whole backlog waits when the nodes start on it however
        // slowly the posts go on a busy machine.
        #expect(try await nodes[0].post("/queues/keyed/pause", "").status == 200)
        for index in 0..<total {
            _ = try await nodes[index % 3].submit(
                #"{"type":"demo.sleep","queue":"keyed","payload":{"ms":300},"concurrency":{"key":"customer:42","limit":3}}"#)
        }
        #expect(try await nodes[1].post("/queues/keyed/resume", "").status == 200)
        var peak = 0
        var samples = 0
        let deadline = ContinuousClock.now + .seconds(240)
        // Sampled back to back, without a pause, until the work is done.
        while try await database.unfinished() > 0 {
            peak = max(peak, try await database.processingOfKey("customer:42"))
            samples += 1
            #expect(ContinuousClock.now < deadline, "the keyed jobs were not done within 240 s")
            if ContinuousClock.now > deadline { break }
        }
        #expect(peak <= 3, "never more than the key's limit leased at once")
        #expect(peak == 3, "the fleet keeps the key's 3 slots busy while its work waits")
        // At least 4.5 s of work (45 jobs of 300 ms, 3 at a time): a sample every second, as on a
        // machine busy with other suites, still covers it. (The claims' own timestamps cannot say
        // more: a claim's time is taken before it waits for the limiter's lock.)
        #expect(samples >= 4, "the database was sampled throughout")
    }

    /// A queue limited to 20 starts per second, 200 jobs: no second holds more than 20 claims, and
    /// the run spans at least 9 s (the first 20 start at once, then 20 per second).
    func rateLimitHolds(_ nodes: [Node], _ database: Database) async throws -> Double {
        let reply = try await nodes[0].put("/queues/rated", #"{"rate":{"limit":20,"period":"1s"}}"#)
        #expect(reply.status == 200, "\(reply.body)")
        try await waitUntil("every node to see the limit") {
            for node in nodes {
                let queues = try await node.get("/queues").json["queues"] as? [[String: Any]] ?? []
                guard let rated = queues.first(where: { $0["name"] as? String == "rated" }),
                    (rated["rate"] as? [String: Any])?["limit"] as? Int == 20
                else { return false }
            }
            return true
        }
        #expect(try await nodes[0].post("/queues/rated/pause", "").status == 200)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lane in 0..<8 {
                group.addTask {
                    for index in stride(from: lane, to: 200, by: 8) {
                        _ = try await nodes[index % 3].submit(#"{"type":"demo.noop","queue":"rated"}"#)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try await nodes[2].post("/queues/rated/resume", "").status == 200)
        // While it runs, the queue shows its use and what it holds back.
        try await waitUntil("the overview to show the window in use") {
            let queues = try await nodes[1].get("/queues").json["queues"] as? [[String: Any]] ?? []
            let rated = queues.first { $0["name"] as? String == "rated" }
            return (rated?["starts_in_window"] as? Int ?? 0) > 0 && (rated?["limited"] as? Int ?? 0) > 0
        }
        try await waitUntil(timeout: .seconds(180), "all rated jobs to be done") { try await database.unfinished() == 0 }
        let times = try await database.claimTimes("rated").sorted()
        #expect(times.count == 200)
        // Any 21 consecutive claims span at least the period: no 1 s window holds more than 20.
        var worst = Double.infinity
        for index in 0..<(times.count - 20) {
            worst = min(worst, times[index + 20].timeIntervalSince(times[index]))
        }
        #expect(worst >= 0.999_999, "21 claims within \(worst) s")
        let span = times.last!.timeIntervalSince(times.first!)
        #expect(span >= 9, "200 jobs at 20/s take at least 9 s between the first and last claim, took \(span) s")
        return span
    }

    @Test func keyLimitOnPostgreSQL() async throws {
        try await withPostgresFleet { nodes, database in try await keyLimitHolds(nodes, database) }
    }

    @Test func keyLimitOnSQLite() async throws {
        try await withSQLiteFleet { nodes, database in try await keyLimitHolds(nodes, database) }
    }

    @Test func rateLimitOnPostgreSQL() async throws {
        try await withPostgresFleet { nodes, database in
            let span = try await rateLimitHolds(nodes, database)
            print("rate limit 20/s, 200 jobs, 3 PostgreSQL nodes: first to last claim \(span) s")
        }
    }

    @Test func rateLimitOnSQLite() async throws {
        try await withSQLiteFleet { nodes, database in
            let span = try await rateLimitHolds(nodes, database)
            print("rate limit 20/s, 200 jobs, 3 SQLite nodes: first to last claim \(span) s")
        }
    }

    /// The API's validation, the job's read-back and the held-back gauge on one node.
    @Test func limitsAreValidatedShownAndMeasured() async throws {
        try await withTemporaryDirectory { directory in
            let process = try await VesperProcess(
                environment: ["DB_PATH": directory.file("api.db"), "WORKERS": "4", "METRICS_SAMPLE_INTERVAL": "200ms"],
                directory: directory.path)
            defer { process.stop() }
            let node = Node(baseURL: process.baseURL)
            for (body, field) in [
                (#"{"concurrency":0}"#, "concurrency"), (#"{"concurrency":"5"}"#, "concurrency"),
                (#"{"rate":{"limit":10}}"#, "rate.period"), (#"{"rate":{"limit":0,"period":"1s"}}"#, "rate.limit"),
                (#"{"rate":{"limit":10,"period":"0s"}}"#, "rate.period"), (#"{"rate":{"limit":10,"period":"1s","x":1}}"#, "rate"),
                (#"{"concurrency":1,"typo":1}"#, "typo"),
            ] {
                let reply = try await node.put("/queues/slow", body)
                #expect(reply.status == 400, "\(body): \(reply.body)")
                #expect((reply.json["error"] as? [String: Any])?["field"] as? String == field, "\(body): \(reply.body)")
            }
            #expect(try await node.put("/queues/bad%20name", #"{"concurrency":1}"#).status == 400)
            for (body, field) in [
                (#"{"type":"t","concurrency":{"key":"","limit":1}}"#, "concurrency.key"),
                (#"{"type":"t","concurrency":{"key":"k","limit":0}}"#, "concurrency.limit"),
                (#"{"type":"t","concurrency":{"key":"k"}}"#, "concurrency.limit"),
                (#"{"type":"t","concurrency":"k"}"#, "concurrency"),
            ] {
                let reply = try await node.post("/jobs", body)
                #expect(reply.status == 400, "\(body): \(reply.body)")
                #expect((reply.json["error"] as? [String: Any])?["field"] as? String == field, "\(body): \(reply.body)")
            }
            let keyed = try await node.submit(#"{"type":"demo.noop","concurrency":{"key":"customer:42","limit":2}}"#)
            let read = try await node.get("/jobs/\(keyed.uuidString.lowercased())").json
            #expect((read["concurrency"] as? [String: Any])?["key"] as? String == "customer:42")
            #expect((read["concurrency"] as? [String: Any])?["limit"] as? Int == 2)

            let set = try await node.put("/queues/slow", #"{"concurrency":1,"rate":{"limit":100,"period":"1m"}}"#)
            #expect(set.status == 200, "\(set.body)")
            #expect((set.json["rate"] as? [String: Any])?["period"] as? String == "1m")
            for _ in 0..<5 { _ = try await node.submit(#"{"type":"demo.sleep","queue":"slow","payload":{"ms":20000}}"#) }
            try await waitUntil("the gauge to show 4 held back") {
                try await node.get("/metrics").body.contains(#"vesper_queue_limited{queue="slow"} 4"#)
            }
            let queues = try await node.get("/queues").json["queues"] as? [[String: Any]] ?? []
            let slow = try #require(queues.first { $0["name"] as? String == "slow" })
            #expect(slow["concurrency"] as? Int == 1)
            #expect(slow["processing"] as? Int == 1)
            #expect(slow["limited"] as? Int == 4)
            #expect(slow["starts_in_window"] as? Int == 1)
            // Cleared by an empty body: the rest start.
            #expect(try await node.put("/queues/slow", "{}").status == 200)
            try await waitUntil("the rest to start") {
                let queues = try await node.get("/queues").json["queues"] as? [[String: Any]] ?? []
                return (queues.first { $0["name"] as? String == "slow" }?["processing"] as? Int ?? 0) >= 4
            }
        }
    }
}
