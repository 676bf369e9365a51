import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Vesper
import VesperHTTP
import VesperTestSupport

/// Runs `body` against the real router on a real, temporary store (SQLite unless `store` says otherwise).
func withTestAPI<T: Sendable>(
    store kind: StoreKind = .sqlite, maxBodyBytes: Int = 1 << 20, testing: TestingSetup = .router,
    _ body: @Sendable (any TestClientProtocol, JobQueue) async throws -> T
) async throws -> T {
    try await withStore(kind) { store in
        let queue = JobQueue(store: store)
        let router = VesperAPI.router(queue: queue, maxBodyBytes: maxBodyBytes)
        var http = HTTPSettings()
        http.maxBodyBytes = maxBodyBytes
        let app = VesperAPI.application(
            router: router, address: ListenAddress(host: "127.0.0.1", port: 0), http: http, logger: Logger(label: "test"))
        return try await app.test(testing) { client in try await body(client, queue) }
    }
}

extension TestClientProtocol {
    func post(_ uri: String, json: String, headers: HTTPFields = [.contentType: "application/json"]) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: json))
    }

    func get(_ uri: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .get)
    }
}

extension TestResponse {
    /// The body as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// `error.code` and `error.field` of an error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorField: String? { (json["error"] as? [String: Any])?["field"] as? String }
    var text: String { String(buffer: body) }
}
