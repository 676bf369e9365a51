import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Keep-alive HTTP/1.1 connections to one node, at most `connections` of them.
struct BurstClient: Sendable {
    let baseURL: String
    let client: HTTPClient

    init(baseURL: String, connections: Int) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
        configuration.timeout = .init(connect: .seconds(30), read: .seconds(120))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Sends one request; returns status and body.
    func send(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: Int, body: ByteBuffer) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: .seconds(120))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), body)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// The `job_id` of a rendered job (the first member of the object).
    static func jobID(in body: ByteBuffer) -> UUID? {
        let prefix = Array(#"{"job_id":""#.utf8)
        guard body.readableBytes >= prefix.count + 36,
            let head = body.getBytes(at: body.readerIndex, length: prefix.count + 36),
            Array(head.prefix(prefix.count)) == prefix
        else { return nil }
        return UUID(uuidString: String(decoding: head.dropFirst(prefix.count), as: UTF8.self))
    }

    /// `status` and `attempt` of a rendered job.
    static func statusAndAttempt(in body: ByteBuffer) -> (String, Int)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let status = object["status"] as? String, let attempt = object["attempt"] as? Int
        else { return nil }
        return (status, attempt)
    }
}
