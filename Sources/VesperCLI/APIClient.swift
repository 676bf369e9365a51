import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Talks to a running node's HTTP API for the CLI's client commands.
struct APIClient {
    let baseURL: String
    /// Sent as `Authorization: Bearer <token>` when set.
    var token: String?

    struct Reply {
        var status: Int
        var body: String
    }

    /// A node that cannot be reached, named with the URL that was tried.
    struct Unreachable: Error, CustomStringConvertible {
        var url: String
        var cause: String
        var description: String {
            "cannot reach a Vesper node at \(url) (\(cause)); is one running there? Set --server or VESPER_URL."
        }
    }

    /// `http://host:port` from what a user types: a URL, or `host:port` without a scheme.
    static func baseURL(from text: String) -> String {
        var url = text.trimmingCharacters(in: .whitespaces)
        if !url.contains("://") { url = "http://" + url }
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 64 << 20)
            return Reply(status: Int(response.status.code), body: String(buffer: body))
        } catch {
            throw Unreachable(url: baseURL, cause: Self.describe(error))
        }
    }

    private static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("Connection refused") || text.contains("errno: 111") { return "connection refused" }
        if text.contains("unsupportedScheme") { return "unsupported URL scheme; use http://host:port" }
        if text.contains("deadlineExceeded") || text.contains("readTimeout") { return "no answer within 30 s" }
        return text
    }
}

/// `--server`: which node to talk to.
struct ServerOption: ParsableArguments {
    @Option(name: .long, help: "A running node: a URL, or host:port ($VESPER_URL).")
    var server: String = ProcessInfo.processInfo.environment["VESPER_URL"] ?? "http://127.0.0.1:8080"

    @Option(help: "API token, when the node requires one (default: $VESPER_TOKEN).")
    var token: String?

    var client: APIClient {
        let token = self.token ?? ProcessInfo.processInfo.environment["VESPER_TOKEN"]
        return APIClient(baseURL: APIClient.baseURL(from: server), token: token)
    }
}
