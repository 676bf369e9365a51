import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Vesper
import VesperTestSupport

/// `partition` on the HTTP API: accepted on `POST /jobs` and batches, shown in `GET /jobs/{id}`,
/// a `GET /jobs` filter, and refused precisely when malformed.
@Suite("HTTP API: fair-share partitions")
struct FairShareRoutesTests {
    @Test(arguments: StoreKind.allCases)
    func aPartitionIsStoredShownAndFiltered(kind: StoreKind) async throws {
        try await withTestAPI(store: kind) { client, queue in
            let created = try await client.post("/jobs", json: #"{"type":"report","partition":"tenant-7"}"#)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["partition"] as? String == "tenant-7")
            let id = try #require(created.json["job_id"] as? String)
            let read = try await client.get("/jobs/\(id)")
            #expect(read.json["partition"] as? String == "tenant-7")
            let stored = try #require(try await queue.job(id: UUID(uuidString: id)!))
            #expect(stored.partition == "tenant-7")
            #expect(stored.fairTag == 1)

            let batch = try await client.post(
                "/jobs/batch", json: #"{"jobs":[{"type":"report","partition":"tenant 8 ✓"},{"type":"report"}]}"#)
            #expect(batch.status == .created, "\(batch.text)")
            let plain = try await client.post("/jobs", json: #"{"type":"report","partition":null}"#)
            #expect(plain.json["partition"] is NSNull, "a job without a partition shows null")

            let filtered = try await client.get("/jobs?partition=tenant%208%20%E2%9C%93")
            #expect(filtered.status == .ok, "\(filtered.text)")
            let jobs = try #require(filtered.json["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["partition"] as? String } == ["tenant 8 ✓"])
            let badFilter = try await client.get("/jobs?partition=")
            #expect(badFilter.status == .badRequest)
            #expect(badFilter.errorField == "partition")
        }
    }

    static let badBodies: [(name: String, body: String, field: String)] = [
        ("number", #"{"type":"x","partition":7}"#, "partition"),
        ("empty", #"{"type":"x","partition":""}"#, "partition"),
        ("too long", #"{"type":"x","partition":"\#(String(repeating: "p", count: 256))"}"#, "partition"),
        ("control character", #"{"type":"x","partition":"a\nb"}"#, "partition"),
        ("NUL", #"{"type":"x","partition":"a\u0000b"}"#, "partition"),
        ("in a batch", #"{"jobs":[{"type":"x"},{"type":"x","partition":""}]}"#, "jobs[1].partition"),
    ]

    @Test(arguments: badBodies.indices)
    func aMalformedPartitionIsRefusedNamingTheField(_ index: Int) async throws {
        let bad = Self.badBodies[index]
        try await withTestAPI { client, queue in
            let path = bad.body.hasPrefix(#"{"jobs""#) ? "/jobs/batch" : "/jobs"
            let response = try await client.post(path, json: bad.body)
            #expect(response.status == .badRequest, "\(bad.name): \(response.text)")
            #expect(response.errorCode == "invalid_field", "\(bad.name): \(response.text)")
            #expect(response.errorField == bad.field, "\(bad.name): \(response.text)")
            #expect(try await queue.list(JobQuery(now: Date())).isEmpty)
        }
    }
}
