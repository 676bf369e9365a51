import Hummingbird
import VesperCore

/// Bearer-token access control: `admin` may do everything, `producer` may submit and read,
/// `worker` may run the worker protocol and read, `reader` may only read. `/health`, `/ready` and
/// `/openapi.json` stay open (load balancers probe them; the contract is no secret), and
/// `/metrics` too unless configured to need a token. `/ui` is the dashboard's, which has its own sessions.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    enum Permission {
        case open, read, submit, work, admin
    }

    let tokens: [APIToken]
    let metricsRequireToken: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let permission = Self.permission(method: request.method, path: request.uri.path, metricsRequireToken: metricsRequireToken)
        if permission == .open { return try await next(request, context) }
        guard let header = request.headers[.authorization] else {
            throw unauthorized("send Authorization: Bearer <token>", invalid: false)
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer ", let role = role(for: String(header.dropFirst(7))) else {
            throw unauthorized("the bearer token is not valid", invalid: true)
        }
        guard Self.allows(role, permission) else {
            throw APIError(.forbidden, code: "forbidden", message: "a \(role.rawValue) token may not do this")
        }
        return try await next(request, context)
    }

    static func permission(method: HTTPRequest.Method, path: String, metricsRequireToken: Bool) -> Permission {
        switch path {
        case "/health", "/ready", "/openapi.json": return .open
        case "/metrics": return metricsRequireToken ? .read : .open
        default: break
        }
        // The dashboard (module VesperWeb) checks its own sessions: a browser sends no bearer token.
        if path == "/ui" || path.hasPrefix("/ui/") { return .open }
        if method == .get || method == .head { return .read }
        if method == .post && (path == "/jobs" || path == "/jobs/batch") { return .submit }
        if method == .post && isWorkerProtocol(path) { return .work }
        return .admin
    }

    static func allows(_ role: APIRole, _ permission: Permission) -> Bool {
        switch (role, permission) {
        case (.admin, _), (_, .open), (_, .read), (.producer, .submit), (.worker, .work): true
        default: false
        }
    }

    /// `POST /claims` and `POST /jobs/{id}/heartbeat|complete|fail`.
    static func isWorkerProtocol(_ path: String) -> Bool {
        if path == "/claims" { return true }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0].isEmpty && parts[1] == "jobs" && ["heartbeat", "complete", "fail"].contains(parts[3])
    }

    private func role(for presented: String) -> APIRole? {
        APIToken.role(of: presented, among: tokens)
    }

    private func unauthorized(_ message: String, invalid: Bool) -> APIError {
        var error = APIError(.unauthorized, code: "unauthorized", message: message)
        error.headers[.wwwAuthenticate] = invalid ? #"Bearer realm="vesper", error="invalid_token""# : #"Bearer realm="vesper""#
        return error
    }
}
