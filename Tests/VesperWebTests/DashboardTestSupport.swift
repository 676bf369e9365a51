import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Vesper
import VesperHTTP
import VesperTestSupport
import VesperWeb

/// The API router with the dashboard on a temporary SQLite store, as a node serves them.
func withDashboard<T: Sendable>(
    tokens: [APIToken] = [], settings: DashboardSettings = DashboardSettings(),
    _ body: @Sendable (any TestClientProtocol, JobQueue, any VesperStore) async throws -> T
) async throws -> T {
    try await withStore(.sqlite) { store in
        let queue = JobQueue(store: store)
        let statistics = (store as? any QueueStatisticsSource).map { LatestStatistics(source: $0, maxAge: .milliseconds(1)) }
        let dashboard = VesperDashboard(
            sources: VesperDashboard.Sources(
                queue: queue, statistics: statistics, throughput: store as? any ThroughputHistorySource, queues: store as? any QueueControl,
                fleet: store, keyLookup: store as? any IdempotencyKeyLookup),
            tokens: tokens, settings: settings)
        let router = VesperAPI.router(queue: queue, maxBodyBytes: 1 << 20, tokens: tokens, queueControl: store as? any QueueControl)
        dashboard.register(on: router)
        let app = VesperAPI.application(
            router: router, address: ListenAddress(host: "127.0.0.1", port: 0), http: HTTPSettings(), logger: Logger(label: "test"))
        return try await app.test(.router) { client in try await body(client, queue, store) }
    }
}

struct DashboardTestError: Error {
    var message: String
}

/// Enqueues a job and moves it to the dead-letter queue.
@discardableResult
func deadJob(_ store: any VesperStore, _ queue: JobQueue, type: String = "demo.fail", payload: String = "{}", error: String = "boom") async throws -> Job {
    guard case .created(let job) = try await queue.enqueue(queue.newJob(type: type, payloadJSON: payload)) else { throw DashboardTestError(message: "not created") }
    let claimed = try await store.claim(ClaimRequest(limit: 100, types: [type], workerID: "w", leaseUntil: queue.now().addingTimeInterval(30), now: queue.now()))
    for item in claimed where item.id == job.id {
        _ = try await store.finish([Completion(token: LeaseToken(id: item.id, attempt: item.attempt), outcome: .deadLetter(error: error))], now: queue.now())
    }
    return try requireJobHelper(await queue.job(id: job.id))
}

func requireJobHelper(_ job: Job?) throws -> Job {
    guard let job else { throw DashboardTestError(message: "job missing") }
    return job
}

extension TestClientProtocol {
    func get(_ uri: String, cookies: [String] = []) async throws -> TestResponse {
        var headers = HTTPFields()
        if !cookies.isEmpty { headers[.cookie] = cookies.joined(separator: "; ") }
        return try await execute(uri: uri, method: .get, headers: headers)
    }

    func postForm(_ uri: String, _ fields: [String: String], cookies: [String] = []) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if !cookies.isEmpty { headers[.cookie] = cookies.joined(separator: "; ") }
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// Every `Set-Cookie` value.
    var setCookies: [String] { headers[values: .setCookie] }

    /// `name=value` of the cookie `name` set by this response.
    func cookie(_ name: String) -> String? {
        setCookies.first { $0.hasPrefix(name + "=") }.map { String($0.prefix { $0 != ";" }) }
    }

    /// The value of the first `<input name="csrf" value="...">` on the page.
    var csrfToken: String? {
        guard let range = text.range(of: "name=\"csrf\" value=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
