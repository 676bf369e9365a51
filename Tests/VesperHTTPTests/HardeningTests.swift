import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import Vesper
import VesperTestSupport

/// Requests that once crashed a node, made it hold too much, or were answered wrongly: each is a
/// precise 4xx now, on both stores, and nothing is stored by a refused request.
@Suite("HTTP hardening")
struct HardeningTests {
    struct Refused: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var field: String
        var testDescription: String { name }
    }

    /// Bodies at and past every limit that once trapped a conversion or was stored wrongly.
    static let refusedBodies: [Refused] = [
        Refused(name: "delay past 100 years (106752d once crashed)", body: #"{"type":"x","delay":"106752d"}"#, field: "delay"),
        Refused(name: "delay in hours past the limit", body: #"{"type":"x","delay":"2562048h"}"#, field: "delay"),
        Refused(name: "delay in seconds past Int64 nanoseconds", body: #"{"type":"x","delay":"9223372037s"}"#, field: "delay"),
        Refused(name: "delay of 400 digits", body: #"{"type":"x","delay":"\#(String(repeating: "9", count: 400))s"}"#, field: "delay"),
        Refused(name: "delay just past the limit", body: #"{"type":"x","delay":"36500d1s"}"#, field: "delay"),
        Refused(name: "negative delay", body: #"{"type":"x","delay":"-5s"}"#, field: "delay"),
        Refused(name: "run_at in year 300000", body: #"{"type":"x","run_at":"300000-01-01T00:00:00Z"}"#, field: "run_at"),
        Refused(name: "run_at in year 0000", body: #"{"type":"x","run_at":"0000-01-01T00:00:00Z"}"#, field: "run_at"),
        Refused(name: "run_at in year 0001", body: #"{"type":"x","run_at":"0001-01-01T00:00:00Z"}"#, field: "run_at"),
        Refused(name: "run_at before 1970", body: #"{"type":"x","run_at":"1969-12-31T23:59:59Z"}"#, field: "run_at"),
        Refused(name: "run_at on February 30th", body: #"{"type":"x","run_at":"2026-02-30T00:00:00Z"}"#, field: "run_at"),
        Refused(name: "run_at on February 29th of a common year", body: #"{"type":"x","run_at":"2027-02-29T00:00:00Z"}"#, field: "run_at"),
        Refused(name: "run_at hour 24", body: #"{"type":"x","run_at":"2026-01-01T24:00:00Z"}"#, field: "run_at"),
        Refused(name: "run_at offset +24:00", body: #"{"type":"x","run_at":"2026-01-01T00:00:00+24:00"}"#, field: "run_at"),
        Refused(name: "run_at without an offset", body: #"{"type":"x","run_at":"2026-01-01T00:00:00"}"#, field: "run_at"),
        Refused(name: "timeout_seconds 1e-320 (once stored as 0)", body: #"{"type":"x","timeout_seconds":1e-320}"#, field: "timeout_seconds"),
        Refused(name: "timeout_seconds below a millisecond", body: #"{"type":"x","timeout_seconds":0.0009}"#, field: "timeout_seconds"),
        Refused(name: "timeout_seconds 1e999", body: #"{"type":"x","timeout_seconds":1e999}"#, field: "timeout_seconds"),
        Refused(name: "timeout_seconds past a week", body: #"{"type":"x","timeout_seconds":604800.5}"#, field: "timeout_seconds"),
        Refused(name: "priority past Int64", body: #"{"type":"x","priority":99999999999999999999}"#, field: "priority"),
        Refused(name: "priority 11", body: #"{"type":"x","priority":11}"#, field: "priority"),
        Refused(name: "max_retries 101", body: #"{"type":"x","max_retries":101}"#, field: "max_retries"),
        Refused(name: "max_retries -1", body: #"{"type":"x","max_retries":-1}"#, field: "max_retries"),
        Refused(name: "idempotency key with NUL", body: #"{"type":"x","idempotency_key":"a\u0000b"}"#, field: "idempotency_key"),
        Refused(name: "type with NUL", body: #"{"type":"x\u0000"}"#, field: "type"),
        Refused(name: "queue with NUL", body: #"{"type":"x","queue":"q\u0000"}"#, field: "queue"),
    ]

    @Test(arguments: StoreKind.allCases, refusedBodies)
    func refusedBeforeAnyConversionCanTrap(store: StoreKind, refused: Refused) async throws {
        try await withTestAPI(store: store) { client, queue in
            let response = try await client.post("/jobs", json: refused.body)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.errorField == refused.field, "\(response.text)")
            let batch = try await client.post("/jobs/batch", json: #"{"jobs":[\#(refused.body)]}"#)
            #expect(batch.status == .badRequest, "\(batch.text)")
            #expect(batch.errorField == "jobs[0].\(refused.field)", "\(batch.text)")
            #expect(try await queue.list(JobQuery(now: queue.now())).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func limitsThemselvesAreAccepted(store: StoreKind) async throws {
        try await withTestAPI(store: store) { client, queue in
            let bodies = [
                #"{"type":"x","delay":"36500d"}"#,
                #"{"type":"x","run_at":"9999-12-31T23:59:59.999Z"}"#,
                #"{"type":"x","run_at":"1970-01-01T00:00:00Z"}"#,
                #"{"type":"x","run_at":"2028-02-29T12:00:00+23:59"}"#,
                #"{"type":"x","run_at":"2028-02-29t12:00:00.123456789-23:59"}"#,
                #"{"type":"x","timeout_seconds":0.001}"#,
                #"{"type":"x","timeout_seconds":604800}"#,
                #"{"type":"x","priority":10,"max_retries":100}"#,
            ]
            for body in bodies {
                let response = try await client.post("/jobs", json: body)
                #expect(response.status == .created, "\(body): \(response.text)")
            }
            let farthest = try await client.post("/jobs", json: #"{"type":"y","run_at":"9999-12-31T23:59:59Z"}"#)
            let id = try #require(farthest.json["job_id"] as? String)
            let read = try await client.get("/jobs/\(id)")
            #expect(read.json["run_at"] as? String == "9999-12-31T23:59:59.000Z")
            #expect(read.json["status"] as? String == "scheduled")
            let offset = try await client.post("/jobs", json: #"{"type":"z","run_at":"2030-01-02T00:30:00+23:59"}"#)
            let offsetJob = try #require(try await queue.job(id: UUID(uuidString: offset.json["job_id"] as? String ?? "")!))
            #expect(offsetJob.runAt == Date(timeIntervalSince1970: 1_893_457_860))  // 2030-01-01T00:31:00Z
        }
    }

    struct RefusedFilter: Sendable, CustomTestStringConvertible {
        var query: String
        var field: String
        var testDescription: String { query }
    }

    static let badFilters: [RefusedFilter] = [
        RefusedFilter(query: "created_after=300000-01-01T00:00:00Z", field: "created_after"),
        RefusedFilter(query: "created_before=0001-01-01T00:00:00Z", field: "created_before"),
        RefusedFilter(query: "created_after=2026-13-01T00:00:00Z", field: "created_after"),
        RefusedFilter(query: "type=%00", field: "type"),
        RefusedFilter(query: "queue=a%00b", field: "queue"),
        RefusedFilter(query: "type=\(String(repeating: "t", count: 129))", field: "type"),
        RefusedFilter(query: "priority=99999999999999999999", field: "priority"),
        RefusedFilter(query: "priority=-1", field: "priority"),
        RefusedFilter(query: "limit=0", field: "limit"),
        RefusedFilter(query: "limit=1001", field: "limit"),
        RefusedFilter(query: "limit=99999999999999999999", field: "limit"),
        RefusedFilter(query: "cursor=-5", field: "cursor"),
        RefusedFilter(query: "cursor=99999999999999999999", field: "cursor"),
        RefusedFilter(query: "stauts=dlq", field: "stauts"),
    ]

    @Test(arguments: StoreKind.allCases, badFilters)
    func refusedFilters(store: StoreKind, filter: RefusedFilter) async throws {
        try await withTestAPI(store: store) { client, _ in
            let response = try await client.get("/jobs?\(filter.query)")
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.errorField == filter.field, "\(response.text)")
        }
    }

    /// A key with NUL was stored whole on SQLite but read back cut, so the same request got a 409
    /// and a different key's job could be returned; PostgreSQL answered a retryable 503.
    @Test(arguments: StoreKind.allCases)
    func nulInAnIdempotencyKeyNeverReachesTheStore(store: StoreKind) async throws {
        try await withTestAPI(store: store) { client, queue in
            let first = try await client.post("/jobs", json: #"{"type":"x","idempotency_key":"k"}"#)
            #expect(first.status == .created)
            for _ in 0..<2 {
                let nul = try await client.post("/jobs", json: #"{"type":"x","idempotency_key":"k\u0000tail"}"#)
                #expect(nul.status == .badRequest)
                #expect(nul.errorField == "idempotency_key")
            }
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("Idempotency-Key")!] = "k"
            let again = try await client.post("/jobs", json: #"{"type":"x"}"#, headers: headers)
            #expect(again.status == .ok)
            #expect(again.json["job_id"] as? String == first.json["job_id"] as? String)
            #expect(try await queue.list(JobQuery(now: queue.now())).count == 1)
        }
    }

    @Test func nullPayloadIsStoredAsNull() async throws {
        try await withTestAPI { client, queue in
            let response = try await client.post("/jobs", json: #"{"type":"x","payload":null}"#)
            #expect(response.status == .created)
            #expect(response.text.contains(#""payload":null"#))
            let job = try #require(try await queue.job(id: UUID(uuidString: response.json["job_id"] as? String ?? "")!))
            #expect(job.payload == "null")
            let omitted = try await client.post("/jobs", json: #"{"type":"x"}"#)
            #expect(omitted.text.contains(#""payload":{}"#))
        }
    }

    @Test func contentTypeMustBeJSONExactly() async throws {
        try await withTestAPI { client, _ in
            for contentType in ["application/jsonx", "application/json-seq", "text/json", "application/x-json"] {
                let response = try await client.post("/jobs", json: #"{"type":"x"}"#, headers: [.contentType: contentType])
                #expect(response.status == .unsupportedMediaType, "\(contentType)")
            }
            for contentType in ["application/json", "Application/JSON; charset=utf-8", "application/json ;charset=UTF-8"] {
                let response = try await client.post("/jobs", json: #"{"type":"x"}"#, headers: [.contentType: contentType])
                #expect(response.status == .created, "\(contentType)")
            }
        }
    }

    @Test func idempotencyKeyHeaderAndBodyMustAgree() async throws {
        try await withTestAPI { client, queue in
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPField.Name("Idempotency-Key")!] = "from-header"
            let differ = try await client.post("/jobs", json: #"{"type":"x","idempotency_key":"from-body"}"#, headers: headers)
            #expect(differ.status == .badRequest)
            #expect(differ.errorField == "idempotency_key")
            let same = try await client.post("/jobs", json: #"{"type":"x","idempotency_key":"from-header"}"#, headers: headers)
            #expect(same.status == .created)
            let batch = try await client.post("/jobs/batch", json: #"{"jobs":[{"type":"x"}]}"#, headers: headers)
            #expect(batch.status == .badRequest)
            #expect(batch.errorField == "Idempotency-Key")
            #expect(try await queue.list(JobQuery(now: queue.now())).count == 1)
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        try await withTestAPI { client, _ in
            let created = try await client.post("/jobs", json: #"{"type":"x"}"#)
            let id = try #require(created.json["job_id"] as? String)
            for path in ["/health", "/jobs", "/jobs/\(id)"] {
                let get = try await client.execute(uri: path, method: .get)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == .ok, "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
                #expect(head.headers[.contentLength] == get.headers[.contentLength], "\(path)")
            }
            let missing = try await client.execute(uri: "/jobs/\(UUID().uuidString)", method: .head)
            #expect(missing.status == .notFound)
        }
    }
}
