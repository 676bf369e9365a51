import Foundation
import Testing
import VesperCore
import VesperTestSupport

/// Random and mutated requests against a real `vesper serve`, on each store, over raw sockets.
///
/// Bounded: `VESPER_FUZZ_SECONDS` per store (default 30). Reproducible: the seed is printed and
/// `VESPER_FUZZ_SEED` replays it (docs/DESIGN-NOTES.md, "Fuzzing"). It asserts that no request gets
/// a 5xx (there is no database outage here, so not even 503), that the process survives, that
/// `/health` and `/ready` still answer 200, and that every job acknowledged with 201 reads back
/// with the type, queue, priority and payload bytes it was submitted with.
@Suite("HTTP fuzzing against vesper serve", .serialized)
struct HTTPFuzzTests {
    enum Store: String, CaseIterable, Sendable { case sqlite, postgres }

    @Test(.timeLimit(.minutes(15)), arguments: Store.allCases)
    func randomRequestsNeverGet5xxAndAcknowledgedJobsReadBack(store: Store) async throws {
        let seed = SeededRandom.seedFromEnvironment()
        let seconds = ProcessInfo.processInfo.environment["VESPER_FUZZ_SECONDS"].flatMap(Double.init) ?? 30
        print("HTTP fuzz (\(store.rawValue)): seed \(seed), \(seconds) s; replay with VESPER_FUZZ_SEED=\(seed)")
        try await withTemporaryDirectory { directory in
            switch store {
            case .sqlite:
                try await fuzz(environment: ["WORKERS": "2"], directory: directory.path, seed: seed, seconds: seconds, store: store)
            case .postgres:
                try await PostgresTestServer.shared().withDatabase { settings in
                    var environment = settings.environment
                    environment["WORKERS"] = "2"
                    try await fuzz(environment: environment, directory: directory.path, seed: seed, seconds: seconds, store: store)
                }
            }
        }
    }

    func fuzz(environment: [String: String], directory: String, seed: UInt64, seconds: Double, store: Store) async throws {
        let vesper = try await VesperProcess(environment: environment, directory: directory)
        defer { vesper.stop() }
        var fuzzer = HTTPFuzzer(seed: seed)
        var findings = Findings(seed: seed, store: store.rawValue)
        var acknowledged: [Acknowledged] = []
        var statuses: [Int: Int] = [:]
        var iteration = 0
        var previous: FuzzRequest?
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            iteration += 1
            let request = fuzzer.next()
            let exchange: RawHTTPClient.Exchange
            do {
                exchange = try await RawHTTPClient.exchange(
                    port: vesper.port, bytes: request.bytes, expected: request.expectedResponses, headRequests: request.headIndices,
                    timeout: request.timeout)
            } catch {
                // The node went away after the previous exchange.
                findings.record("process died", previous ?? request, iteration - 1, detail: "\(error)\n" + vesper.log.suffix(4000))
                break
            }
            previous = request
            if exchange.responses.count < request.expectedResponses, exchange.closed {
                // A crash shows as a closed connection; give the process a moment to be gone.
                for _ in 0..<20 where vesper.isRunning { try await Task.sleep(for: .milliseconds(100)) }
            }
            guard vesper.isRunning else {
                findings.record("process died", request, iteration, detail: String(vesper.log.suffix(4000)))
                break
            }
            for (index, response) in exchange.responses.enumerated() {
                statuses[response.status, default: 0] += 1
                if response.status >= 500 || response.status < 100 {
                    findings.record("status \(response.status)", request, iteration, detail: response.head + "\n\n" + response.bodyText)
                }
                if response.status == 200, let deleted = request.deletedID {
                    acknowledged.removeAll { $0.id.lowercased() == deleted }  // `DELETE /jobs/{id}` removed it
                }
                guard response.status == 201 else { continue }
                // What was acknowledged: one job, or each job of a batch, with the body it came from.
                var created: [(reply: [UInt8], body: [UInt8])] = []
                if let body = request.jobBodies[index] {
                    created = [(response.body, body)]
                } else if index == 0, let jobs = request.batchJobs {
                    let replies = RawJSON.member("jobs", of: response.body).map(RawJSON.elements) ?? []
                    guard replies.count == jobs.count else {
                        findings.record("bad 201", request, iteration, detail: "\(replies.count) jobs in the reply for \(jobs.count) sent")
                        continue
                    }
                    created = Array(zip(replies, jobs))
                }
                for (reply, body) in created {
                    switch Acknowledged.from(reply: reply, body: body, request: request, iteration: iteration) {
                    case .success(let job):
                        acknowledged.append(job)
                        fuzzer.knownIDs.append(job.id)
                    case .failure(let problem):
                        findings.record("bad 201", request, iteration, detail: "\(problem.text)\n\(escapedBytes(reply, limit: 2000))")
                    }
                }
            }
            if exchange.responses.count < request.expectedResponses, !request.mayStayUnanswered,
                !(request.mayCloseUnanswered && exchange.closed), exchange.responses.last?.closesConnection != true
            {
                findings.record(
                    "no response", request, iteration,
                    detail: "\(exchange.responses.count) of \(request.expectedResponses) responses; closed: \(exchange.closed); "
                        + "then: \(escapedBytes(exchange.leftover, limit: 500))")
            }
        }
        print("HTTP fuzz (\(store.rawValue)): \(iteration) exchanges, statuses \(statuses.sorted { $0.key < $1.key }), "
            + "\(acknowledged.count) jobs acknowledged")

