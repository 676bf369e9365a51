import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Vesper
import VesperTestSupport
@testable import VesperWeb

/// What the pages show and what their forms do, and `POST /jobs/retry` and `POST /jobs/delete` behind the bulk actions.
@Suite("Dashboard pages")
struct DashboardPagesTests {
    @Test func overviewShowsTheSampledCountsAndTheChart() async throws {
        var settings = DashboardSettings()
        settings.grafanaURL = "https://grafana.example/d/vesper"
        try await withDashboard(settings: settings) { client, queue, store in
            try await deadJob(store, queue)
            _ = try await queue.enqueue(queue.newJob(type: "later", priority: 7))
            let page = try await client.get("/ui")
            #expect(page.status == .ok)
            #expect(page.text.contains("id=\"count-dlq\" data-count=\"1\""))
            #expect(page.text.contains("id=\"count-pending\" data-count=\"1\""))
            #expect(page.text.contains("id=\"pending-priority-7\">1<"))
            #expect(page.text.contains("<svg"))
            #expect(page.text.contains("id=\"throughput-failed\">1<"))
            #expect(page.text.contains("href=\"https://grafana.example/d/vesper\""))
        }
    }

    @Test func jobsPageFiltersAndPages() async throws {
        try await withDashboard { client, queue, store in
            for index in 0..<3 { try await deadJob(store, queue, type: index == 0 ? "mail" : "image") }
            let dlq = try await client.get("/ui/jobs?status=dlq&type=image")
            #expect(dlq.text.components(separatedBy: "data-job-id=").count == 3)
            #expect(dlq.text.contains("id=\"tab-count-dlq\">3<"))
            #expect(try await client.get("/ui/jobs?priority=11").status == .badRequest)
        }
    }

    @Test func queuesPagePausesAndResumes() async throws {
        try await withDashboard { client, queue, _ in
            _ = try await queue.enqueue(queue.newJob(type: "x", queue: "reports"))
            let page = try await client.get("/ui/queues")
            let cookie = try #require(page.cookie("vesper_csrf"))
            let csrf = try #require(page.csrfToken)
            #expect(page.text.contains("id=\"pause-reports\""))
            #expect(try await client.postForm("/ui/queues/reports/pause", ["csrf": csrf], cookies: [cookie]).status == .seeOther)
            let api = try await client.get("/queues")
            #expect(api.text.contains(#""name":"reports","pending":1,"scheduled":0,"processing":0,"paused":true"#))
            #expect(try await client.get("/ui/queues", cookies: [cookie]).text.contains("id=\"resume-reports\""))
        }
    }

