import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import Vesper
import VesperSQLite
import VesperTestSupport

struct Greet: VesperJob, Equatable {
    static let type = "greet"
    var name: String
}

/// Holds the port a node reports once it listens.
private final class PortBox: Sendable {
    let value = Mutex<Int?>(nil)
}

@Suite("Vesper embedded: roles, Service, mounted routes")
struct VesperEmbeddingTests {
    static func configuration(_ directory: TemporaryDirectory, role: VesperRole) -> VesperConfiguration {
        var configuration = VesperConfiguration()
        configuration.database = .sqlite(path: directory.file("vesper.db"))
        configuration.apiAddress = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.role = role
        configuration.pollInterval = .milliseconds(50)
        configuration.heartbeatInterval = .milliseconds(200)
        // Three missed beats (0.6 s) is easily reached on a busy machine; these tests are about
        // roles, not reaping, so no node may be taken for dead.
        configuration.nodeTimeout = .seconds(60)
        configuration.shutdownTimeout = .seconds(5)
        return configuration
    }

    @Test func roleIsReadFromTheEnvironment() async throws {
        #expect(try await VesperConfiguration.fromEnvironment(["ROLE": "worker"], dotEnvPath: nil).role == .worker)
        #expect(try await VesperConfiguration.fromEnvironment([:], dotEnvPath: nil).role == .all)
        await #expect(throws: ConfigurationError.self) { try await VesperConfiguration.fromEnvironment(["ROLE": "both"], dotEnvPath: nil) }
    }

    @Test func anAPINodeAndAWorkerNodeShareOneDatabase() async throws {
        try await withTemporaryDirectory { directory in
            let api = try await Vesper(configuration: Self.configuration(directory, role: .api))
            let worker = try await Vesper(configuration: Self.configuration(directory, role: .worker))
            let ranOn = Recorder<String>()
            api.register(Greet.self) { _, _ in ranOn.append("api") }
            worker.register(Greet.self) { _, _ in ranOn.append("worker") }
            let port = PortBox()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await api.run { bound in port.value.withLock { $0 = bound } } }
                group.addTask { try await worker.run() }
                try await waitUntil("the API node to listen") { port.value.withLock { $0 } != nil }
                let body = #"{"type":"greet","payload":{"name":"Ada"}}"#
                let request = "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                let exchange = try await RawHTTPClient.exchange(port: port.value.withLock { $0! }, bytes: Array(request.utf8))
                #expect(exchange.responses.first?.status == 201)
                let jobs = try await api.queue.list(JobQuery(type: "greet", limit: 10, now: Date()))
                let job = try #require(jobs.first)
                let done = try await waitUntilDone(job.id, queue: api.queue)
                #expect(done.workerID == worker.nodeID, "the worker node ran the job")
                let nodes = try await worker.queue.fleetNodes()
                #expect(nodes.first { $0.id == api.nodeID }?.workers == 0)
                #expect(nodes.first { $0.id == worker.nodeID }?.types == ["greet"])
                group.cancelAll()
                try await group.waitForAll()
            }
            #expect(ranOn.all == ["worker"])
        }
    }

    @Test func cancellingTheTaskThatRunsANodeStopsItGracefully() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await Vesper(configuration: Self.configuration(directory, role: .all))
            let started = Recorder<Int>()
            vesper.register(Greet.self) { _, _ in
                started.append(1)
                try await Task.sleep(for: .milliseconds(300))  // still running when the cancel comes
            }
            let job = try await vesper.enqueue(Greet(name: "Grace"))
            let port = PortBox()
            let node = Task { try await vesper.run { bound in port.value.withLock { $0 = bound } } }
            try await waitUntil("the job to start") { started.count == 1 }
            node.cancel()
            try await node.value  // returns without an error, as after SIGTERM
            let store = try SQLiteJobStore(path: directory.file("vesper.db"))
            #expect(try await store.listNodes().isEmpty, "the node deregistered")
            #expect(try await store.job(id: job.id)?.storedStatus == .done, "the running job finished within the grace period")
            try await store.close()
        }
    }

    @Test func aNodeIsAServiceInTheHostsServiceGroupAndItsRoutesMountUnderAPrefix() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await Vesper(configuration: Self.configuration(directory, role: .worker))
            let ran = Recorder<String>()
            vesper.register(Greet.self) { greet, _ in ran.append(greet.name) }
            let router = Router()
            router.get("hello") { _, _ in "host route" }
            vesper.addRoutes(to: router, atPath: "/vesper")
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await app.test(.router) { client in
                let created = try await client.execute(
                    uri: "/vesper/jobs", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"type":"greet","payload":{"name":"Lin"}}"#))
                #expect(created.status == .created)
                let host = try await client.execute(uri: "/hello", method: .get)
                #expect(String(buffer: host.body) == "host route")
                let missing = try await client.execute(uri: "/vesper/jobs/not-a-uuid", method: .get)
                #expect(missing.status == .badRequest || missing.status == .notFound, "Vesper's error rendering applies under the prefix")
            }
            let group = ServiceGroup(services: [vesper], logger: Logger(label: "host"))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await waitUntil("the worker to run the job posted through the host's router") { ran.all == ["Lin"] }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }

    func waitUntilDone(_ id: UUID, queue: JobQueue) async throws -> Job {
        try await waitUntil("job \(id) to be done") { try await queue.job(id: id)?.storedStatus == .done }
        return try #require(try await queue.job(id: id))
    }
}

extension JobQueue {
    /// The fleet as the store lists it.
    func fleetNodes() async throws -> [NodeInfo] {
        try await (store as! any NodeRegistry).listNodes()
    }
}
