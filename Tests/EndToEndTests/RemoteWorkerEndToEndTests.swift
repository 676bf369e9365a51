import Foundation
import Synchronization
import Testing
import VesperCore
import VesperPostgres
import VesperSQLite
import VesperTestSupport

/// The repository root, for the examples the tests run.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// `Examples/python-worker/worker.py` run as a child process, its output in a file.
final class PythonWorker: Sendable {
    private let process: Process
    private let logPath: String

    init(_ arguments: [String], url: String, directory: String) throws {
        logPath = "\(directory)/python-worker-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repositoryRoot.appendingPathComponent("Examples/python-worker/worker.py").path, "--url", url] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }
    func stop() { if process.isRunning { send(SIGKILL) } }
}

/// Runs `body` with the environment that points a node at a fresh database of `kind`, and a store
/// on the same database for the test to read what the node wrote.
func withNodeDatabase(_ kind: StoreKind, in directory: TemporaryDirectory, _ body: ([String: String], any VesperStore) async throws -> Void)
    async throws
{
    switch kind {
    case .sqlite:
        let store = try SQLiteJobStore(path: directory.file("vesper.db"))
        try await store.migrate()
        do {
            try await body(["DB_PATH": directory.file("vesper.db")], store)
            try await store.close()
        } catch {
            try? await store.close()
            throw error
        }
    case .postgres:
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                try await body(settings.environment, store)
            }
        }
    }
}

