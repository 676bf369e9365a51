import Foundation
import VesperTestSupport

/// One generated exchange: the exact bytes to send, and what the checker needs to know about it.
struct FuzzRequest {
    var category: String
    var bytes: [UInt8]
    /// Responses to wait for (pipelined requests get one each).
    var expectedResponses = 1
    /// Indices (in pipeline order) of HEAD requests, whose responses carry no body.
    var headIndices: Set<Int> = []
    /// For each pipelined request that is a well-framed `POST /jobs`, the body the server reads.
    /// A 201 to it must read back with the type, queue, priority and payload bytes of this body.
    var jobBodies: [Int: [UInt8]] = [:]
    /// For a `POST /jobs/batch`, each job object in order: a 201 must read back every one of them.
    var batchJobs: [[UInt8]]? = nil
    /// For a `DELETE` of a path naming a job id (lowercased): a 200 removed that job, which then
    /// no longer reads back.
    var deletedID: String? = nil
    /// Framing the server can only answer by waiting (a body shorter than announced): no answer is fine.
    var mayStayUnanswered = false
    /// Broken framing the server may answer by closing the connection without a response.
    var mayCloseUnanswered = false

    /// Well-formed requests get time for a slow, loaded machine; broken framing that the server
    /// may leave hanging gets less, to keep the run busy.
    var timeout: Duration { mayStayUnanswered ? .seconds(1) : mayCloseUnanswered ? .seconds(3) : .seconds(15) }
}

