import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import Vesper
@testable import VesperHTTP
import VesperTestSupport

@Suite("Batches and access control")
struct BatchAndAuthTests {
    @Test func batchCreatesEveryJobInOrder() async throws {
        try await withTestAPI { client, queue in
            let body = #"{"jobs":[{"type":"a","priority":1},{"type":"b","payload":{"x":[1,2]}},{"type":"c","idempotency_key":"c-1"}]}"#
            let response = try await client.post("/jobs/batch", json: body)
            #expect(response.status == .created, "\(response.text)")
            let jobs = try #require(response.json["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["type"] as? String } == ["a", "b", "c"])
            #expect(try await queue.list(JobQuery(now: Date())).count == 3)
            // Repeating it: the keyed job exists, the others are new jobs.
            let again = try await client.post("/jobs/batch", json: body)
            #expect(again.status == .created)
            #expect((again.json["jobs"] as? [[String: Any]])?[2]["job_id"] as? String == jobs[2]["job_id"] as? String)
            #expect(try await queue.list(JobQuery(now: Date())).count == 5)
        }
    }

    @Test(arguments: [
        (#"{"jobs":[{"type":"a"},{"type":"b"},{"type":"c","priority":99}]}"#, "jobs[2].priority"),
        (#"{"jobs":[{"type":"a"},{"priority":1}]}"#, "jobs[1].type"),
        (#"{"jobs":[]}"#, "jobs"),
        (#"{"jobs":{"type":"a"}}"#, "jobs"),
        (#"{"jobz":[]}"#, "jobs"),
        (#"{"jobs":[{"type":"a"},5]}"#, "jobs"),
    ])
    func invalidBatchesNameTheJobAndFieldAndStoreNothing(body: String, field: String) async throws {
        try await withTestAPI { client, queue in
            let response = try await client.post("/jobs/batch", json: body)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.errorField == field, "\(response.text)")
            #expect(try await queue.list(JobQuery(now: Date())).isEmpty)
        }
    }

    @Test func batchConflictIs409AndStoresNothing() async throws {
        try await withTestAPI { client, queue in
            _ = try await client.post("/jobs", json: #"{"type":"a","idempotency_key":"k"}"#)
            let response = try await client.post("/jobs/batch", json: #"{"jobs":[{"type":"new"},{"type":"b","idempotency_key":"k"}]}"#)
            #expect(response.status == .conflict)
            #expect(response.errorCode == "idempotency_conflict")
            #expect(try await queue.list(JobQuery(now: Date())).count == 1)
        }
    }

    @Test func oversizedBatchIsRejected() async throws {
        try await withTestAPI { client, _ in
            let jobs = Array(repeating: #"{"type":"a"}"#, count: 1001).joined(separator: ",")
            let response = try await client.post("/jobs/batch", json: #"{"jobs":[\#(jobs)]}"#)
            #expect(response.status == .badRequest)
            #expect(response.errorField == "jobs")
        }
    }

    static let tokens = [
        APIToken(role: .admin, token: "admin-token-1"), APIToken(role: .producer, token: "producer-token-1"),
        APIToken(role: .reader, token: "reader-token-1"),
    ]

    struct Access: Sendable, CustomTestStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var token: String?
        var status: HTTPResponse.Status
        var testDescription: String { "\(method) \(path) as \(token ?? "nobody") → \(status.code)" }
    }

    static let table: [Access] = [
        Access(method: .get, path: "/health", token: nil, status: .ok),
        Access(method: .get, path: "/ready", token: nil, status: .ok),
        Access(method: .get, path: "/jobs", token: nil, status: .unauthorized),
        Access(method: .get, path: "/jobs", token: "wrong-token-xx", status: .unauthorized),
        Access(method: .get, path: "/jobs", token: "reader-token-1", status: .ok),
        Access(method: .get, path: "/metrics", token: nil, status: .unauthorized),
        Access(method: .get, path: "/metrics", token: "reader-token-1", status: .ok),
        Access(method: .post, path: "/jobs", token: "reader-token-1", status: .forbidden),
        Access(method: .post, path: "/jobs", token: "producer-token-1", status: .created),
        Access(method: .post, path: "/jobs/batch", token: "producer-token-1", status: .created),
        Access(method: .post, path: "/jobs/00000000-0000-0000-0000-000000000000/cancel", token: "producer-token-1", status: .forbidden),
        Access(method: .post, path: "/jobs/00000000-0000-0000-0000-000000000000/cancel", token: "admin-token-1", status: .notFound),
        Access(method: .post, path: "/jobs", token: "admin-token-1", status: .created),
        Access(method: .delete, path: "/jobs/00000000-0000-0000-0000-000000000000", token: "producer-token-1", status: .forbidden),
        Access(method: .delete, path: "/jobs/00000000-0000-0000-0000-000000000000", token: "admin-token-1", status: .notFound),
        Access(method: .post, path: "/jobs/00000000-0000-0000-0000-000000000000/run", token: "reader-token-1", status: .forbidden),
        Access(method: .post, path: "/jobs/00000000-0000-0000-0000-000000000000/run", token: "admin-token-1", status: .notFound),
        Access(method: .post, path: "/jobs/delete?status=dlq", token: "producer-token-1", status: .forbidden),
        Access(method: .post, path: "/jobs/delete?status=dlq", token: "admin-token-1", status: .ok),
        Access(method: .post, path: "/jobs/retry?status=dlq", token: "reader-token-1", status: .forbidden),
    ]

    @Test(arguments: table)
    func rolesGateTheEndpoints(_ access: Access) async throws {
        try await withStore(.sqlite) { store in
            let queue = JobQueue(store: store)
            let router = VesperAPI.router(queue: queue, maxBodyBytes: 1 << 20, tokens: Self.tokens, metricsText: { "" })
            let app = VesperAPI.application(
                router: router, address: ListenAddress(host: "127.0.0.1", port: 0), http: HTTPSettings(), logger: Logger(label: "test"))
            try await app.test(.router) { client in
                var headers: HTTPFields = [.contentType: "application/json"]
                if let token = access.token { headers[.authorization] = "Bearer \(token)" }
                let body = access.path == "/jobs/batch" ? #"{"jobs":[{"type":"a"}]}"# : #"{"type":"a"}"#
                let response = try await client.execute(
                    uri: access.path, method: access.method, headers: headers, body: access.method == .post ? ByteBuffer(string: body) : nil)
                #expect(response.status == access.status, "\(response.text)")
                if response.status == .unauthorized {
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer realm=\"vesper\"") == true)
                }
            }
        }
    }

    @Test func tokenComparisonIsExact() {
        func equal(_ a: String, _ b: String) -> Bool {
            APIToken.constantTimeEquals(a, b)
        }
        #expect(equal("abc", "abc"))
        #expect(!equal("abc", "abd"))
        #expect(!equal("abc", "abcd"))
        #expect(!equal("abc", ""))
        #expect(!equal("", "abc"))
        #expect(!equal("abcabc", "abc"))
    }
}
