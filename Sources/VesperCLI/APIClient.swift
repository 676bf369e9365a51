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

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }
}

/// `--server`: which node to talk to.
import ArgumentParser

struct ServerOption: ParsableArguments {
    @Option(name: .long, help: "Base URL of a running node (default: $VESPER_URL or http://127.0.0.1:8080).")
    var server: String = ProcessInfo.processInfo.environment["VESPER_URL"] ?? "http://127.0.0.1:8080"

    @Option(help: "API token, when the node requires one (default: $VESPER_TOKEN).")
    var token: String?

    var client: APIClient {
        let token = self.token ?? ProcessInfo.processInfo.environment["VESPER_TOKEN"]
        return APIClient(baseURL: server.hasSuffix("/") ? String(server.dropLast()) : server, token: token)
    }
}

/// Prints a reply's body and fails with exit code 1 on an error status.
func printReply(_ reply: APIClient.Reply) throws {
    print(reply.body)
    if reply.status >= 400 { throw ExitCode(1) }
}
