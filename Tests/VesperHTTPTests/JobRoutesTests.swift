import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import Vesper

@Suite("HTTP API")
struct JobRoutesTests {
    @Test func submitThenRead() async throws {
        try await withTestAPI { client, queue in
            let body = #"{"type":"resize_image","priority":7,"payload":{"image_url":"cat.png","width":640}}"#
            let created = try await client.post("/jobs", json: body)
            #expect(created.status == .created)
            let json = created.json
            let id = try #require(json["job_id"] as? String)
            #expect(created.headers[.location] == "/jobs/\(id)")
            #expect(json["type"] as? String == "resize_image")
            #expect(json["priority"] as? Int == 7)
            #expect(json["status"] as? String == "pending")
            #expect(json["retries"] as? Int == 0)
            #expect(json["error"] as? String == "")
            for field in ["created_at", "updated_at", "run_at", "queue", "max_retries"] { #expect(json[field] != nil, "\(field)") }
            // The payload comes back exactly as sent.
            #expect(created.text.contains(#""payload":{"image_url":"cat.png","width":640}"#))

            let read = try await client.get("/jobs/\(id)")
            #expect(read.status == .ok)
            #expect(read.json["job_id"] as? String == id)
            // And the database holds it.
            let stored = try #require(try await queue.job(id: UUID(uuidString: id)!))
            #expect(stored.payload == #"{"image_url":"cat.png","width":640}"#)
            #expect(stored.priority == 7)
        }
    }

    @Test func aRoutedJobIsStoredAndShownWithItsRegion() async throws {
        try await withTestAPI { client, queue in
            let created = try await client.post("/jobs", json: #"{"type":"export","region":"eu-west.1","region_strict":true}"#)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.json["job_id"] as? String)
            let read = try await client.get("/jobs/\(id)").json
            #expect(read["region"] as? String == "eu-west.1")
            #expect(read["region_strict"] as? Bool == true)
            let stored = try #require(try await queue.job(id: UUID(uuidString: id)!))
            #expect(stored.region == "eu-west.1")
            #expect(stored.regionStrict)
            // A job without a region shows null; strict false without a region is fine.
            let plain = try await client.post("/jobs", json: #"{"type":"export","region_strict":false}"#)
            #expect(plain.status == .created, "\(plain.text)")
            #expect(plain.json["region"] is NSNull)
            #expect(plain.json["region_strict"] as? Bool == false)
            // Each job of a batch may name its own.
            let batch = try await client.post(
                "/jobs/batch", json: #"{"jobs":[{"type":"a","region":"us"},{"type":"b"},{"type":"c","region":"eu","region_strict":true}]}"#)
            #expect(batch.status == .created, "\(batch.text)")
            let jobs = try #require(batch.json["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["region"] as? String } == ["us", nil, "eu"])
            #expect(jobs.map { $0["region_strict"] as? Bool } == [false, false, true])
            let bad = try await client.post("/jobs/batch", json: #"{"jobs":[{"type":"a"},{"type":"b","region_strict":true}]}"#)
            #expect(bad.errorField == "jobs[1].region_strict", "\(bad.text)")
        }
    }

    @Test func unknownAndMalformedIDs() async throws {
        try await withTestAPI { client, _ in
            let missing = try await client.get("/jobs/\(UUID().uuidString)")
            #expect(missing.status == .notFound)
            #expect(missing.errorCode == "not_found")
            let malformed = try await client.get("/jobs/not-a-uuid")
            #expect(malformed.status == .badRequest)
            #expect(malformed.errorField == "job_id")
            let noRoute = try await client.get("/nope")
            #expect(noRoute.status == .notFound)
            #expect(noRoute.errorCode == "not_found")
        }
    }

    struct BadRequest: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var contentType: String? = "application/json"
        var status: HTTPResponse.Status = .badRequest
        var code: String = "invalid_field"
        var field: String? = nil
        var testDescription: String { name }
    }

    static let badRequests: [BadRequest] = [
        BadRequest(name: "no content type", body: #"{"type":"x"}"#, contentType: nil, status: .unsupportedMediaType, code: "unsupported_media_type"),
        BadRequest(name: "form content type", body: "type=x", contentType: "application/x-www-form-urlencoded", status: .unsupportedMediaType, code: "unsupported_media_type"),
        BadRequest(name: "truncated JSON", body: #"{"type":"x","#, code: "malformed_json"),
        BadRequest(name: "empty body", body: "", code: "malformed_json"),
        BadRequest(name: "array body", body: #"[{"type":"x"}]"#, code: "malformed_json"),
        BadRequest(name: "trailing garbage", body: #"{"type":"x"} {}"#, code: "malformed_json"),
        BadRequest(name: "duplicate key", body: #"{"type":"x","type":"y"}"#, code: "malformed_json"),
        BadRequest(name: "bad escape", body: #"{"type":"\q"}"#, code: "malformed_json"),
        BadRequest(name: "deep nesting", body: #"{"type":"x","payload":"# + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}", code: "malformed_json"),
        BadRequest(name: "missing type", body: #"{"priority":1}"#, field: "type"),
        BadRequest(name: "numeric type", body: #"{"type":5}"#, field: "type"),
        BadRequest(name: "empty type", body: #"{"type":""}"#, field: "type"),
        BadRequest(name: "type with spaces", body: #"{"type":"send email"}"#, field: "type"),
        BadRequest(name: "type too long", body: #"{"type":"\#(String(repeating: "a", count: 129))"}"#, field: "type"),
        BadRequest(name: "priority too high", body: #"{"type":"x","priority":11}"#, field: "priority"),
        BadRequest(name: "negative priority", body: #"{"type":"x","priority":-1}"#, field: "priority"),
        BadRequest(name: "priority as string", body: #"{"type":"x","priority":"high"}"#, field: "priority"),
        BadRequest(name: "fractional priority", body: #"{"type":"x","priority":7.5}"#, field: "priority"),
        BadRequest(name: "huge priority", body: #"{"type":"x","priority":99999999999999999999999}"#, field: "priority"),
        BadRequest(name: "unknown field", body: #"{"type":"x","priorty":3}"#, field: "priorty"),
        BadRequest(name: "max_retries as string", body: #"{"type":"x","max_retries":"3"}"#, field: "max_retries"),
        BadRequest(name: "negative max_retries", body: #"{"type":"x","max_retries":-2}"#, field: "max_retries"),
        BadRequest(name: "bad run_at", body: #"{"type":"x","run_at":"tomorrow"}"#, field: "run_at"),
        BadRequest(name: "bad delay", body: #"{"type":"x","delay":"soon"}"#, field: "delay"),
        BadRequest(name: "zero timeout", body: #"{"type":"x","timeout_seconds":0}"#, field: "timeout_seconds"),
        BadRequest(name: "queue with slash", body: #"{"type":"x","queue":"a/b"}"#, field: "queue"),
        BadRequest(name: "region with space", body: #"{"type":"x","region":"eu west"}"#, field: "region"),
        BadRequest(name: "empty region", body: #"{"type":"x","region":""}"#, field: "region"),
        BadRequest(name: "numeric region", body: #"{"type":"x","region":1}"#, field: "region"),
        BadRequest(name: "strict without region", body: #"{"type":"x","region_strict":true}"#, field: "region_strict"),
        BadRequest(name: "strict as string", body: #"{"type":"x","region":"eu","region_strict":"yes"}"#, field: "region_strict"),
        BadRequest(name: "long idempotency key", body: #"{"type":"x","idempotency_key":"\#(String(repeating: "k", count: 256))"}"#, field: "idempotency_key"),
    ]

    @Test(arguments: badRequests)
    func badRequestsGetPreciseErrors(_ bad: BadRequest) async throws {
        try await withTestAPI { client, queue in
            var headers: HTTPFields = [:]
            if let contentType = bad.contentType { headers[.contentType] = contentType }
            let response = try await client.post("/jobs", json: bad.body, headers: headers)
            #expect(response.status == bad.status, "\(response.text)")
            #expect(response.errorCode == bad.code, "\(response.text)")
            if let field = bad.field { #expect(response.errorField == field, "\(response.text)") }
            // Nothing was stored.
            #expect(try await queue.list(JobQuery(now: Date())).isEmpty)
        }
    }

    @Test func invalidUTF8IsRejected() async throws {
        try await withTestAPI { client, queue in
            var body = ByteBuffer(string: #"{"type":"x","payload":""#)
            body.writeBytes([0xFF, 0xFE])
            body.writeString(#""}"#)
            let response = try await client.execute(uri: "/jobs", method: .post, headers: [.contentType: "application/json"], body: body)
            #expect(response.status == .badRequest)
            #expect(response.errorCode == "malformed_json")
            #expect(try await queue.list(JobQuery(now: Date())).isEmpty)
        }
    }

    @Test func bodiesOverTheLimitGet413() async throws {
        try await withTestAPI(maxBodyBytes: 1000) { client, queue in
            let payload = String(repeating: "a", count: 2000)
            let response = try await client.post("/jobs", json: #"{"type":"x","payload":"\#(payload)"}"#)
            #expect(response.status == .contentTooLarge)
            #expect(response.errorCode == "body_too_large")
            #expect(try await queue.list(JobQuery(now: Date())).isEmpty)
        }
    }

    @Test func defaultsApplyWhenFieldsAreOmitted() async throws {
        try await withTestAPI { client, _ in
            let response = try await client.post("/jobs", json: #"{"type":"send_email"}"#)
            #expect(response.status == .created)
            #expect(response.json["priority"] as? Int == 0)
            #expect(response.json["queue"] as? String == "default")
            #expect(response.text.contains(#""payload":{}"#))
        }
    }

    @Test func delayedJobIsScheduled() async throws {
        try await withTestAPI { client, queue in
            let response = try await client.post("/jobs", json: #"{"type":"later","delay":"1h"}"#)
            #expect(response.status == .created)
            #expect(response.json["status"] as? String == "scheduled")
            let listed = try await client.get("/jobs?status=scheduled")
            #expect((listed.json["jobs"] as? [[String: Any]])?.count == 1)
            let id = try #require(response.json["job_id"] as? String)
            let stored = try #require(try await queue.job(id: UUID(uuidString: id)!))
            #expect(stored.runAt.timeIntervalSinceNow > 3500)
        }
    }

    @Test func sameIdempotencyKeyFromFiftyConcurrentRequestsMakesOneJob() async throws {
        try await withTestAPI(testing: .live) { client, queue in
            let body = #"{"type":"charge","payload":{"order":42}}"#
            let responses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        let response = try await client.post(
                            "/jobs", json: body, headers: [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "order-42"])
                        return (response.status, response.json["job_id"] as? String)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let ids = Set(responses.compactMap(\.1))
            #expect(ids.count == 1)
            #expect(responses.filter { $0.0 == .created }.count == 1)
            #expect(responses.filter { $0.0 == .ok }.count == 49)
            #expect(try await queue.list(JobQuery(now: Date())).count == 1)

            let conflict = try await client.post(
                "/jobs", json: #"{"type":"charge","payload":{"order":43}}"#,
                headers: [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "order-42"])
            #expect(conflict.status == .conflict)
            #expect(conflict.errorCode == "idempotency_conflict")
            #expect(conflict.text.contains("order-42"))
        }
    }

    @Test func cancelAndRetryFollowTheStateMachine() async throws {
        try await withTestAPI { client, queue in
            let created = try await client.post("/jobs", json: #"{"type":"x","delay":"1h"}"#)
            let id = try #require(created.json["job_id"] as? String)
            let cancelled = try await client.post("/jobs/\(id)/cancel", json: "")
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["status"] as? String == "cancelled")
            let again = try await client.post("/jobs/\(id)/cancel", json: "")
            #expect(again.status == .conflict)
            #expect(again.errorCode == "invalid_state")
            let retry = try await client.post("/jobs/\(id)/retry", json: "")
            #expect(retry.status == .conflict)
            let unknown = try await client.post("/jobs/\(UUID().uuidString)/retry", json: "")
            #expect(unknown.status == .notFound)
            #expect(try await queue.job(id: UUID(uuidString: id)!)?.storedStatus == .cancelled)
        }
    }

    @Test func listValidatesItsFilters() async throws {
        try await withTestAPI { client, _ in
            #expect(try await client.get("/jobs?status=bogus").errorField == "status")
            #expect(try await client.get("/jobs?limit=0").errorField == "limit")
            #expect(try await client.get("/jobs?cursor=abc").errorField == "cursor")
            for index in 0..<3 { _ = try await client.post("/jobs", json: #"{"type":"t\#(index)"}"#) }
            let page = try await client.get("/jobs?limit=2")
            #expect((page.json["jobs"] as? [[String: Any]])?.map { $0["type"] as? String } == ["t2", "t1"])
            let cursor = try #require(page.json["next_cursor"] as? String)
            let next = try await client.get("/jobs?limit=2&cursor=\(cursor)")
            #expect((next.json["jobs"] as? [[String: Any]])?.map { $0["type"] as? String } == ["t0"])
        }
    }

    @Test func listFiltersByPriorityAndCreatedRange() async throws {
        try await withTestAPI { client, _ in
            #expect(try await client.get("/jobs?priority=11").errorField == "priority")
            #expect(try await client.get("/jobs?priority=x").errorField == "priority")
            #expect(try await client.get("/jobs?created_after=yesterday").errorField == "created_after")
            #expect(try await client.get("/jobs?created_before=2026-13-01").errorField == "created_before")
            _ = try await client.post("/jobs", json: #"{"type":"low","priority":1}"#)
            _ = try await client.post("/jobs", json: #"{"type":"high","priority":9}"#)
            let high = try await client.get("/jobs?priority=9")
            #expect((high.json["jobs"] as? [[String: Any]])?.map { $0["type"] as? String } == ["high"])
            let future = try await client.get("/jobs?created_after=2999-01-01T00:00:00Z")
            #expect((future.json["jobs"] as? [[String: Any]])?.isEmpty == true)
            let past = try await client.get("/jobs?created_before=2999-01-01T00:00:00Z&created_after=2000-01-01T00:00:00.000Z")
            #expect((past.json["jobs"] as? [[String: Any]])?.count == 2)
        }
    }

    @Test func databaseGoneMeans503NotACrash() async throws {
        try await withTestAPI { client, queue in
            #expect(try await client.get("/ready").status == .ok)
            try await queue.store.close()
            let ready = try await client.get("/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.json["status"] as? String == "unavailable")
            let post = try await client.post("/jobs", json: #"{"type":"x"}"#)
            #expect(post.status == .serviceUnavailable)
            #expect(post.errorCode == "database_unavailable")
            #expect(try await client.get("/health").status == .ok)
        }
    }
}
