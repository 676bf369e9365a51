import Foundation
import Testing
import VesperTestSupport

/// What once took a real node down or made it tell a wrong story, checked against the real binary.
@Suite("Hardening end to end")
struct HardeningEndToEndTests {
    /// A bad chunk size or an unknown transfer coding answered 500 "internal error".
    @Test(arguments: [
        "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{\"type\":\"x\"}\r\n0\r\n\r\n",
        "POST /jobs/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"jobs\":[]}\r\n0\r\n\r\n",
        "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip\r\n\r\n{\"type\":\"x\"}",
        "POST /jobs/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\nc\r\n{\"type\":\"x\"}\r\n0\r\n\r\n",
    ])
    func malformedFramingIsABadRequest(request: String) async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: [:], directory: directory.path)
            defer { vesper.stop() }
            let connection = try RawConnection(port: vesper.port)
            connection.send(request)
            let (status, text) = connection.readResponse(seconds: 15)
            #expect(status == 400, "\(text)")
            let node = Node(baseURL: vesper.baseURL)
            #expect(try await node.get("/health").status == 200)
            #expect((try await node.get("/jobs").json["jobs"] as? [Any])?.isEmpty == true)
        }
    }

    /// 20,000 job types once made `/metrics` 100 MB: the `type` label now has a bound.
    @Test func jobTypeLabelsAreBounded() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: ["METRICS_MAX_TYPES": "5", "WORKERS": "2"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            var batch: [String] = []
            for index in 0..<300 { batch.append(#"{"type":"generated.\#(index)","delay":"1h"}"#) }
            #expect(try await node.post("/jobs/batch", #"{"jobs":[\#(batch.joined(separator: ","))]}"#).status == 201)
            _ = try await node.submit(#"{"type":"demo.noop"}"#)
            let metrics = try await node.get("/metrics").body
            let enqueued = metrics.split(separator: "\n").filter { $0.hasPrefix("vesper_jobs_enqueued_total{") }
            let generated = enqueued.filter { $0.contains("type=\"generated.") }
            #expect(generated.count == 5, "\(enqueued)")
            #expect(enqueued.contains { $0.contains(#"type="(other)""#) && $0.hasSuffix(" 295") }, "\(enqueued)")
            // A type this node has a handler for keeps its own label past the bound.
            #expect(enqueued.contains { $0.contains(#"type="demo.noop""#) }, "\(enqueued)")
        }
    }

    /// Deleting the SQLite file under a running node left it answering 201 and `/ready` 200.
    @Test func deletedDatabaseFileIsNoticed() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: ["DB_PATH": directory.file("gone.db")], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            _ = try await node.submit(#"{"type":"x","delay":"1h"}"#)
            #expect(try await node.get("/ready").status == 200)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: directory.file("gone.db") + suffix) }
            #expect(try await node.get("/ready").status == 503)
            let refused = try await node.post("/jobs", #"{"type":"x"}"#)
            #expect(refused.status == 503, "\(refused.body)")
            #expect(refused.body.contains("deleted or replaced"))
        }
    }
}
