import Foundation
import HTTPTypes
import Hummingbird
import VesperCore
import VesperHTTP

extension VesperDashboard {
    /// `/ui/login`: asks for an API token once; the session cookie does the rest.
    func loginPage(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) -> Response {
        if guardian.open { return DashboardResponse.redirect("/ui") }
        let (csrf, cookies) = guardian.doubleSubmitToken(request)
        let url = FormData(encoded: Substring(request.uri.query ?? ""))
        let next = url.value("next").flatMap { DashboardResponse.isDashboardPath($0) ? $0 : nil } ?? "/ui"
        let errorHTML: HTML = error.map { "<p class=\"error\" id=\"error-message\">\($0)</p>" } ?? ""
        let body: HTML = """
            <h1>Vesper</h1>
            <p>Sign in with an API token (reader, producer or admin).</p>
            \(errorHTML)
            <form method="post" action="/ui/login" class="stack" id="login-form">
            <input type="hidden" name="csrf" value="\(csrf)"><input type="hidden" name="next" value="\(next)">
            <label>token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
            <div><button type="submit" id="login-submit">Sign in</button></div>
            </form>
            """
        return DashboardResponse.html(Layout.bare(title: "Sign in", body: body), status: status, cookies: cookies)
    }

    func login(_ request: Request) async -> Response {
        if guardian.open { return DashboardResponse.redirect("/ui") }
        guard let form = try? await DashboardResponse.form(request) else {
            return loginPage(request, error: "Send the form as application/x-www-form-urlencoded.", status: .badRequest)
        }
        guard let cookie = request.cookies[DashboardGuard.csrfCookie]?.value, let token = form["csrf"],
            APIToken.constantTimeEquals(cookie, token)
        else {
            return loginPage(request, error: "The form's CSRF token is missing or wrong. Try again.", status: .forbidden)
        }
        guard let role = guardian.role(for: form["token"] ?? "") else {
            return loginPage(request, error: "That token is not valid.", status: .unauthorized)
        }
        let next = form.value("next").flatMap { DashboardResponse.isDashboardPath($0) ? $0 : nil } ?? "/ui"
        return DashboardResponse.redirect(next, cookies: [guardian.signIn(role: role)])
    }

    func logout(_ viewer: Viewer, request: Request) async throws -> ActionResult {
        var response = DashboardResponse.redirect("/ui/login")
        response.headers.append(HTTPField(name: .setCookie, value: guardian.signOut(request)))
        return .response(response)
    }
}
