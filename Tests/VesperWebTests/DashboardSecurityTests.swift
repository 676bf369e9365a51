import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import Vesper
import VesperTestSupport
@testable import VesperWeb

/// Escaping, CSRF, sessions and their cookies, roles, and the security headers of `/ui`.
@Suite("Dashboard security")
struct DashboardSecurityTests {
    static let tokens = [APIToken(role: .admin, token: "admin-secret-1"), APIToken(role: .reader, token: "reader-secret-1")]

    @Test func escapeCoversTextAndAttributes() {
        #expect(HTML.escape(#"<script>alert("x" & 'y')</script>"#) == "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;")
        let type = "<b>"
        let html: HTML = "<td title=\"\(type)\">\(type)</td>"
        #expect(html.markup == "<td title=\"&lt;b&gt;\">&lt;b&gt;</td>")
    }

    @Test func prettyJSONKeepsTokensAndIndents() {
        #expect(Format.prettyJSON(#"{"a":[1,2.50,{}],"b":"x, \"y\": {z}"}"#) == "{\n  \"a\": [\n    1,\n    2.50,\n    {}\n  ],\n  \"b\": \"x, \\\"y\\\": {z}\"\n}")
    }

    @Test func payloadsTypesAndErrorsAreShownAsText() async throws {
        try await withDashboard { client, queue, store in
            let job = try await deadJob(
                store, queue, type: "evil", payload: #"{"html":"<script>alert(1)</script>"}"#, error: "<img src=x onerror=alert(2)>")
            for page in ["/ui/jobs/\(job.id.uuidString.lowercased())", "/ui/jobs?status=dlq"] {
                let response = try await client.get(page)
                #expect(response.status == .ok)
                #expect(!response.text.contains("<script>alert"), "\(page)")
                #expect(!response.text.contains("<img src=x"), "\(page)")
                #expect(response.text.contains("&lt;img src=x onerror=alert(2)&gt;"), "\(page)")
            }
            let detail = try await client.get("/ui/jobs/\(job.id.uuidString.lowercased())")
            #expect(detail.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test func pagesCarryAContentSecurityPolicyWithoutInlineScript() async throws {
        try await withDashboard { client, _, _ in
            for page in ["/ui", "/ui/jobs", "/ui/queues", "/ui/fleet", "/ui/cron", "/ui/enqueue"] {
                let response = try await client.get(page)
                #expect(response.status == .ok, "\(page)")
                let policy = try #require(response.headers[HTTPField.Name("Content-Security-Policy")!])
                #expect(policy.contains("script-src 'self'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                // The only script is the separate file.
                #expect(response.text.components(separatedBy: "<script").count == 2)
                #expect(response.text.contains("<script src=\"/ui/assets/app.js\" defer></script>"))
            }
            let script = try await client.get("/ui/assets/app.js")
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
        }
    }

    @Test func openDashboardNeedsTheDoubleSubmitToken() async throws {
        try await withDashboard { client, queue, store in
            let job = try await deadJob(store, queue)
            let page = try await client.get("/ui/jobs/\(job.id.uuidString.lowercased())")
            let cookie = try #require(page.cookie("vesper_csrf"))
            let attributes = try #require(page.setCookies.first { $0.hasPrefix("vesper_csrf=") })
            #expect(attributes.contains("HttpOnly") && attributes.contains("SameSite=Strict") && attributes.contains("Path=/ui"))
            let csrf = try #require(page.csrfToken)
            #expect(cookie == "vesper_csrf=\(csrf)")
            let path = "/ui/jobs/\(job.id.uuidString.lowercased())/retry"

            #expect(try await client.postForm(path, [:], cookies: [cookie]).status == .forbidden)  // no token
            #expect(try await client.postForm(path, ["csrf": csrf]).status == .forbidden)  // no cookie (another site's form)
            #expect(try await client.postForm(path, ["csrf": String(repeating: "0", count: 64)], cookies: [cookie]).status == .forbidden)
            #expect(try await queue.job(id: job.id)?.storedStatus == .dlq)

            let done = try await client.postForm(path, ["csrf": csrf], cookies: [cookie])
            #expect(done.status == .seeOther)
            #expect(done.headers[.location] == "/ui/jobs/\(job.id.uuidString.lowercased())?notice=retried")
            #expect(try await queue.job(id: job.id)?.storedStatus == .pending)
        }
    }

    @Test func withTokensTheDashboardAsksForOneAndKeepsASession() async throws {
        try await withDashboard(tokens: Self.tokens) { client, queue, store in
            let job = try await deadJob(store, queue)
            let jobPage = "/ui/jobs/\(job.id.uuidString.lowercased())"
            let anonymous = try await client.get(jobPage)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location]?.hasPrefix("/ui/login?next=") == true)
            // The API's bearer tokens do not open the dashboard's forms, and the API stays closed.
            #expect(try await client.get("/jobs/\(job.id.uuidString.lowercased())").status == .unauthorized)

            let form = try await client.get("/ui/login")
            let csrfCookie = try #require(form.cookie("vesper_csrf"))
            let loginCSRF = try #require(form.csrfToken)
            #expect(try await client.postForm("/ui/login", ["csrf": loginCSRF, "token": "wrong"], cookies: [csrfCookie]).status == .unauthorized)
            #expect(try await client.postForm("/ui/login", ["token": "reader-secret-1"], cookies: [csrfCookie]).status == .forbidden)

            let reader = try await client.postForm("/ui/login", ["csrf": loginCSRF, "token": "reader-secret-1", "next": jobPage], cookies: [csrfCookie])
            #expect(reader.status == .seeOther)
            #expect(reader.headers[.location] == jobPage)
            let sessionAttributes = try #require(reader.setCookies.first { $0.hasPrefix("vesper_session=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=28800"] { #expect(sessionAttributes.contains(attribute)) }
            let readerCookie = try #require(reader.cookie("vesper_session"))

            let readerView = try await client.get(jobPage, cookies: [readerCookie])
            #expect(readerView.status == .ok)
            #expect(readerView.text.contains("id=\"job-status\">dlq<"))
            #expect(!readerView.text.contains("id=\"retry-job\""))
            #expect(!readerView.text.contains("/retry\""))
            // A reader's own session token on a forged form: still not allowed.
            let readerCSRF = try #require(readerView.csrfToken)  // the sign-out form's
            let forged = try await client.postForm("\(jobPage)/retry", ["csrf": readerCSRF], cookies: [readerCookie])
            #expect(forged.status == .forbidden)
            #expect(try await queue.job(id: job.id)?.storedStatus == .dlq)

            let admin = try await client.postForm("/ui/login", ["csrf": loginCSRF, "token": "admin-secret-1"], cookies: [csrfCookie])
            let adminCookie = try #require(admin.cookie("vesper_session"))
            let adminView = try await client.get(jobPage, cookies: [adminCookie])
            #expect(adminView.text.contains("id=\"retry-job\""))
            let adminCSRF = try #require(adminView.csrfToken)
            #expect(adminCSRF != readerCSRF)
            #expect(try await client.postForm("\(jobPage)/retry", [:], cookies: [adminCookie]).status == .forbidden)
            #expect(try await client.postForm("\(jobPage)/retry", ["csrf": readerCSRF], cookies: [adminCookie]).status == .forbidden)
            #expect(try await client.postForm("\(jobPage)/retry", ["csrf": adminCSRF], cookies: [adminCookie]).status == .seeOther)
            #expect(try await queue.job(id: job.id)?.storedStatus == .pending)

            let signedOut = try await client.postForm("/ui/logout", ["csrf": adminCSRF], cookies: [adminCookie])
            #expect(signedOut.status == .seeOther)
            #expect(try await client.get("/ui", cookies: [adminCookie]).status == .seeOther)
        }
    }

    @Test func disabledDashboardIsNotServed() async throws {
        // The facade leaves the routes out with UI_ENABLED=0; the configuration reads it.
        let configuration = try await VesperConfiguration.fromEnvironment(["UI_ENABLED": "0", "GRAFANA_URL": "https://grafana.example/d/vesper"], dotEnvPath: nil)
        #expect(configuration.dashboard.enabled == false)
        #expect(configuration.dashboard.grafanaURL == "https://grafana.example/d/vesper")
        await #expect(throws: ConfigurationError.self) {
            try await VesperConfiguration.fromEnvironment(["GRAFANA_URL": "javascript:alert(1)"], dotEnvPath: nil)
        }
    }
}
