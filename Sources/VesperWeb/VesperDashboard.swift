import Foundation
import HTTPTypes
import Hummingbird
import VesperCore
import VesperHTTP

/// The operator's dashboard at `/ui`: pages rendered on the server from the node's own sources,
/// forms for every action, sessions and CSRF tokens of its own (browsers send no bearer token).
///
/// Counts come from the statistics the node samples (``LatestStatistics``), lists from
/// ``JobQueue/list(_:)`` (the listing indexes), the chart from ``ThroughputHistorySource``; a page
/// never counts a table itself.
public struct VesperDashboard: Sendable {
    /// What the dashboard reads and acts on. Every source but the queue is optional: a page whose
    /// source is missing says so.
    public struct Sources: Sendable {
        public var queue: JobQueue
        public var statistics: LatestStatistics?
        public var throughput: (any ThroughputHistorySource)?
        public var queues: (any QueueControl)?
        public var fleet: (any NodeRegistry)?
        public var keyLookup: (any IdempotencyKeyLookup)?
        public var schedules: [PeriodicJob]

        public init(
            queue: JobQueue, statistics: LatestStatistics? = nil, throughput: (any ThroughputHistorySource)? = nil,
            queues: (any QueueControl)? = nil, fleet: (any NodeRegistry)? = nil, keyLookup: (any IdempotencyKeyLookup)? = nil,
            schedules: [PeriodicJob] = []
        ) {
            self.queue = queue
            self.statistics = statistics
            self.throughput = throughput
            self.queues = queues
            self.fleet = fleet
            self.keyLookup = keyLookup
            self.schedules = schedules
        }
    }

    let sources: Sources
    let settings: DashboardSettings
    let guardian: DashboardGuard
    let throughputCache: ThroughputCache?
    let queueOverviewCache = QueueOverviewCache()

    /// - Parameter tokens: `API_TOKENS`; empty leaves the dashboard open, like the API.
    public init(sources: Sources, tokens: [APIToken], settings: DashboardSettings = DashboardSettings()) {
        self.sources = sources
        self.settings = settings
        self.guardian = DashboardGuard(tokens: tokens, sessions: SessionStore(lifetime: settings.sessionLifetime))
        self.throughputCache = sources.throughput.map { ThroughputCache(source: $0) }
    }

    /// Adds the dashboard's routes (`/ui/...`) to the API's router.
    public func register(on router: Router<BasicRequestContext>) {
        router.get("ui") { request, _ in await page(request) { try await overview($0) } }
        router.get("ui/jobs") { request, _ in await page(request) { try await jobs($0, request: request) } }
        router.get("ui/jobs/:id") { request, context in
            await page(request) { try await job($0, id: context.parameters.get("id") ?? "", request: request) }
        }
        router.get("ui/queues") { request, _ in await page(request) { try await queues($0, request: request) } }
        router.get("ui/fleet") { request, _ in await page(request) { try await fleet($0) } }
        router.get("ui/cron") { request, _ in await page(request) { try await cron($0) } }
        router.get("ui/enqueue") { request, _ in await page(request, needs: .producer) { enqueueForm($0, form: FormData(), error: nil) } }
        router.get("ui/login") { request, _ in loginPage(request, error: nil) }
        router.post("ui/login") { request, _ in await login(request) }
        router.post("ui/logout") { request, _ in await action(request, needs: .reader) { viewer, _ in try await logout(viewer, request: request) } }
        router.post("ui/jobs/retry") { request, _ in await action(request, needs: .admin) { try await bulk(.retry, $0, form: $1) } }
        router.post("ui/jobs/delete") { request, _ in await action(request, needs: .admin) { try await bulk(.delete, $0, form: $1) } }
        router.post("ui/jobs/:id/retry") { request, context in
            await action(request, needs: .admin) { _, _ in try await retryJob(id: context.parameters.get("id") ?? "") }
        }
        router.post("ui/jobs/:id/cancel") { request, context in
            await action(request, needs: .admin) { _, _ in try await cancelJob(id: context.parameters.get("id") ?? "") }
        }
        router.post("ui/jobs/:id/delete") { request, context in
            await action(request, needs: .admin) { _, _ in try await deleteJob(id: context.parameters.get("id") ?? "") }
        }
        router.post("ui/jobs/:id/run") { request, context in
            await action(request, needs: .admin) { _, _ in try await runJobNow(id: context.parameters.get("id") ?? "") }
        }
        router.post("ui/queues/:name/pause") { request, context in
            await action(request, needs: .admin) { _, _ in try await setPaused(context.parameters.get("name") ?? "", paused: true) }
        }
        router.post("ui/queues/:name/resume") { request, context in
            await action(request, needs: .admin) { _, _ in try await setPaused(context.parameters.get("name") ?? "", paused: false) }
        }
        router.post("ui/enqueue") { request, _ in await action(request, needs: .producer) { try await enqueue($0, form: $1) } }
        router.get("ui/assets/app.css") { _, _ in Assets.response(Assets.css, contentType: "text/css; charset=utf-8") }
        router.get("ui/assets/app.js") { _, _ in Assets.response(Assets.javascript, contentType: "text/javascript; charset=utf-8") }
    }

