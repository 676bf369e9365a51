import Foundation
import InMemoryTracing
import Synchronization
import Testing
import Tracing
import Vesper
import VesperTestSupport

/// Holds the port a node reports once it listens.
private final class BoundPort: Sendable {
    let value = Mutex<Int?>(nil)
}

/// A W3C `traceparent` on `POST /jobs` reaches the span of the attempt that runs the job, through
/// the database, on a real node.
@Suite("Trace propagation over HTTP")
struct TracePropagationTests {
    static let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let parentID = "00f067aa0ba902b7"
    static let traceparent = "00-\(traceID)-\(parentID)-01"

    @Test func aTraceparentHeaderLinksTheHandlersSpanToTheCallersTrace() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await Vesper(configuration: VesperEmbeddingTests.configuration(directory, role: .all))
            let tracer = W3CInMemoryTracer()
            vesper.replaceMiddleware(with: JobTracingMiddleware(tracer: tracer))
            let loggedTraceIDs = Recorder<String>()
            vesper.register(Greet.self) { _, context in
                loggedTraceIDs.append(context.logger[metadataKey: LogKey.traceID].map { "\($0)" } ?? "none")
            }
            let port = BoundPort()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await vesper.run { bound in port.value.withLock { $0 = bound } } }
                try await waitUntil("the node to listen") { port.value.withLock { $0 } != nil }
                let bound = port.value.withLock { $0! }
                let single = try await Self.post(
                    "/jobs", #"{"type":"greet","payload":{"name":"Ada"}}"#, port: bound,
                    headers: ["traceparent: \(Self.traceparent)", "tracestate: rojo=00f067aa0ba902b7", "tracestate: congo=t61rcWkgMzE"])
                let batch = try await Self.post(
                    "/jobs/batch", #"{"jobs":[{"type":"greet","payload":{"name":"Lin"}}]}"#, port: bound,
                    headers: ["traceparent: \(Self.traceparent)"])
                let invalid = try await Self.post(
                    "/jobs", #"{"type":"greet","payload":{"name":"Max"}}"#, port: bound, headers: ["traceparent: 00-not-a-trace"])
                #expect([single, batch, invalid] == [Int](repeating: 201, count: 3), "a bad traceparent is ignored, not an error")

                let jobs = try await vesper.queue.list(JobQuery(type: "greet", limit: 10, now: Date()))
                #expect(jobs.count == 3)
                for job in jobs { try await waitUntil("job \(job.id) to be done") { try await vesper.queue.job(id: job.id)?.storedStatus == .done } }
                let stored = try await jobs.asyncMap { try #require(try await vesper.queue.job(id: $0.id)) }
                let byName = Dictionary(uniqueKeysWithValues: stored.map { ($0.payload, $0) })
                // What the database holds: the headers as sent (several tracestate fields joined), or nothing.
                #expect(
                    byName[#"{"name":"Ada"}"#]?.traceContext
                        == JobTraceContext(fields: ["traceparent": Self.traceparent, "tracestate": "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"]))
                #expect(byName[#"{"name":"Lin"}"#]?.traceContext == JobTraceContext(fields: ["traceparent": Self.traceparent]))
                #expect(byName[#"{"name":"Max"}"#]?.traceContext == nil)

                let spans = tracer.finishedSpans.filter { $0.operationName == "greet" }
                #expect(spans.count == 3)
                for job in stored {
                    let span = try #require(spans.first { $0.attributes[JobTracingMiddleware.SpanKey.jobID]?.toSpanAttribute() == .string(job.id.lowercaseText) })
                    #expect(span.kind == .consumer)
                    let link = span.links.first?.context.inMemorySpanContext
                    if job.traceContext == nil {
                        #expect(span.links.isEmpty)
                    } else {
                        #expect(link?.traceID == Self.traceID, "the attempt's span links to the caller's trace")
                        #expect(link?.spanID == Self.parentID, "... and to the caller's span")
                    }
                }
                #expect(loggedTraceIDs.all.sorted() == [Self.traceID, Self.traceID, "none"])
                group.cancelAll()
                try await group.waitForAll()
            }
        }
    }

    /// Sends one raw `POST` with extra header lines and returns the response status.
    static func post(_ path: String, _ body: String, port: Int, headers: [String]) async throws -> Int {
        let head = (["POST \(path) HTTP/1.1", "Host: x", "Content-Type: application/json", "Content-Length: \(body.utf8.count)"] + headers)
            .joined(separator: "\r\n")
        let exchange = try await RawHTTPClient.exchange(port: port, bytes: Array("\(head)\r\n\r\n\(body)".utf8))
        return try #require(exchange.responses.first).status
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async throws -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
