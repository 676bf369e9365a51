import Foundation
import Testing
import VesperTestSupport

/// The stock binary's demo handlers are for trying Vesper, never for production: a stock
/// production node once marked a `charge_credit_card` job done without running anything.
@Suite("Stock binary's demo handlers")
struct StockBinaryTests {
    @Test func aProductionNodeNeverMarksDoneWhatItCannotRun() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["APP_ENV": "production", "POLL_INTERVAL": "50ms", "LOG_LEVEL": "notice"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let charge = try await node.submit(#"{"type":"charge_credit_card","payload":{"cents":100}}"#)
            let demo = try await node.submit(#"{"type":"demo.noop"}"#)
            #expect(vesper.log.contains("no job handlers are registered: this node serves the API and runs no jobs"), "\(vesper.log)")
            #expect(!vesper.log.contains("demo handlers are on"))
            // Thirty polls and an enqueue wake-up later, neither job was claimed.
            try await Task.sleep(for: .milliseconds(1500))
            for id in [charge, demo] {
                let job = try await node.get("/jobs/\(id.uuidString)").json
                #expect(job["status"] as? String == "pending", "\(job)")
                #expect(job["attempt"] as? Int == 0)
            }
            let fleet = try await node.get("/workers").json
            let types = (fleet["nodes"] as? [[String: Any]])?.first?["types"] as? [String]
            #expect(types?.isEmpty ?? true, "\(fleet)")
        }
    }

    @Test func aDevelopmentNodeAnnouncesItsCatchAll() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: [:], directory: directory.path)
            defer { vesper.stop() }
            #expect(vesper.log.contains("APP_ENV=development, DEMO_CONSUMER=1: demo handlers are on"), "\(vesper.log)")
            let id = try await Node(baseURL: vesper.baseURL).submit(#"{"type":"anything_at_all"}"#)
            try await waitUntil("the catch-all to finish it") {
                try await Node(baseURL: vesper.baseURL).get("/jobs/\(id.uuidString)").json["status"] as? String == "done"
            }
        }
    }

    /// Without `DEMO_CONSUMER=1` a development node runs the `demo.*` types only, so it never takes
    /// a job meant for a remote worker.
    @Test func aDevelopmentNodeWithoutTheCatchAllLeavesOtherTypesPending() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["DEMO_CONSUMER": "0", "POLL_INTERVAL": "50ms", "LOG_LEVEL": "notice"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let other = try await node.submit(#"{"type":"resize_image"}"#)
            let demo = try await node.submit(#"{"type":"demo.noop"}"#)
            #expect(!vesper.log.contains("demo handlers are on"), "\(vesper.log)")
            try await waitUntil("the demo.noop job to be done") {
                try await node.get("/jobs/\(demo.uuidString)").json["status"] as? String == "done"
            }
            // The demo job was claimed and run after the other was enqueued: had the node claimed
            // every type, the earlier job would have gone first.
            let job = try await node.get("/jobs/\(other.uuidString)").json
            #expect(job["status"] as? String == "pending", "\(job)")
            #expect(job["attempt"] as? Int == 0)
        }
    }

    @Test func requireConsumerRefusesAnEmptyProductionNode() async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(
                arguments: ["serve"], environment: ["APP_ENV": "production", "REQUIRE_CONSUMER": "1", "API_ADDR": "127.0.0.1:0"],
                directory: directory.path)
            #expect(code == 2, "\(output)")
            #expect(output.contains("invalid REQUIRE_CONSUMER: is 1 but no job handler is registered"), "\(output)")
            #expect(!output.contains("Fatal error"))
        }
    }
}