    @Test func enqueueFormCreatesAJobAndNamesABadField() async throws {
        try await withDashboard { client, queue, _ in
            let page = try await client.get("/ui/enqueue")
            let cookie = try #require(page.cookie("vesper_csrf"))
            let csrf = try #require(page.csrfToken)
            let created = try await client.postForm(
                "/ui/enqueue", ["csrf": csrf, "type": "send_email", "priority": "4", "payload": #"{"to":"a@b.c"}"#, "queue": "mail"], cookies: [cookie])
            #expect(created.status == .seeOther)
            let location = try #require(created.headers[.location])
            let id = try #require(UUID(uuidString: String(location.dropFirst("/ui/jobs/".count).prefix(36))))
            let job = try #require(try await queue.job(id: id))
            #expect(job.type == "send_email" && job.priority == 4 && job.queue == "mail" && job.payload == #"{"to":"a@b.c"}"#)
            let bad = try await client.postForm("/ui/enqueue", ["csrf": csrf, "type": "x", "payload": "{nope"], cookies: [cookie])
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("payload must be JSON"))
        }
    }

    @Test func bulkRetryAsksThenRetriesTheMatches() async throws {
        try await withDashboard { client, queue, store in
            for index in 0..<4 { try await deadJob(store, queue, type: index < 3 ? "mail" : "image") }
            let page = try await client.get("/ui/jobs?status=dlq&type=mail")
            let cookie = try #require(page.cookie("vesper_csrf"))
            let csrf = try #require(page.csrfToken)
            let confirm = try await client.postForm("/ui/jobs/retry", ["csrf": csrf, "status": "dlq", "type": "mail"], cookies: [cookie])
            #expect(confirm.status == .ok)
            #expect(confirm.text.contains("id=\"bulk-count\">3<"))
            let done = try await client.postForm("/ui/jobs/retry", ["csrf": csrf, "status": "dlq", "type": "mail", "confirm": "1"], cookies: [cookie])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/ui/jobs?status=dlq&type=mail&notice=bulk-retry&acted=3&skipped=0")
            var dlq = JobQuery(now: queue.now())
            dlq.status = .dlq
            #expect(try await queue.list(dlq).map(\.type) == ["image"])
        }
    }

    /// A running job shows its progress and a Cancel button; a finished one its result and every
    /// attempt; what the handler wrote is escaped like everything else from the database.
    @Test func jobPageShowsProgressResultAndAttempts() async throws {
        try await withDashboard { client, queue, store in
            guard case .created(let job) = try await queue.enqueue(queue.newJob(type: "resize", payloadJSON: "{}")) else {
                throw DashboardTestError(message: "not created")
            }
            let now = queue.now()
            let claimed = try #require(
                try await store.claim(ClaimRequest(limit: 1, types: ["resize"], workerID: "node-a", leaseUntil: now.addingTimeInterval(30), now: now))
                    .first)
            let token = LeaseToken(id: claimed.id, attempt: claimed.attempt)
            let progress = JobProgress(percent: 40, message: "<b>resizing</b>", updatedAt: now, attempt: claimed.attempt)
            _ = try await store.renewLeases(LeaseRenewal(leases: [token], progress: [token: progress], until: now.addingTimeInterval(30), now: now))
            let running = try await client.get("/ui/jobs/\(job.id.lowercaseText)")
            #expect(running.text.contains("id=\"job-progress\"") && running.text.contains("40%"))
            #expect(running.text.contains("&lt;b&gt;resizing&lt;/b&gt;") && !running.text.contains("<b>resizing</b>"))
            #expect(running.text.contains("id=\"cancel-job\""))

            _ = try await store.finish(
                [Completion(token: token, outcome: .done, result: #"{"url":"<cat>.png"}"#, startedAt: now)], now: now.addingTimeInterval(1))
            let finished = try await client.get("/ui/jobs/\(job.id.lowercaseText)")
            #expect(finished.text.contains("id=\"job-result\"") && finished.text.contains("&lt;cat&gt;.png"))
            #expect(finished.text.contains("id=\"job-attempts\"") && finished.text.contains("node-a"))
            #expect(!finished.text.contains("id=\"job-progress\"") && !finished.text.contains("id=\"cancel-job\""))
        }
    }

    @Test func jobPageOffersDeleteAndRunNowWhereTheStateAllows() async throws {
        try await withDashboard { client, queue, store in
            guard case .created(let later) = try await queue.enqueue(queue.newJob(type: "later", runAt: queue.now().addingTimeInterval(3600)))
            else { throw DashboardTestError(message: "not created") }
            let dead = try await deadJob(store, queue)
            let page = try await client.get("/ui/jobs/\(later.id.lowercaseText)")
            #expect(page.text.contains("id=\"run-job\"") && page.text.contains("id=\"delete-job\""))
            let deadPage = try await client.get("/ui/jobs/\(dead.id.lowercaseText)")
            #expect(!deadPage.text.contains("id=\"run-job\"") && deadPage.text.contains("id=\"delete-job\""))
            let cookie = try #require(page.cookie("vesper_csrf"))
            let csrf = try #require(page.csrfToken)

            let run = try await client.postForm("/ui/jobs/\(later.id.lowercaseText)/run", ["csrf": csrf], cookies: [cookie])
            #expect(run.status == .seeOther)
            #expect(run.headers[.location] == "/ui/jobs/\(later.id.lowercaseText)?notice=run")
            #expect(try #require(try await queue.job(id: later.id)).status(at: queue.now()) == .pending)
            let again = try await client.postForm("/ui/jobs/\(later.id.lowercaseText)/run", ["csrf": csrf], cookies: [cookie])
            #expect(again.status == .conflict && again.text.contains("only scheduled jobs can be run now"))

            let deleted = try await client.postForm("/ui/jobs/\(dead.id.lowercaseText)/delete", ["csrf": csrf], cookies: [cookie])
            #expect(deleted.status == .seeOther)
            #expect(deleted.headers[.location] == "/ui/jobs?status=dlq&notice=deleted")
            #expect(try await queue.job(id: dead.id) == nil)
            let gone = try await client.postForm("/ui/jobs/\(dead.id.lowercaseText)/delete", ["csrf": csrf], cookies: [cookie])
            #expect(gone.status == .notFound)
            let forged = try await client.postForm("/ui/jobs/\(later.id.lowercaseText)/delete", ["csrf": "wrong"], cookies: [cookie])
            #expect(forged.status == .forbidden)
            #expect(try await queue.job(id: later.id) != nil)
        }
    }

    @Test func bulkDeleteAsksThenDeletesTheMatches() async throws {
        try await withDashboard { client, queue, store in
            for index in 0..<4 { try await deadJob(store, queue, type: index < 3 ? "mail" : "image") }
            let page = try await client.get("/ui/jobs?status=dlq&type=mail")
            #expect(page.text.contains("id=\"bulk-delete\""))
            #expect(!(try await client.get("/ui/jobs")).text.contains("id=\"bulk-delete\""))  // no filter, no bulk delete
            let cookie = try #require(page.cookie("vesper_csrf"))
            let csrf = try #require(page.csrfToken)
            let confirm = try await client.postForm("/ui/jobs/delete", ["csrf": csrf, "status": "dlq", "type": "mail"], cookies: [cookie])
            #expect(confirm.status == .ok)
            #expect(confirm.text.contains("id=\"bulk-count\">3<") && confirm.text.contains("id=\"bulk-applicable\">3<"))
            var dlq = JobQuery(now: queue.now())
            dlq.status = .dlq
            #expect(try await queue.list(dlq).count == 4)  // asking deletes nothing
            let done = try await client.postForm("/ui/jobs/delete", ["csrf": csrf, "status": "dlq", "type": "mail", "confirm": "1"], cookies: [cookie])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/ui/jobs?status=dlq&type=mail&notice=bulk-delete&acted=3&skipped=0")
            #expect(try await queue.list(dlq).map(\.type) == ["image"])
            let notice = try await client.get(try #require(done.headers[.location]), cookies: [cookie])
            #expect(notice.text.contains("Deleted 3 jobs; skipped 0."))
            let everything = try await client.postForm("/ui/jobs/delete", ["csrf": csrf, "confirm": "1"], cookies: [cookie])
            #expect(everything.status == .badRequest && everything.text.contains("needs at least one filter"))
            #expect(try await queue.list(dlq).count == 1)
        }
    }

    @Test func bulkDeleteAPIAnswersDeletedAndSkipped() async throws {
        try await withDashboard { client, queue, store in
            for _ in 0..<3 { try await deadJob(store, queue, type: "mail") }
            guard case .created(let running) = try await queue.enqueue(queue.newJob(type: "mail")) else { throw DashboardTestError(message: "not created") }
            _ = try await store.claim(ClaimRequest(limit: 10, types: ["mail"], workerID: "w", leaseUntil: queue.now().addingTimeInterval(60), now: queue.now()))
            let response = try await client.execute(uri: "/jobs/delete?type=mail", method: .post)
            #expect(response.status == .ok)
            #expect(response.text == #"{"deleted":3,"skipped":1}"#)
            #expect(try await queue.job(id: running.id)?.storedStatus == .processing)
            for uri in ["/jobs/delete", "/jobs/delete?status=", "/jobs/delete?status=nope", "/jobs/delete?type=mail&limit=5", "/jobs/delete?typ=mail"] {
                let refused = try await client.execute(uri: uri, method: .post)
                #expect(refused.status == .badRequest, "\(uri): \(refused.text)")
                #expect(refused.text.contains(#""code":"invalid_field""#), "\(uri)")
            }
            #expect(try await queue.job(id: running.id) != nil)
        }
    }

    @Test func bulkRetryAPIAnswersRetriedAndSkipped() async throws {
        try await withDashboard { client, queue, store in
            for _ in 0..<3 { try await deadJob(store, queue, type: "mail") }
            _ = try await queue.enqueue(queue.newJob(type: "mail"))
            let response = try await client.execute(uri: "/jobs/retry?type=mail", method: .post)
            #expect(response.status == .ok)
            #expect(response.text == #"{"retried":3,"skipped":1}"#)
            let again = try await client.execute(uri: "/jobs/retry?status=dlq", method: .post)
            #expect(again.text == #"{"retried":0,"skipped":0}"#)
            #expect(try await client.execute(uri: "/jobs/retry?status=nope", method: .post).status == .badRequest)
            #expect(try await client.execute(uri: "/jobs/retry?cursor=5", method: .post).status == .badRequest)
            #expect(try await client.execute(uri: "/jobs/retry?stauts=dlq", method: .post).status == .badRequest)  // a typo retries nothing
        }
    }

    @Test func bulkRetryAPINeedsAnAdminToken() async throws {
        try await withDashboard(tokens: DashboardSecurityTests.tokens) { client, _, _ in
            let reader = try await client.execute(uri: "/jobs/retry?status=dlq", method: .post, headers: [.authorization: "Bearer reader-secret-1"])
            #expect(reader.status == .forbidden)
            let admin = try await client.execute(uri: "/jobs/retry?status=dlq", method: .post, headers: [.authorization: "Bearer admin-secret-1"])
            #expect(admin.status == .ok)
        }
    }
}
