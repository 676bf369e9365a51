import Foundation
import Hummingbird
import VesperCore
import VesperHTTP

/// Who is looking at the dashboard, and the CSRF token their forms must carry.
struct Viewer: Sendable {
    var role: APIRole
    var csrf: String
    /// Signed in with a token (false when the dashboard is open, without `API_TOKENS`).
    var signedIn: Bool

    func may(_ needed: APIRole) -> Bool {
        switch (role, needed) {
        case (.admin, _), (_, .reader), (.producer, .producer): true
        default: false
        }
    }

    var canAdmin: Bool { may(.admin) }
    var canSubmit: Bool { may(.producer) }
}

/// Sessions and CSRF tokens.
///
/// - With `API_TOKENS`, a viewer signs in once with a token; the session id travels in the cookie
///   `vesper_session` (`HttpOnly`, `SameSite=Strict`, `Path=/ui`) and the session holds the role
///   and the CSRF token its forms carry.
/// - Without tokens, everyone is an admin (as on the API), and CSRF protection is a double-submit
///   cookie: `vesper_csrf` (also `HttpOnly`, `SameSite=Strict`) must equal the form's `csrf` field.
///   The login form uses the same double-submit cookie.
struct DashboardGuard: Sendable {
    static let sessionCookie = "vesper_session"
    static let csrfCookie = "vesper_csrf"

    let tokens: [APIToken]
    let sessions: SessionStore

    var open: Bool { tokens.isEmpty }

    struct Resolution {
        /// Nil when a token is needed and the request has no live session.
        var viewer: Viewer?
        /// Cookies to set on the response.
        var cookies: [String] = []
    }

    func viewer(for request: Request) -> Resolution {
        if open {
            let (csrf, cookies) = doubleSubmitToken(request)
            return Resolution(viewer: Viewer(role: .admin, csrf: csrf, signedIn: false), cookies: cookies)
        }
        guard let id = request.cookies[Self.sessionCookie]?.value, let session = sessions.session(id: id) else {
            return Resolution(viewer: nil)
        }
        return Resolution(viewer: Viewer(role: session.role, csrf: session.csrf, signedIn: true))
    }

    /// The request's `vesper_csrf` cookie, or a new one to set.
    func doubleSubmitToken(_ request: Request) -> (String, [String]) {
        if let existing = request.cookies[Self.csrfCookie]?.value, existing.count == 64 { return (existing, []) }
        let token = SessionStore.randomToken()
        return (token, [cookie(Self.csrfCookie, token, maxAge: 86_400 * 365)])
    }

    /// The role of the matching token, comparing every configured token in full.
    func role(for presented: String) -> APIRole? {
        APIToken.role(of: presented, among: tokens)
    }

    func signIn(role: APIRole) -> String {
        let (id, _) = sessions.create(role: role)
        return cookie(Self.sessionCookie, id, maxAge: Int(sessions.lifetime.components.seconds))
    }

    func signOut(_ request: Request) -> String {
        if let id = request.cookies[Self.sessionCookie]?.value { sessions.remove(id: id) }
        return cookie(Self.sessionCookie, "", maxAge: 0)
    }

    /// A cookie only the dashboard's own pages send back, never readable by scripts, never sent
    /// with a request started by another site.
    func cookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/ui; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
    }
}