/// A node that cannot listen says which address and why, before it joins the fleet.
@Suite("Start-up errors name their cause")
struct StartupErrorTests {
    @Test func aPortInUseIsNamedAndNoGhostNodeJoins() async throws {
        try await withTemporaryDirectory { directory in
            let first = try await VesperProcess(environment: ["DB_PATH": directory.file("shared.db")], directory: directory.path)
            defer { first.stop() }
            let started = ContinuousClock.now
            let (code, output) = try await VesperProcess.run(
                arguments: ["serve"], environment: ["DB_PATH": directory.file("shared.db"), "API_ADDR": "127.0.0.1:\(first.port)"],
                directory: directory.path)
            #expect(code == 2, "\(output)")
            #expect(output.contains("invalid API_ADDR: cannot listen on 127.0.0.1:\(first.port): the port is already in use"), "\(output)")
            #expect(!output.contains("could not deregister"), "\(output)")
            #expect(ContinuousClock.now - started < .seconds(30))
            let nodes = try await Node(baseURL: first.baseURL).get("/workers").json["nodes"] as? [Any]
            #expect(nodes?.count == 1, "only the first node is in the fleet")
        }
    }

    @Test func anAddressNotOfThisMachineIsNamed() async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(
                arguments: ["serve"], environment: ["API_ADDR": "999.1.1.1:8080"], directory: directory.path)
            #expect(code == 2, "\(output)")
            #expect(output.contains("invalid API_ADDR: cannot listen on 999.1.1.1:8080"), "\(output)")
        }
    }
}

extension StartupErrorTests {
    /// PostgreSQL down at start-up once meant 24 lines of driver errors and about 70 s before a
    /// circuit-breaker error that named neither DB_HOST nor the address.
    @Test func postgresDownAtStartUpIsOneLineWithinTheTimeout() async throws {
        try await withTemporaryDirectory { directory in
            let port = try freePort()
            let started = ContinuousClock.now
            let (code, output) = try await VesperProcess.run(
                arguments: ["serve"],
                environment: ["DB_HOST": "127.0.0.1", "DB_PORT": "\(port)", "DB_NAME": "jobs", "DB_TIMEOUT": "3s", "API_ADDR": "127.0.0.1:0"],
                directory: directory.path)
            #expect(code == 1, "\(output)")
            #expect(ContinuousClock.now - started < .seconds(30))
            #expect(output.contains("cannot reach PostgreSQL at postgres postgres@127.0.0.1:\(port)/jobs (DB_HOST/DATABASE_URL)"), "\(output)")
            let lines = output.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count <= 2, "\(output)")
        }
    }
}

extension StartupErrorTests {
    /// An app written like the README once died with "Fatal error: Error raised at top level", a
    /// backtrace and exit 132 on a configuration error.
    @Test func theReadmeWorkerPrintsOneLineAndExitsNonZero() async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(
                arguments: [], environment: ["WORKERS": "abc", "APP_ENV": "production"], directory: directory.path, program: "vesper-example")
            #expect(code == 1, "\(output)")
            #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "worker: invalid WORKERS: 'abc' is not an integer from 0 to 10000", "\(output)")
            #expect(!output.contains("Fatal error"))
        }
    }
}

/// The real binary reads a `.env` file the way common dotenv loaders do.
@Suite("A node's .env file")
struct DotEnvEndToEndTests {
    @Test func quotesExportAndCommentsFollowTheConventions() async throws {
        try await withTemporaryDirectory { directory in
            try """
            # a node for the test
            export WORKERS="9"
            DB_PATH=jobs.db # the database file
            WORKER=10
            """.write(toFile: directory.file(".env"), atomically: true, encoding: .utf8)
            let vesper = try await VesperProcess(environment: [:], directory: directory.path)
            defer { vesper.stop() }
            #expect(vesper.log.contains("database sqlite jobs.db · 9 workers"), "\(vesper.log)")
            #expect(FileManager.default.fileExists(atPath: directory.file("jobs.db")))
            #expect(vesper.log.contains("WORKER (.env line 4) is not a Vesper variable (did you mean WORKERS?)"), "\(vesper.log)")
        }
    }

    @Test func aBadValueNamesItsLine() async throws {
        try await withTemporaryDirectory { directory in
            try "WORKERS=lots\n".write(toFile: directory.file(".env"), atomically: true, encoding: .utf8)
            let (code, output) = try await VesperProcess.run(arguments: ["serve"], environment: [:], directory: directory.path)
            #expect(code == 2)
            #expect(output.contains("invalid WORKERS: 'lots' is not an integer from 0 to 10000 (set in .env line 1)"), "\(output)")
        }
    }
}
