import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Vesper
import VesperTestSupport

/// `DELETE /jobs/{id}` and `POST /jobs/{id}/run` through the real router, on both stores: the
/// statuses and error bodies, and what the database holds afterwards.
@Suite("Job administration routes")
struct JobAdministrationRoutesTests {
    @Test(arguments: StoreKind.allCases)
    func deleteAnswersWithTheJobThen404s(kind: StoreKind) async throws {
        try await withTestAPI(store: kind) { client, queue in
            let created = try await client.post("/jobs", json: #"{"type":"report","delay":"1h","idempotency_key":"r-1"}"#)
            let id = try #require(created.json["job_id"] as? String)
            let deleted = try await client.execute(uri: "/jobs/\(id)", method: .delete)
            #expect(deleted.status == .ok)
            #expect(deleted.json["job_id"] as? String == id && deleted.json["status"] as? String == "scheduled")
            let uuid = try #require(UUID(uuidString: id))
            #expect(try await queue.job(id: uuid) == nil)
            let again = try await client.execute(uri: "/jobs/\(id)", method: .delete)
            #expect(again.status == .notFound && again.errorCode == "not_found")
            #expect(try await client.get("/jobs/\(id)").status == .notFound)
            // The key is free again.
            #expect(try await client.post("/jobs", json: #"{"type":"report","idempotency_key":"r-1"}"#).status == .created)
            let bad = try await client.execute(uri: "/jobs/not-a-uuid", method: .delete)
            #expect(bad.status == .badRequest && bad.errorField == "job_id")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func deleteOfARunningJobIs409(kind: StoreKind) async throws {
        try await withTestAPI(store: kind) { client, queue in
            let outcome = try await queue.enqueue(queue.newJob(type: "slow"))
            guard case .created(let job) = outcome else {
                Issue.record("not created: \(outcome)")
                return
            }
            _ = try await queue.store.claim(
                ClaimRequest(limit: 1, types: nil, workerID: "n1", leaseUntil: queue.now().addingTimeInterval(60), now: queue.now()))
            let response = try await client.execute(uri: "/jobs/\(job.id.lowercaseText)", method: .delete)
            #expect(response.status == .conflict && response.errorCode == "invalid_state")
            #expect(response.text.contains("is processing"))
            #expect(try await queue.job(id: job.id)?.storedStatus == .processing)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func runMakesAScheduledJobDueAndRefusesOthers(kind: StoreKind) async throws {
        try await withTestAPI(store: kind) { client, queue in
            let created = try await client.post("/jobs", json: #"{"type":"report","delay":"1h"}"#)
            let id = try #require(created.json["job_id"] as? String)
            let run = try await client.execute(uri: "/jobs/\(id)/run", method: .post)
            #expect(run.status == .ok && run.json["status"] as? String == "pending", "\(run.text)")
            let uuid = try #require(UUID(uuidString: id))
            let stored = try #require(try await queue.job(id: uuid))
            #expect(stored.runAt <= queue.now())
            let again = try await client.execute(uri: "/jobs/\(id)/run", method: .post)
            #expect(again.status == .conflict && again.errorCode == "invalid_state" && again.text.contains("only scheduled jobs can be run now"))
            let unknown = try await client.execute(uri: "/jobs/\(UUID().uuidString)/run", method: .post)
            #expect(unknown.status == .notFound)
        }
    }
}
