import Foundation
import NIOCore
import NIOHTTP1

/// Requests to one node over lean keep-alive HTTP/1.1 connections (``HTTP1Connection``): each
/// in-flight slot opens its own connection and uses it for one request at a time.
///
/// `http://` only: the bench talks to a node on the loopback interface or a private network.
struct BurstClient: Sendable {
    let baseURL: String
    private let host: String
    private let port: Int
    /// The URL's path, prepended to every request path (for a node behind a path-routing proxy).
    private let pathPrefix: String
    /// Host, Content-Type and Content-Length (patched per request) of a `POST` with a JSON body.
    private let jsonHeaders: HTTPHeaders
    private let plainHeaders: HTTPHeaders

    init(baseURL: String) throws {
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard let components = URLComponents(string: trimmed), components.scheme?.lowercased() == "http", let host = components.host, !host.isEmpty else {
            throw BenchFailure("--server must be an http:// URL such as http://127.0.0.1:8080, got \(baseURL)")
        }
        self.baseURL = trimmed
        self.host = host
        self.port = components.port ?? 80
        self.pathPrefix = components.path
        let hostHeader = components.port.map { "\(host):\($0)" } ?? host
        plainHeaders = HTTPHeaders([("Host", hostHeader)])
        jsonHeaders = HTTPHeaders([("Host", hostHeader), ("Content-Type", "application/json"), ("Content-Length", "0")])
    }

    /// Opens `count` connections at once and sends one `GET /health` on each, so the server has
    /// accepted and set up every connection before measuring starts. A slot whose connection
    /// failed gets `nil` and connects on its first request.
    func connect(_ count: Int) async -> [HTTP1Connection?] {
        await withTaskGroup(of: (Int, HTTP1Connection?).self) { group in
            for index in 0..<count {
                group.addTask {
                    var connection = try? await HTTP1Connection.connect(host: host, port: port)
                    if (try? await send(.GET, "/health", on: &connection)) == nil { connection = nil }
                    return (index, connection)
                }
            }
            var connections = [HTTP1Connection?](repeating: nil, count: count)
            for await (index, connection) in group { connections[index] = connection }
            return connections
        }
    }

    /// Sends one request (a JSON body makes it a JSON request) and returns its whole response.
    ///
    /// `connection` is the caller's own: opened here when it is `nil` or was closed, and dropped
    /// after a failure, so the next request starts on a fresh one.
    func send(_ method: HTTPMethod, _ path: String, json body: ByteBuffer? = nil, on connection: inout HTTP1Connection?) async throws -> HTTP1Response {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: pathPrefix + path, headers: body == nil ? plainHeaders : jsonHeaders)
        if let body { head.headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes)) }
        do {
            if connection == nil || connection?.channel.isActive == false {
                await connection?.close()
                connection = try await HTTP1Connection.connect(host: host, port: port)
            }
            return try await connection!.send(head, body: body)
        } catch {
            await connection?.close()
            connection = nil
            throw error
        }
    }

    /// The `job_id` of a rendered job (the first member of the object).
    static func jobID(in body: ByteBuffer) -> UUID? {
        let prefix = #"{"job_id":""#.utf8
        guard body.readableBytes >= prefix.count + 36,
            body.readableBytesView.prefix(prefix.count).elementsEqual(prefix),
            let text = body.getString(at: body.readerIndex + prefix.count, length: 36)
        else { return nil }
        return UUID(uuidString: text)
    }

    /// `status` and `attempt` of a rendered job.
    static func statusAndRetries(in body: ByteBuffer) -> (String, Int)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let status = object["status"] as? String, let retries = object["retries"] as? Int
        else { return nil }
        return (status, retries)
    }
}