/// Workers in any language: the stock binary with `WORKERS=0` serves the worker protocol, and the
/// Python example runs jobs through it with the same leases, fencing and retries as a node.
@Suite("Remote workers end to end", .serialized)
struct RemoteWorkerEndToEndTests {
    @Test(arguments: StoreKind.allCases)
    func thePythonWorkerRunsJobsForAnAPIOnlyNode(kind: StoreKind) async throws {
        try await withTemporaryDirectory { directory in
            try await withNodeDatabase(kind, in: directory) { environment, store in
                var environment = environment
                // Nothing but a wake-up can hand a waiting claim its job quickly: the node polls
                // once a minute and the worker's claim waits 25 s.
                environment.merge(["WORKERS": "0", "POLL_INTERVAL": "60s", "LOG_LEVEL": "notice"]) { $1 }
                let vesper = try await VesperProcess(environment: environment, directory: directory.path)
                defer { vesper.stop() }
                #expect(vesper.log.contains("0 workers"), "\(vesper.log)")
                let node = Node(baseURL: vesper.baseURL)
                let worker = try PythonWorker(
                    ["--name", "py-e2e", "--types", "py.echo,py.fail", "--max", "2", "--wait", "25s"], url: vesper.baseURL, directory: directory.path)
                defer { worker.stop() }
                try await waitUntil("the worker to show in the fleet") {
                    let nodes = try await node.get("/workers").json["nodes"] as? [[String: Any]] ?? []
                    return nodes.contains { $0["id"] as? String == "remote:py-e2e" && $0["workers"] as? Int == 2 }
                }
                // The worker is waiting in a long poll now (it polls again at once after each answer).
                // On PostgreSQL the job is posted to a second node, so what wakes the claim is the
                // first node's NOTIFY listener, as for a node's own dispatcher.
                var other: VesperProcess?
                defer { other?.stop() }
                if kind == .postgres { other = try await VesperProcess(environment: environment, directory: directory.path) }
                let first = try await Node(baseURL: other?.baseURL ?? vesper.baseURL).submit(#"{"type":"py.echo","payload":{"n":0}}"#)
                try await waitUntil(timeout: .seconds(15), "the waiting claim to be woken by the enqueue") {
                    try await store.job(id: first)?.storedStatus == .done
                }
                var echoes = [first]
                for n in 1..<4 { echoes.append(try await node.submit(#"{"type":"py.echo","payload":{"n":\#(n)}}"#)) }
                let permanent = try await node.submit(#"{"type":"py.fail","payload":{"permanent":true,"message":"bad input"}}"#)
                let exhausted = try await node.submit(#"{"type":"py.fail","max_retries":0,"payload":{"message":"still broken"}}"#)
                let foreign = try await node.submit(#"{"type":"not.python"}"#)
                try await waitUntil(timeout: .seconds(60), "every python job to finish") {
                    for id in echoes {
                        if try await store.job(id: id)?.storedStatus != .done { return false }
                    }
                    let permanentStatus = try await store.job(id: permanent)?.storedStatus
                    let exhaustedStatus = try await store.job(id: exhausted)?.storedStatus
                    return permanentStatus == .failed && exhaustedStatus == .dlq
                }
                for id in echoes {
                    let job = try #require(try await store.job(id: id))
                    #expect(job.attempt == 1)
                    #expect(job.retries == 0)
                    #expect(job.workerID == nil || job.workerID == "remote:py-e2e")
                }
                #expect(try await store.job(id: permanent)?.error == "bad input")
                let dead = try #require(try await store.job(id: exhausted))
                #expect(dead.retries == 1)
                #expect(dead.error == "RuntimeError: still broken")
                let untouched = try #require(try await store.job(id: foreign))
                #expect(untouched.storedStatus == .pending)
                #expect(untouched.attempt == 0)
                worker.send(SIGTERM)
                do {
                    try await waitUntil(timeout: .seconds(60), "the worker to stop") { !worker.isRunning }
                } catch {
                    Issue.record("\(error); the worker's log:\n\(worker.log)")
                }
                #expect(worker.log.contains("attempt 1: done"), "\(worker.log)")
                vesper.send(SIGTERM)
                #expect(try await vesper.waitForExit() == 0)
            }
        }
    }

    /// A worker killed mid-job stops heartbeating: the node reaps it like a dead node and releases
    /// its job (a lost attempt). Its late result would be stale: a completion with the old attempt
    /// is refused with 409 and changes nothing, while the new owner's is recorded.
    @Test func aKilledWorkersJobIsRecoveredAndItsStaleCompletionRefused() async throws {
        try await withTemporaryDirectory { directory in
            try await withNodeDatabase(.sqlite, in: directory) { environment, store in
                var environment = environment
                environment.merge(["WORKERS": "0", "HEARTBEAT_INTERVAL": "200ms", "NODE_TIMEOUT": "2s", "POLL_INTERVAL": "100ms"]) { $1 }
                let vesper = try await VesperProcess(environment: environment, directory: directory.path)
                defer { vesper.stop() }
                let node = Node(baseURL: vesper.baseURL)
                let id = try await node.submit(#"{"type":"py.sleep","payload":{"seconds":600}}"#)
                let worker = try PythonWorker(["--name", "py-doomed", "--types", "py.sleep"], url: vesper.baseURL, directory: directory.path)
                defer { worker.stop() }
                try await waitUntil("the worker to hold the job") {
                    try await store.job(id: id)?.workerID == "remote:py-doomed"
                }
                let held = try #require(try await store.job(id: id))
                #expect(held.storedStatus == .processing)
                worker.send(SIGKILL)
                try await waitUntil(timeout: .seconds(60), "the silent worker to be reaped and its job released") {
                    try await store.job(id: id)?.storedStatus == .pending
                }
                let released = try #require(try await store.job(id: id))
                #expect(released.retries == 1, "the lost attempt counts")
                #expect(released.error.contains("stopped heartbeating"), "\(released.error)")
                let fleet = try await node.get("/workers").json["nodes"] as? [[String: Any]] ?? []
                #expect(!fleet.contains { $0["id"] as? String == "remote:py-doomed" })

                let claim = try await node.post("/claims", #"{"worker":"curl-1","types":["py.sleep"]}"#)
                #expect((claim.json["jobs"] as? [[String: Any]])?.first?["attempt"] as? Int == 2, "\(claim.body)")
                let before = try #require(try await store.job(id: id))
                let stale = try await node.post("/jobs/\(id.lowercaseText)/complete", #"{"attempt":1,"result":"late"}"#)
                #expect(stale.status == 409, "\(stale.body)")
                #expect(try await store.job(id: id) == before)
                let current = try await node.post("/jobs/\(id.lowercaseText)/complete", #"{"attempt":2}"#)
                #expect(current.status == 200, "\(current.body)")
                #expect(try await store.job(id: id)?.storedStatus == .done)
            }
        }
    }

    /// The README's curl walkthrough, run as written against a real node.
    @Test func theCurlWalkthroughRuns() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: ["WORKERS": "0"], directory: directory.path)
            defer { vesper.stop() }
            let script = repositoryRoot.appendingPathComponent("Examples/curl-worker/walkthrough.sh").path
            let (code, output) = try await runCommand("/usr/bin/env", ["VESPER_URL=\(vesper.baseURL)", "bash", script])
            #expect(code == 0, "\(output)")
            #expect(output.contains(#""status":"done""#), "\(output)")
            #expect(output.contains("stale_attempt"), "\(output)")
        }
    }
}