/// Random and mutated HTTP requests for a Vesper node, reproducible from a seed.
///
/// Every choice comes from `random`, so the same seed gives the same sequence of requests (ids
/// of jobs acknowledged earlier are the only input from the server).
struct HTTPFuzzer {
    var random: SeededRandom
    /// Job ids the node acknowledged, used in paths so retry/cancel/read hit real jobs.
    var knownIDs: [String] = []
    /// Random method tokens sent: none may show up in /metrics, whose labels must stay bounded.
    /// (Today NIO's parser answers 400 to methods it does not know, before any route runs.)
    var randomMethods: [String] = []
    /// A small pool, so that keys repeat: same body (200), different body (409).
    let idempotencyKeys = ["k1", "k2", "order-42", "é😀", #"quote\"d"#, #"nul\u0000key"#, String(repeating: "k", count: 300)]

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    mutating func next() -> FuzzRequest {
        switch int(0..<100) {
        case 0..<40: return jobSubmission()
        case 40..<50: return mutatedBytesSubmission()
        case 50..<60: return headerVariant()
        case 60..<70: return framingVariant()
        case 70..<85: return listQuery()
        default: return pathVariant()
        }
    }

    // MARK: Job bodies

    /// A job body as members with raw JSON values, mutated at the member level.
    mutating func jobMembers() -> [(String, [UInt8])] {
        var members: [(String, [UInt8])] = [("type", pick(Self.typeValues))]
        if chance(60) { members.append(("queue", pick(Self.queueValues))) }
        if chance(60) { members.append(("priority", pick(Self.priorityValues))) }
        if chance(70) { members.append(("payload", payload())) }
        if chance(20) { members.append(("max_retries", pick(Self.integerValues))) }
        if chance(20) { members.append(("timeout_seconds", pick(Self.numberValues))) }
        if chance(20) { members.append(("run_at", pick(Self.timestampValues))) }
        if chance(20) { members.append(("delay", pick(Self.durationValues))) }
        if chance(15) { members.append(("idempotency_key", jsonString(pick(idempotencyKeys)))) }
        if chance(5) { members.append((pick(["priorty", "Type", "", "payload\u{0}", "type"]), pick(Self.priorityValues))) }
        if chance(10) {
            // A wrong type for one member.
            let index = int(0..<members.count)
            members[index].1 = pick(Self.wrongTypeValues)
        }
        return shuffled(members)
    }

    /// A job every node should accept, with awkward but valid values, so that many 201s are
    /// read back at the end.
    mutating func validJobMembers() -> [(String, [UInt8])] {
        var members: [(String, [UInt8])] = [("type", jsonString(pick(Self.validTypeTexts)))]
        if chance(60) { members.append(("queue", jsonString(pick(["default", "emails", "q-1", "é", #"tab\t"#])))) }
        if chance(60) { members.append(("priority", Array(pick(["0", "5", "10", "-0", "7"]).utf8))) }
        if chance(80) {
            members.append(("payload", chance(20) ? Array(#"{"n":[1e999,-0,0.1e-400,123456789012345678901234567890]}"#.utf8) : randomJSON(depth: 0)))
        }
        if chance(10) { members.append(("delay", jsonString(pick(["30s", "1h30m", "0s"])))) }
        return shuffled(members)
    }

    mutating func body(_ members: [(String, [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = Array("{".utf8) + whitespace()
        for (index, member) in members.enumerated() {
            if index > 0 { bytes += whitespace() + Array(",".utf8) + whitespace() }
            bytes += jsonString(member.0) + whitespace() + Array(":".utf8) + whitespace() + member.1
        }
        return bytes + whitespace() + Array("}".utf8)
    }

    mutating func jobSubmission() -> FuzzRequest {
        let body = self.body(chance(40) ? validJobMembers() : jobMembers())
        var headers = [("Content-Type", "application/json")]
        if chance(15) { headers.append(("Idempotency-Key", pick(idempotencyKeys))) }
        if chance(5) {
            let jobs = (0..<int(0..<4)).map { _ in self.body(self.chance(50) ? self.validJobMembers() : self.jobMembers()) }
            let batch = Array(#"{"jobs":["#.utf8) + Array(jobs.joined(separator: Array(",".utf8))) + Array("]}".utf8)
            var fuzz = FuzzRequest(category: "batch", bytes: request("POST", "/jobs/batch", headers: headers, body: batch))
            fuzz.batchJobs = jobs
            return fuzz
        }
        return FuzzRequest(category: "job body", bytes: request("POST", "/jobs", headers: headers, body: body), jobBodies: [0: body])
    }

    mutating func mutatedBytesSubmission() -> FuzzRequest {
        var bytes = self.body(jobMembers())
        for _ in 0..<int(1..<4) {
            let position = int(0..<(bytes.count + 1))
            switch int(0..<6) {
            case 0: bytes = Array(bytes[..<position])  // truncated
            case 1: bytes.insert(contentsOf: pick(Self.nastyBytes), at: position)
            case 2 where position < bytes.count: bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 3 where position < bytes.count: bytes.removeSubrange(position..<min(bytes.count, position + int(1..<10)))
            case 4 where position < bytes.count:
                let end = min(bytes.count, position + int(1..<20))
                bytes.insert(contentsOf: bytes[position..<end], at: int(0..<(bytes.count + 1)))
            default: bytes.insert(contentsOf: pick(Self.wrongTypeValues), at: position)
            }
        }
        return FuzzRequest(
            category: "mutated body", bytes: request("POST", "/jobs", headers: [("Content-Type", "application/json")], body: bytes),
            jobBodies: [0: bytes])
    }

    mutating func payload() -> [UInt8] {
        switch int(0..<10) {
        case 0: return pick(Self.wrongTypeValues)
        case 1:
            let depth = pick([10, 100, 400, 509, 510, 511, 512, 600, 5000])
            return Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
        case 2: return Array(#"{"blob":""#.utf8) + Array(repeating: UInt8(ascii: "x"), count: pick([1000, 100_000, 1_100_000])) + Array(#""}"#.utf8)
        case 3: return Array(#"{"n":[1e999,-0,0.1e-400,123456789012345678901234567890,-9223372036854775809]}"#.utf8)
        case 4: return Array(#"{"s":"\u0000\ud83d\ude00\\\"\/\b\f\n\r\t","é":"😀"}"#.utf8)
        case 5: return Array(#"{"a":1,"a":2}"#.utf8)
        default: return randomJSON(depth: 0)
        }
    }

    mutating func randomJSON(depth: Int) -> [UInt8] {
        switch int(0..<(depth > 3 ? 4 : 6)) {
        case 0: return jsonString(pick(["", "a", "image.png", "é", "😀", "line\nbreak", "tab\t"]))
        case 1: return Array(pick(["0", "-1", "3.25", "1e10", "640", "-0.5E-3"]).utf8)
        case 2: return Array(pick(["true", "false", "null"]).utf8)
        case 3: return jsonString(String(repeating: "z", count: int(0..<50)))
        case 4:
            let count = int(0..<4)
            var keys = Set<String>()
            let members = (0..<count).compactMap { _ -> [UInt8]? in
                let key = pick(["url", "width", "a", "b", "nested", ""])
                guard keys.insert(key).inserted else { return nil }
                return jsonString(key) + Array(":".utf8) + randomJSON(depth: depth + 1)
            }
            return Array("{".utf8) + Array(members.joined(separator: Array(",".utf8))) + Array("}".utf8)
        default:
            let items = (0..<int(0..<4)).map { _ in randomJSON(depth: depth + 1) }
            return Array("[".utf8) + Array(items.joined(separator: Array(",".utf8))) + Array("]".utf8)
        }
    }

    // MARK: Headers and framing

    mutating func headerVariant() -> FuzzRequest {
        let body = self.body(jobMembers())
        var headers: [(String, String)] = []
        if chance(80) { headers.append(("Content-Type", pick(Self.contentTypes))) }
        if chance(40) { headers.append(("Idempotency-Key", pick(idempotencyKeys + ["", String(repeating: "x", count: 5000), "a\u{7F}b", "ключ"]))) }
        if chance(20) { headers.append(pick(Self.oddHeaders)) }
        var fuzz = FuzzRequest(category: "headers", bytes: [])
        switch int(0..<8) {
        case 0:  // shorter than the body: the rest is read as the next request
            let length = int(0..<max(1, body.count))
            fuzz.bytes = request("POST", "/jobs", headers: headers, body: body, contentLength: "\(length)")
            fuzz.mayCloseUnanswered = true
        case 1:  // longer than the body: the server waits for the rest
            fuzz.bytes = request("POST", "/jobs", headers: headers, body: body, contentLength: "\(body.count + int(1..<100))")
            fuzz.mayStayUnanswered = true
        case 2:
            fuzz.bytes = request("POST", "/jobs", headers: headers, body: body, contentLength: pick(["-1", "abc", "99999999999999999999", "1 2", ""]))
            fuzz.mayCloseUnanswered = true
        case 3:  // two different lengths
            fuzz.bytes = request(
                "POST", "/jobs", headers: headers + [("Content-Length", "\(body.count)")], body: body, contentLength: "\(body.count + 1)")
            fuzz.mayCloseUnanswered = true
        default:
            fuzz.bytes = request("POST", "/jobs", headers: headers, body: body)
            if headers.contains(where: { $0.0 == "Content-Type" }) { fuzz.jobBodies = [0: body] }
            fuzz.mayCloseUnanswered = headers.contains { $0.0.contains(" ") || $0.1.contains("\u{7F}") || $0.1.unicodeScalars.contains { !$0.isASCII } }
        }
        return fuzz
    }

    mutating func framingVariant() -> FuzzRequest {
        let body = self.body(jobMembers())
        let head = "POST /jobs HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n"
        var fuzz = FuzzRequest(category: "framing", bytes: [])
        fuzz.mayCloseUnanswered = true
        switch int(0..<9) {
        case 0:  // valid chunked
            fuzz.bytes = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8) + chunked(body, sizes: { String($0, radix: 16) })
            fuzz.jobBodies = [0: body]
            fuzz.mayCloseUnanswered = false
        case 1:  // a bad chunk size
            let bad = pick(["zz", "-1", "FFFFFFFFFFFFFFFFFFFF", "0x10", " ", "1;", "+5", "1\u{0}"])
            fuzz.bytes = Array((head + "Transfer-Encoding: chunked\r\n\r\n").utf8) + Array("\(bad)\r\n".utf8) + body + Array("\r\n0\r\n\r\n".utf8)
        case 2:  // chunk size disagrees with the data
            let delta = pick([-5, -1, 3, 1000])
            let size = String(max(0, body.count + delta), radix: 16)
            fuzz.bytes = Array((head + "Transfer-Encoding: chunked\r\n\r\n\(size)\r\n").utf8) + body + Array("\r\n0\r\n\r\n".utf8)
            fuzz.mayStayUnanswered = delta > 0  // the server waits for the rest of the chunk
        case 3:
            let encoding = pick(["gzip", "gzip, chunked", "chunked, gzip", "identity", "deflate", "br", "chunked, chunked", "x-custom"])
            fuzz.bytes = Array((head + "Transfer-Encoding: \(encoding)\r\n\r\n").utf8) + chunked(body, sizes: { String($0, radix: 16) })
        case 4:  // both Transfer-Encoding and Content-Length
            fuzz.bytes = Array((head + "Transfer-Encoding: chunked\r\nContent-Length: \(body.count)\r\n\r\n").utf8)
                + chunked(body, sizes: { String($0, radix: 16) })
        case 5:  // pipelining
            return pipelined()
        case 6:
            fuzz.bytes = Array(pick(Self.oddRequestLines).utf8)
        case 7:  // line feeds only
            fuzz.bytes = Array("GET /health HTTP/1.1\nHost: fuzz\n\n".utf8)
        default:  // a huge header block
            fuzz.bytes = Array("GET /health HTTP/1.1\r\nHost: fuzz\r\nX-Big: \(String(repeating: "a", count: pick([9000, 70_000, 300_000])))\r\n\r\n".utf8)
        }
        return fuzz
    }

    mutating func pipelined() -> FuzzRequest {
        var fuzz = FuzzRequest(category: "pipelined", bytes: [])
        let count = int(2..<6)
        for index in 0..<count {
            switch int(0..<4) {
            case 0:
                let body = self.body(jobMembers())
                fuzz.bytes += request("POST", "/jobs", headers: [("Content-Type", "application/json")], body: body)
                fuzz.jobBodies[index] = body
            case 1:
                fuzz.bytes += request("HEAD", pick(["/health", "/jobs", "/stats"]), headers: [], body: nil)
                fuzz.headIndices.insert(index)
            case 2:
                let query = listQuery()
                fuzz.bytes += query.bytes
                if !query.headIndices.isEmpty { fuzz.headIndices.insert(index) }
            default: fuzz.bytes += request("GET", pick(["/health", "/ready", "/queues", "/workers"]), headers: [], body: nil)
            }
        }
        fuzz.expectedResponses = count
        return fuzz
    }

    mutating func chunked(_ body: [UInt8], sizes: (Int) -> String) -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let size = min(body.count - offset, int(1..<64))
            output += Array("\(sizes(size))\(chance(10) ? ";ext=1" : "")\r\n".utf8) + body[offset..<(offset + size)] + Array("\r\n".utf8)
            offset += size
        }
        return output + Array("0\r\n\r\n".utf8)
    }

    // MARK: Queries and paths

    mutating func listQuery() -> FuzzRequest {
        var parameters: [String] = []
        for _ in 0..<int(0..<5) {
            let name = pick(["status", "type", "queue", "priority", "created_after", "created_before", "limit", "cursor", "x", ""])
            let value: String
            switch name {
            case "status": value = pick(["pending", "running", "done", "dlq", "failed", "cancelled", "scheduled", "DONE", "", "%00", "done%00"])
            case "priority": value = pick(["0", "10", "11", "-1", "5.0", "99999999999999999999", "%00", ""])
            case "limit": value = pick(["1", "1000", "1001", "0", "-1", "1e3", "99999999999999999999", "%00", ""])
            case "cursor": value = pick(["1", "0", "-1", "9223372036854775807", "9223372036854775808", "abc", "%00", ""])
            case "created_after", "created_before": value = percentEncoded(pick(Self.timestampTexts))
            default: value = pick(["demo.noop", "default", "%00", "a%00b", "%FF", "%", "%zz", "+", "é", "%C3%A9", String(repeating: "q", count: 3000)])
            }
            parameters.append("\(name)=\(value)")
        }
        let query = parameters.isEmpty ? "" : "?" + parameters.joined(separator: pick(["&", "&", "&&", ";"]))
        let method = chance(10) ? "HEAD" : "GET"
        return FuzzRequest(
            category: "list query", bytes: request(method, "/jobs" + query, headers: [], body: nil), headIndices: method == "HEAD" ? [0] : [])
    }

    mutating func pathVariant() -> FuzzRequest {
        var method = pick(["GET", "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "RANDOM"])
        if method == "RANDOM" {
            method = "FUZZ" + String(random.next() & 0xFFFF_FFFF, radix: 16, uppercase: true)
            randomMethods.append(method)
        }
        let id = knownIDs.isEmpty || chance(40) ? pick(Self.idTexts) : pick(knownIDs)
        let path = pick([
            "/jobs/\(id)", "/jobs/\(id)/retry", "/jobs/\(id)/cancel", "/jobs/\(id)/run", "/jobs/\(id.uppercased())", "/jobs/\(id)%00", "/jobs/\(id)/",
            "/queues/\(pick(["default", "emails", "%00", "é", String(repeating: "n", count: 500)]))/\(pick(["pause", "resume", "x"]))",
            "/health", "/ready", "/stats", "/metrics", "/workers", "/queues", "/jobs/batch", "/", "//jobs", "/jobs/../health",
            "/%2e%2e/%2e%2e/etc", "/jobs?", "/jobs#frag", "*", "/\(String(repeating: "a/", count: 2000))", "/jobs/%",
        ])
        var headers: [(String, String)] = []
        var body: [UInt8]? = nil
        if ["POST", "PUT", "PATCH"].contains(method), chance(50) {
            headers.append(("Content-Type", "application/json"))
            body = chance(50) ? Array("{}".utf8) : self.body(jobMembers())
        }
        var fuzzRequest = FuzzRequest(
            category: "path", bytes: request(method, path, headers: headers, body: body), headIndices: method == "HEAD" ? [0] : [],
            mayCloseUnanswered: path == "*" || path.hasSuffix("%"))
        if method == "DELETE", path.lowercased().hasPrefix("/jobs/" + id.lowercased()) { fuzzRequest.deletedID = id.lowercased() }
        return fuzzRequest
    }

    // MARK: Building blocks

    func request(_ method: String, _ path: String, headers: [(String, String)], body: [UInt8]?, contentLength: String? = nil) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: fuzz\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(contentLength ?? String(body.count))\r\n" }
        return Array((head + "\r\n").utf8) + (body ?? [])
    }

    func jsonString(_ text: String) -> [UInt8] {
        // Escapes written by hand (already `\u0000` in the pool) pass through; quotes in plain text do not occur.
        Array("\"\(text)\"".utf8)
    }

    func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? text
    }

    mutating func whitespace() -> [UInt8] { Array(pick(["", "", "", " ", "\n", "\t", "\r\n  "]).utf8) }
    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    mutating func shuffled<T>(_ items: [T]) -> [T] { items.shuffled(using: &random) }

    // MARK: Value pools

    static let typeTexts: [String] = [
        "demo.noop", "email.send", "x", "épreuve😀", #"a\u0000b"#, #"\u0000"#, "", "  ", #"tab\there"#, #"quote\"d"#, #"slash\/"#,
        String(repeating: "t", count: 200), String(repeating: "t", count: 256), String(repeating: "t", count: 5000), #"\ud800"#,
        #"\ud83d\ude00"#,
    ]
    static let validTypeTexts = ["demo.noop", "email.send", "x", "épreuve😀", #"quote\"d"#, #"slash\/"#, #"\ud83d\ude00"#, "a b"]
    static let typeValues: [[UInt8]] =
        typeTexts.map { Array("\"\($0)\"".utf8) } + [Array("\"a".utf8) + [0] + Array("b\"".utf8), Array("\"a".utf8) + [0xFF] + Array("\"".utf8)]
    static let queueValues: [[UInt8]] =
        ["default", "emails", "q-1", "", "Q", "é", #"a\u0000b"#, String(repeating: "q", count: 300), "with space", "a/b"].map { Array("\"\($0)\"".utf8) }
    static let priorityValues: [[UInt8]] =
        ["0", "5", "10", "-1", "11", "1e2", "5.0", "\"5\"", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e999",
         "-0", "null", "0.5"].map { Array($0.utf8) }
    static let integerValues: [[UInt8]] =
        ["0", "3", "-1", "1000000", "1e9", "2.5", "9223372036854775807", "99999999999999999999", "null"].map { Array($0.utf8) }
    static let numberValues: [[UInt8]] =
        ["1", "0", "-1", "0.001", "1e308", "1e999", "-1e999", "9223372036854775807", "1e-400", "300", "\"NaN\""].map { Array($0.utf8) }
    static let timestampTexts = [
        "2026-01-02T15:04:05Z", "300000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z",
        "2026-01-01T00:00:60Z", "2026-01-01T00:00:00+99:99", "2026-01-01T00:00:00.123456789123456789Z", "2026-01-01", "now", "",
        "1970-01-01T00:00:00Z", "2026-01-01T00:00:00+14:00", "2026-01-01t00:00:00z", "2026-01-01T00:00:00",
        "99999999999-01-01T00:00:00Z", "2026-01-01T00:00:00\u{0}Z",
    ]
    static let timestampValues: [[UInt8]] = timestampTexts.map { Array("\"\($0.replacingOccurrences(of: "\u{0}", with: #"\u0000"#))\"".utf8) }
    static let durationValues: [[UInt8]] =
        ["30s", "0s", "-5s", "1h30m", "106752d", "2562048h", "9223372037s", "9223372036854775807ms", "99999999999999999999s", "1e9h",
         "1h1h", "", "s", "5", "5 m", "0.5s", "1.5h", "10000000000000000000000d", #"5s\u0000"#].map { Array("\"\($0)\"".utf8) }
    static let wrongTypeValues: [[UInt8]] =
        ["true", "false", "null", "[]", "{}", "0", "\"\"", "[1,2]", #"{"a":null}"#, "1e999", "-", "tru", "[", "{", "\"", "nul"].map { Array($0.utf8) }
    static let nastyBytes: [[UInt8]] = [
        [0], [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], Array(#"\u0000"#.utf8), Array(#"\ud800"#.utf8), Array("\\".utf8),
        Array("\"".utf8), Array(",".utf8), Array("}".utf8), Array("{".utf8), Array(":".utf8), [0x1F], [0x7F],
    ]
    static let contentTypes = [
        "application/json", "application/json; charset=utf-8", "APPLICATION/JSON", "text/plain", "", "application/x-www-form-urlencoded",
        "application/json; charset=latin1", "multipart/form-data; boundary=x", "application/json, text/plain", "*/*",
        String(repeating: "a", count: 4000),
    ]
    static let oddHeaders: [(String, String)] = [
        ("Expect", "100-continue"), ("Connection", "close"), ("Authorization", "Bearer nonsense"), ("Accept", "text/html"),
        ("Content-Encoding", "gzip"), ("X-Empty", ""), ("Bad Header", "x"), ("X-Utf8", "é😀"), ("Host", "second-host"),
    ]
    static let oddRequestLines = [
        "GET / HTTP/9.9\r\nHost: x\r\n\r\n", "GET\t/health HTTP/1.1\r\n\r\n", "BREW /jobs HTTP/1.1\r\nHost: x\r\n\r\n",
        "get /health HTTP/1.1\r\nHost: x\r\n\r\n", "GET http://fuzz/health HTTP/1.1\r\nHost: x\r\n\r\n", "GET /health\r\n\r\n",
        "GET /health HTTP/1.0\r\n\r\n", "\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", "GET /health HTTP/1.1\r\nNoColon\r\n\r\n",
        "GET /he\u{0}alth HTTP/1.1\r\nHost: x\r\n\r\n", "POST /jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
        "\u{16}\u{03}\u{01}\u{00}\u{a5}\u{01}\u{00}\u{00}", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    ]
    static let idTexts = [
        "00000000-0000-0000-0000-000000000000", "6de9e2a5-15c3-4d45-a644-0f19680483a2", "not-a-uuid", "%00", "",
        "6de9e2a515c34d45a6440f19680483a2", "6de9e2a5-15c3-4d45-a644-0f19680483a2-", "ffffffff-ffff-ffff-ffff-ffffffffffff", "1",
        "99999999999999999999",
    ]
}
