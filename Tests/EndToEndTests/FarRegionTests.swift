import Foundation
import Testing
import VesperCore
import VesperPostgres
import VesperTestSupport

/// A node far from the primary: `vesper serve` reaches PostgreSQL through a ``DelayProxy`` that
/// holds every packet 20 ms each way, next to a node connected directly.
@Suite("A node in a far region", .serialized)
struct FarRegionTests {
    @Test func aNodeBehindA40msRoundTripDrainsEveryJobOnce() async throws {
        try await PostgresTestServer.shared().withDatabase { settings in
            let store = try PostgresJobStore(settings: settings, logger: PostgresTestServer.logger)
            try await store.withRunning {
                try await store.migrate()
                let target: DelayProxy.Target =
                    if let directory = settings.unixSocketPath {
                        .unixSocket(path: "\(directory)/.s.PGSQL.\(settings.port)")
                    } else {
                        .tcp(host: settings.host, port: settings.port)
                    }
                let proxy = try await DelayProxy(to: target, delay: .milliseconds(20))
                try await withTemporaryDirectory { directory in
                    var environment = settings.environment
                    environment["DB_HOST"] = "127.0.0.1"
                    environment["DB_PORT"] = "\(proxy.port)"
                    environment["REGION"] = "far"
                    environment["WORKERS"] = "8"
                    let far = try await VesperProcess(environment: environment, directory: directory.path)
                    defer { far.stop() }
                    let client = Node(baseURL: far.baseURL)
                    // Enqueued through the far node itself (each 201 waits for the delayed commit).
                    var ids: [UUID] = []
                    for index in 0..<20 { ids.append(try await client.submit(#"{"type":"demo.noop","payload":{"n":\#(index)}}"#)) }
                    // And a backlog written directly, for the far node to drain in batches.
                    let backlog = (0..<1_000).map { testJob("demo.noop", payload: #"{"n":\#($0)}"#) }
                    for chunk in stride(from: 0, to: backlog.count, by: 250) {
                        _ = try await store.enqueue(Array(backlog[chunk..<min(chunk + 250, backlog.count)]), now: Date())
                    }
                    ids += backlog.map(\.id)
                    try await waitUntil(timeout: .seconds(120), "the far node to drain every job") {
                        try await store.listJobs(JobQuery(status: .done, limit: ids.count + 1, now: Date())).count == ids.count
                    }
                    let done = try await store.listJobs(JobQuery(status: .done, limit: ids.count + 1, now: Date()))
                    #expect(Set(done.map(\.id)) == Set(ids))
                    #expect(done.allSatisfy { $0.attempt == 1 }, "every job ran exactly once")
                    let nodes = try await store.listNodes()
                    #expect(nodes.map(\.region) == ["far"])
                    #expect(Set(done.compactMap(\.workerID)) == Set(nodes.map(\.id)))
                    far.send(SIGTERM)
                    #expect(try await far.waitForExit() == 0, "\(far.log.suffix(3000))")
                }
                try await proxy.stop()
            }
        }
    }
}