    // MARK: Request handling

    /// Renders a page for a signed-in viewer (or anyone, without tokens); viewers not signed in are sent to the login form.
    func page(_ request: Request, needs: APIRole = .reader, _ render: @Sendable (Viewer) async throws -> HTML) async -> Response {
        let resolution = guardian.viewer(for: request)
        guard let viewer = resolution.viewer else {
            return DashboardResponse.redirect("/ui/login?next=" + FormData.encode(request.uri.path))
        }
        guard viewer.may(needs) else {
            return DashboardResponse.html(errorPage(viewer, status: .forbidden, message: "Your \(viewer.role.rawValue) token may not do this."), status: .forbidden, cookies: resolution.cookies)
        }
        do {
            return DashboardResponse.html(try await render(viewer), cookies: resolution.cookies)
        } catch {
            let (status, message) = DashboardResponse.describe(error)
            return DashboardResponse.html(errorPage(viewer, status: status, message: message), status: status, cookies: resolution.cookies)
        }
    }

    /// Runs a state-changing form: signed in, a valid CSRF token, a role that may do it; then
    /// redirects (post/redirect/get) or renders what the action returned.
    func action(_ request: Request, needs: APIRole, _ perform: @Sendable (Viewer, FormData) async throws -> ActionResult) async -> Response {
        let resolution = guardian.viewer(for: request)
        guard let viewer = resolution.viewer else {
            return DashboardResponse.html(
                Layout.bare(title: "Sign in", body: "<p>Sign in first: <a href=\"/ui/login\">sign in</a>.</p>"), status: .forbidden)
        }
        let form: FormData
        do {
            form = try await DashboardResponse.form(request)
        } catch {
            return DashboardResponse.html(errorPage(viewer, status: .badRequest, message: "Send the form as application/x-www-form-urlencoded."), status: .badRequest)
        }
        guard let token = form["csrf"], APIToken.constantTimeEquals(token, viewer.csrf) else {
            return DashboardResponse.html(
                errorPage(viewer, status: .forbidden, message: "The form's CSRF token is missing or wrong. Reload the page and try again."), status: .forbidden)
        }
        guard viewer.may(needs) else {
            return DashboardResponse.html(errorPage(viewer, status: .forbidden, message: "Your \(viewer.role.rawValue) token may not do this."), status: .forbidden)
        }
        do {
            switch try await perform(viewer, form) {
            case .redirect(let location): return DashboardResponse.redirect(location, cookies: resolution.cookies)
            case .page(let html, let status): return DashboardResponse.html(html, status: status, cookies: resolution.cookies)
            case .response(let response): return response
            }
        } catch {
            let (status, message) = DashboardResponse.describe(error)
            return DashboardResponse.html(errorPage(viewer, status: status, message: message), status: status)
        }
    }

    func errorPage(_ viewer: Viewer, status: HTTPResponse.Status, message: String) -> HTML {
        Layout.page(
            title: "\(status.code) \(status.reasonPhrase)", active: "", viewer: viewer,
            body: "<section class=\"error\"><h1>\(status.code) \(status.reasonPhrase)</h1><p id=\"error-message\">\(message)</p></section>")
    }
}

/// What a form action leads to.
enum ActionResult {
    case redirect(String)
    case page(HTML, HTTPResponse.Status)
    case response(Response)
}
