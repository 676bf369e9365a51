import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Vesper
import VesperTestSupport

@Suite("HTTP unique jobs")
struct UniqueJobRoutesTests {
    struct BadUnique: Sendable, CustomTestStringConvertible {
        var name: String
        var unique: String
        var field: String
        var testDescription: String { name }
    }

    static let badUniques: [BadUnique] = [
        BadUnique(name: "not an object", unique: #""sync:42""#, field: "unique"),
        BadUnique(name: "unknown member", unique: #"{"key":"k","period":"10m"}"#, field: "unique.period"),
        BadUnique(name: "empty key", unique: #"{"key":""}"#, field: "unique.key"),
        BadUnique(name: "key too long", unique: #"{"key":"\#(String(repeating: "k", count: 256))"}"#, field: "unique.key"),
        BadUnique(name: "key with NUL", unique: #"{"key":"a\u0000b"}"#, field: "unique.key"),
        BadUnique(name: "numeric key", unique: #"{"key":42}"#, field: "unique.key"),
        BadUnique(name: "bad duration", unique: #"{"for":"ten minutes"}"#, field: "unique.for"),
        BadUnique(name: "zero duration", unique: #"{"for":"0"}"#, field: "unique.for"),
        BadUnique(name: "negative duration", unique: #"{"for":"-5m"}"#, field: "unique.for"),
        BadUnique(name: "duration over the maximum", unique: #"{"for":"36501d"}"#, field: "unique.for"),
        BadUnique(name: "numeric duration", unique: #"{"for":600}"#, field: "unique.for"),
        BadUnique(name: "unknown state", unique: #"{"states":["pending","running"]}"#, field: "unique.states[1]"),
        BadUnique(name: "state not a string", unique: #"{"states":[1]}"#, field: "unique.states[0]"),
        BadUnique(name: "empty states", unique: #"{"states":[]}"#, field: "unique.states"),
        BadUnique(name: "states not an array", unique: #"{"states":"pending"}"#, field: "unique.states"),
    ]

    @Test(arguments: badUniques)
    func badUniqueOptionsGetPreciseErrors(_ bad: BadUnique) async throws {
        try await withTestAPI { client, queue in
            let response = try await client.post("/jobs", json: #"{"type":"sync","unique":\#(bad.unique)}"#)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.errorCode == "invalid_field", "\(response.text)")
            #expect(response.errorField == bad.field, "\(response.text)")
            // In a batch, the field names the job.
            let batch = try await client.post("/jobs/batch", json: #"{"jobs":[{"type":"a"},{"type":"sync","unique":\#(bad.unique)}]}"#)
            #expect(batch.status == .badRequest, "\(batch.text)")
            #expect(batch.errorField == "jobs[1]." + bad.field, "\(batch.text)")
            #expect(try await queue.list(JobQuery(now: Date())).isEmpty)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aHeldKeyAnswers200WithTheExistingJob(kind: StoreKind) async throws {
        try await withTestAPI(store: kind) { client, queue in
            let body = #"{"type":"sync","payload":{"account":42},"unique":{"key":"sync:42","for":"10m"}}"#
            let first = try await client.post("/jobs", json: body)
            #expect(first.status == .created, "\(first.text)")
            #expect(first.json["duplicate"] as? Bool == false)
            #expect(first.json["unique_key"] as? String == "sync:42")
            let id = try #require(first.json["job_id"] as? String)

            let second = try await client.post("/jobs", json: #"{"type":"sync","payload":{"account":43},"unique":{"key":"sync:42"}}"#)
            #expect(second.status == .ok, "\(second.text)")
            #expect(second.json["job_id"] as? String == id)
            #expect(second.json["duplicate"] as? Bool == true)
            #expect(second.headers[.location] == "/jobs/\(id)")

            let read = try await client.get("/jobs/\(id)")
            #expect(read.json["unique_key"] as? String == "sync:42")
            #expect(read.json["duplicate"] == nil)
            // A job without a unique key reads `"unique_key": null`; listings leave the field out.
            let plain = try await client.post("/jobs", json: #"{"type":"plain"}"#)
            #expect(plain.json["duplicate"] == nil)
            let plainID = try #require(plain.json["job_id"] as? String)
            #expect(try await client.get("/jobs/\(plainID)").text.contains(#""unique_key":null"#))
            #expect(try await queue.list(JobQuery(now: Date())).count == 2)
        }
    }

    @Test func onlyForDerivesTheKeyFromTypeAndPayload() async throws {
        try await withTestAPI { client, queue in
            let first = try await client.post("/jobs", json: #"{"type":"sync","payload":{"a":1,"b":"x"},"unique":{"for":"1h"}}"#)
            #expect(first.status == .created)
            let key = try #require(first.json["unique_key"] as? String)
            #expect(key.hasPrefix("sync:"))
            let same = try await client.post("/jobs", json: #"{"type":"sync","payload":{ "b": "x", "a": 1 },"unique":{"for":"1h"}}"#)
            #expect(same.status == .ok)
            #expect(same.json["job_id"] as? String == first.json["job_id"] as? String)
            let other = try await client.post("/jobs", json: #"{"type":"sync","payload":{"a":2,"b":"x"},"unique":{"for":"1h"}}"#)
            #expect(other.status == .created)
            #expect(try await queue.list(JobQuery(now: Date())).count == 2)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aBatchStoresTheNewJobsAndAnswersHeldKeysWithTheirHolders(kind: StoreKind) async throws {
        try await withTestAPI(store: kind) { client, queue in
            let held = try await client.post("/jobs", json: #"{"type":"sync","unique":{"key":"held"}}"#)
            let heldID = try #require(held.json["job_id"] as? String)
            let response = try await client.post(
                "/jobs/batch",
                json: #"{"jobs":[{"type":"sync","unique":{"key":"held"}},{"type":"sync","unique":{"key":"new"}},"#
                    + #"{"type":"sync","unique":{"key":"new"}},{"type":"plain"}]}"#)
            #expect(response.status == .created, "\(response.text)")
            let jobs = try #require(response.json["jobs"] as? [[String: Any]])
            #expect(jobs.count == 4)
            #expect(jobs[0]["job_id"] as? String == heldID)
            #expect(jobs[0]["duplicate"] as? Bool == true)
            #expect(jobs[1]["duplicate"] as? Bool == false)
            #expect(jobs[2]["job_id"] as? String == jobs[1]["job_id"] as? String)
            #expect(jobs[2]["duplicate"] as? Bool == true)
            #expect(jobs[3]["duplicate"] == nil)
            #expect(try await queue.list(JobQuery(now: Date())).count == 3)

            // Only held keys: nothing new, 200.
            let again = try await client.post("/jobs/batch", json: #"{"jobs":[{"type":"sync","unique":{"key":"held"}}]}"#)
            #expect(again.status == .ok)
        }
    }
}
