import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import Vesper
import VesperHTTP
import VesperTestSupport

/// `openapi.yaml` is the contract: the node serves it compiled in, describes every route it
/// registers, and registers every route it describes.
@Suite("OpenAPI document")
struct OpenAPIDocumentTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The compiled-in JSON is what `scripts/openapi-json.py` makes of `openapi.yaml` today.
    @Test func theCompiledDocumentMatchesTheYAML() async throws {
        let (code, output) = try await runCommand(
            "/usr/bin/env", ["python3", Self.packageRoot.appendingPathComponent("scripts/openapi-json.py").path, "--check"])
        #expect(code == 0, "\(output)")
    }

    /// Every route of a node with every optional part (fleet, statistics, queues, worker protocol,
    /// metrics) is documented, and every documented operation reaches a handler: the answer is
    /// anything but the router's own "no such route". `HEAD` routes are generated from `GET` ones.
    @Test func routesAndDocumentAgree() async throws {
        try await withStore(.sqlite) { store in
            let capabilities = StoreCapabilities(of: store)
            let queue = JobQueue(store: store)
            let router = VesperAPI.router(
                queue: queue, maxBodyBytes: 1 << 20, fleet: store, statistics: capabilities.statistics, queueControl: capabilities.queueControl,
                remoteWorkers: RemoteWorkerGateway(store: store, logger: Logger(label: "test")), metricsText: { "" })
            let registered = Set(router.routes.filter { $0.method != .head }.map { "\($0.method.rawValue) \($0.path.description)" })
            let app = VesperAPI.application(
                router: router, address: ListenAddress(host: "127.0.0.1", port: 0), http: HTTPSettings(), logger: Logger(label: "test"))
            try await app.test(.router) { client in
                let served = try await client.get("/openapi.json")
                #expect(served.status == .ok)
                #expect(served.headers[.contentType] == "application/json; charset=utf-8")
                let document = served.json
                #expect(document["openapi"] as? String == "3.1.0")
                let paths = try #require(document["paths"] as? [String: [String: Any]])
                var documented = Set<String>()
                for (path, item) in paths {
                    for method in item.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                        documented.insert("\(method.uppercased()) \(path)")
                    }
                }
                #expect(registered.subtracting(documented).isEmpty, "registered but not documented: \(registered.subtracting(documented).sorted())")
                #expect(documented.subtracting(registered).isEmpty, "documented but not registered: \(documented.subtracting(registered).sorted())")
                for operation in documented.sorted() {
                    let parts = operation.split(separator: " ", maxSplits: 1)
                    let path = String(parts[1]).replacingOccurrences(of: "{id}", with: UUID().lowercaseText)
                        .replacingOccurrences(of: "{name}", with: "default")
                    let method = HTTPRequest.Method(String(parts[0]))!
                    let response = try await client.execute(
                        uri: path, method: method, headers: method == .post ? [.contentType: "application/json"] : [:],
                        body: method == .post ? ByteBuffer(string: "{}") : nil)
                    let isRouterNotFound = response.status == .notFound && response.text.contains("no such route")
                    #expect(!isRouterNotFound, "\(operation) answered \(response.status): \(response.text)")
                    #expect(response.status.code < 500, "\(operation) answered \(response.status): \(response.text)")
                }
                // The check itself can fail: a path nobody registered gets the router's answer.
                let missing = try await client.get("/no-such-route")
                #expect(missing.status == .notFound && missing.text.contains("no such route"), "\(missing.text)")
            }
        }
    }
}
