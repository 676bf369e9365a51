import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Minimal JSON-over-HTTP calls to a `vesper` child process.
struct Node {
    let baseURL: String

    struct Reply {
        var status: Int
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
    }

    func post(_ path: String, _ json: String, headers: [(String, String)] = []) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        return try await send(request)
    }

    func put(_ path: String, _ json: String) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        return try await send(request)
    }

    func get(_ path: String) async throws -> Reply {
        try await send(HTTPClientRequest(url: baseURL + path))
    }

    private func send(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), body: String(buffer: body))
    }

    /// Posts a job and returns its id, failing the test on any status but 201.
    func submit(_ json: String) async throws -> UUID {
        let reply = try await post("/jobs", json)
        guard reply.status == 201, let id = (reply.json["job_id"] as? String).flatMap(UUID.init(uuidString:)) else {
            throw SubmitFailed(reply: reply.body, status: reply.status)
        }
        return id
    }
}

struct SubmitFailed: Error {
    var reply: String
    var status: Int
}

/// Posts `total` no-op jobs round-robin to `nodes` from `lanes` concurrent submitters, returning
/// every acknowledged id.
func submitRoundRobin(_ total: Int, to nodes: [Node], lanes: Int) async throws -> [UUID] {
    try await withThrowingTaskGroup(of: [UUID].self) { group in
        for lane in 0..<lanes {
            group.addTask {
                var mine: [UUID] = []
                for index in stride(from: lane, to: total, by: lanes) {
                    mine.append(try await nodes[index % nodes.count].submit(#"{"type":"demo.noop","priority":\#(index % 11)}"#))
                }
                return mine
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
}