        // The node is still healthy and every acknowledged job reads back as submitted.
        #expect(vesper.isRunning, "vesper died; seed \(seed)\n\(vesper.log.suffix(4000))")
        if vesper.isRunning {
            for path in ["/health", "/ready"] {
                let status = try? await RawHTTPClient.exchange(port: vesper.port, bytes: Array("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                    .responses.first?.status
                #expect(status == 200, "GET \(path) after fuzzing answered \(status.map(String.init) ?? "nothing"); seed \(seed)")
            }
            // Metric labels stay bounded: no job id and no random method becomes a label value.
            let metrics = try? await RawHTTPClient.exchange(port: vesper.port, bytes: Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
                .responses.first
            #expect(metrics?.status == 200, "GET /metrics after fuzzing answered \(metrics.map { String($0.status) } ?? "nothing"); seed \(seed)")
            if let text = metrics?.bodyText {
                let leaked = (fuzzer.knownIDs + fuzzer.randomMethods).filter { text.contains($0) }
                #expect(leaked.isEmpty, "/metrics has request data as label values, so its size grows without bound: \(leaked.prefix(5)); seed \(seed)")
                print("HTTP fuzz (\(store.rawValue)): /metrics is \(text.utf8.count) bytes, \(text.split(separator: "\n").count) lines")
            }
            for job in acknowledged {
                let get = Array("GET /jobs/\(job.id) HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
                guard let response = try? await RawHTTPClient.exchange(port: vesper.port, bytes: get).responses.first else {
                    findings.record("read-back", job.request, job.iteration, detail: "GET /jobs/\(job.id) got no response")
                    continue
                }
                if let problem = job.mismatch(readBack: response) {
                    findings.record("read-back", job.request, job.iteration, detail: "job \(job.id): \(problem)")
                }
            }
        }
        if !findings.isEmpty {
            print(findings.report)
            Issue.record(Comment(rawValue: findings.report))
        }
    }
}

/// Problems found in one run, grouped by kind with a few examples each, printed with the seed and
/// the offending request (escaped) so it can be replayed alone.
struct Findings {
    let seed: UInt64
    let store: String
    private var byKind: [String: (count: Int, examples: [String])] = [:]
    private var order: [String] = []

    init(seed: UInt64, store: String) {
        self.seed = seed
        self.store = store
    }

    var isEmpty: Bool { byKind.isEmpty }

    mutating func record(_ kind: String, _ request: FuzzRequest, _ iteration: Int, detail: String) {
        let key = "\(kind) [\(request.category)]"
        if byKind[key] == nil { order.append(key) }
        var entry = byKind[key] ?? (0, [])
        entry.count += 1
        if entry.examples.count < 3 {
            entry.examples.append(
                "  request #\(iteration): \(escapedBytes(request.bytes, limit: 3000))\n  answer: \(detail.prefix(1500).replacingOccurrences(of: "\n", with: "\n    "))")
        }
        byKind[key] = entry
    }

    var report: String {
        var text = "HTTP fuzz findings on \(store), seed \(seed) (replay: VESPER_FUZZ_SEED=\(seed) swift test --filter HTTPFuzz):\n"
        for key in order {
            let entry = byKind[key]!
            text += "- \(key): \(entry.count)×\n" + entry.examples.joined(separator: "\n") + "\n"
        }
        return text
    }
}

/// A job the node acknowledged with 201, and what it must read back as.
struct Acknowledged {
    var id: String
    var type: String
    var queue: String
    var priority: Int
    var payload: [UInt8]
    var request: FuzzRequest
    var iteration: Int

    struct Problem: Error { var text: String }

    /// Reads the expectation from the submitted body (the 201 itself only gives the id).
    static func from(reply: [UInt8], body: [UInt8], request: FuzzRequest, iteration: Int) -> Result<Self, Problem> {
        guard let id = RawJSON.string("job_id", of: reply), UUID(uuidString: id) != nil else {
            return .failure(Problem(text: "the 201 body has no job_id"))
        }
        if (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) == nil {
            // Numbers beyond Double's range are valid JSON JSONSerialization cannot hold; anything
            // else it rejects should have been a 400.
            guard RawJSON.hasHugeNumber(body) else { return .failure(Problem(text: "201 for a body that is not a JSON object")) }
        }
        guard let type = RawJSON.string("type", of: body) else { return .failure(Problem(text: "201 without a string type")) }
        let queue = RawJSON.string("queue", of: body) ?? "default"
        let priority = RawJSON.member("priority", of: body).flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
        // Exactly as sent, `null` included; `{}` when absent (README, fields of POST /jobs).
        let payload = RawJSON.member("payload", of: body) ?? Array("{}".utf8)
        return .success(Acknowledged(id: id.lowercased(), type: type, queue: queue, priority: priority, payload: payload, request: request, iteration: iteration))
    }

    init(id: String, type: String, queue: String, priority: Int, payload: [UInt8], request: FuzzRequest, iteration: Int) {
        (self.id, self.type, self.queue, self.priority, self.payload, self.request, self.iteration) =
            (id, type, queue, priority, payload, request, iteration)
    }

    /// What differs between the expectation and `GET /jobs/{id}`'s answer, or nil.
    func mismatch(readBack response: RawHTTPClient.Response) -> String? {
        guard response.status == 200 else { return "GET answered \(response.status): \(response.bodyText.prefix(500))" }
        // Member by member: a payload such as 1e999 is valid JSON that JSONSerialization cannot hold.
        let body = response.body
        var problems: [String] = []
        let storedType = RawJSON.string("type", of: body), storedQueue = RawJSON.string("queue", of: body)
        if storedType != type { problems.append("type \(describe(storedType)) instead of \(describe(type))") }
        if storedQueue != queue { problems.append("queue \(describe(storedQueue)) instead of \(describe(queue))") }
        let storedPriority = RawJSON.member("priority", of: body).flatMap { Int(String(decoding: $0, as: UTF8.self)) }
        if storedPriority != priority { problems.append("priority \(describe(storedPriority)) instead of \(priority)") }
        let stored = RawJSON.member("payload", of: response.body)
        if stored != payload {
            problems.append("payload \(escapedBytes(stored ?? [], limit: 300)) instead of \(escapedBytes(payload, limit: 300))")
        }
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    private func describe(_ value: Any?) -> String {
        guard let value else { return "nil" }
        if let text = value as? String { return "\"\(escapedBytes(Array(text.utf8), limit: 200))\"" }
        return "\(value)"
    }
}

/// Walks JSON already known to be valid, to find members' and elements' raw bytes.
enum RawJSON {
    private struct Cursor {
        let bytes: [UInt8]
        var index = 0

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() { while let byte = current, [0x20, 0x0A, 0x0D, 0x09].contains(byte) { index += 1 } }

        mutating func skipString() {
            index += 1
            while let byte = current, byte != UInt8(ascii: "\"") { index += byte == UInt8(ascii: "\\") ? 2 : 1 }
            index = min(index + 1, bytes.count)
        }

        /// Skips one value; returns its bytes.
        mutating func value() -> [UInt8] {
            let start = index
            var depth = 0
            while let byte = current {
                switch byte {
                case UInt8(ascii: "\""):
                    skipString()
                    if depth == 0 { return Array(bytes[start..<index]) }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return Array(bytes[start..<index]) }
                    depth -= 1
                    if depth == 0 {
                        index += 1
                        return Array(bytes[start..<index])
                    }
                case UInt8(ascii: ","), 0x20, 0x0A, 0x0D, 0x09:
                    if depth == 0 { return Array(bytes[start..<index]) }
                default: break
                }
                index += 1
            }
            return Array(bytes[start..<index])
        }
    }

    /// A top-level member's raw bytes.
    static func member(_ name: String, of bytes: [UInt8]) -> [UInt8]? {
        var cursor = Cursor(bytes: bytes)
        cursor.skipWhitespace()
        guard cursor.current == UInt8(ascii: "{") else { return nil }
        cursor.index += 1
        while true {
            cursor.skipWhitespace()
            guard cursor.current == UInt8(ascii: "\"") else { return nil }
            let keyBytes = cursor.value()
            let key = try? JSONSerialization.jsonObject(with: Data(keyBytes), options: .fragmentsAllowed) as? String
            cursor.skipWhitespace()
            guard cursor.current == UInt8(ascii: ":") else { return nil }
            cursor.index += 1
            cursor.skipWhitespace()
            let value = cursor.value()
            if key == name { return value }
            cursor.skipWhitespace()
            guard cursor.current == UInt8(ascii: ",") else { return nil }
            cursor.index += 1
        }
    }

    /// The raw bytes of each element of an array.
    static func elements(of array: [UInt8]) -> [[UInt8]] {
        var cursor = Cursor(bytes: array)
        var result: [[UInt8]] = []
        cursor.skipWhitespace()
        guard cursor.current == UInt8(ascii: "[") else { return [] }
        cursor.index += 1
        while true {
            cursor.skipWhitespace()
            guard let byte = cursor.current, byte != UInt8(ascii: "]") else { return result }
            result.append(cursor.value())
            cursor.skipWhitespace()
            guard cursor.current == UInt8(ascii: ",") else { return result }
            cursor.index += 1
        }
    }

    /// A top-level string member, decoded.
    static func string(_ name: String, of bytes: [UInt8]) -> String? {
        member(name, of: bytes).flatMap { try? JSONSerialization.jsonObject(with: Data($0), options: .fragmentsAllowed) as? String }
    }

    /// A number JSONSerialization cannot represent (an exponent of three digits or more, or a
    /// run of more than 300 digits), which the scanner legitimately keeps as written.
    static func hasHugeNumber(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.range(of: #"[eE][+-]?[0-9]{3,}"#, options: .regularExpression) != nil
            || text.range(of: #"[0-9]{300,}"#, options: .regularExpression) != nil
    }
}

@Suite("HTTP fuzzer helpers")
struct HTTPFuzzHelperTests {
    @Test func rawJSONFindsMembersAndElementsByteForByte() {
        let body = Array(#"{"a" : "x,]}" , "jobs":[ {"type":"t","p":[1,{"q":"]"}]} ,{"type":"u"}, 1e999 ],"payload": null }"#.utf8)
        #expect(RawJSON.string("a", of: body) == "x,]}")
        #expect(RawJSON.member("payload", of: body) == Array("null".utf8))
        let jobs = RawJSON.member("jobs", of: body).map(RawJSON.elements) ?? []
        #expect(jobs.map { String(decoding: $0, as: UTF8.self) } == [#"{"type":"t","p":[1,{"q":"]"}]}"#, #"{"type":"u"}"#, "1e999"])
        #expect(RawJSON.elements(of: Array("[]".utf8)).isEmpty)
        #expect(RawJSON.member("missing", of: body) == nil)
    }

    @Test func theSameSeedGivesTheSameRequests() {
        var first = HTTPFuzzer(seed: 42), second = HTTPFuzzer(seed: 42)
        for _ in 0..<200 { #expect(first.next().bytes == second.next().bytes) }
    }
}
