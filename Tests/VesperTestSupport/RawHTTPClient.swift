import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// HTTP/1.1 over a plain TCP socket to 127.0.0.1: sends exactly the given bytes (so a test can
/// send broken framing, several pipelined requests, or bytes no HTTP library would produce) and
/// reads back the responses the server writes.
public enum RawHTTPClient {
    /// One response as read off the wire.
    public struct Response: Sendable {
        public var status: Int
        /// The status line and headers, as sent.
        public var head: String
        public var body: [UInt8]

        public var bodyText: String { String(decoding: body, as: UTF8.self) }

        /// It says `Connection: close`: the server answers nothing after it (pipelined requests
        /// behind it are dropped, which HTTP allows).
        public var closesConnection: Bool {
            head.lowercased().split(separator: "\r\n").contains { $0.hasPrefix("connection:") && $0.contains("close") }
        }
    }

    /// What came back for one exchange.
    public struct Exchange: Sendable {
        /// Complete responses, in order.
        public var responses: [Response]
        /// The server closed the connection (rather than the read timing out).
        public var closed: Bool
        /// Bytes after the last complete response (a truncated response, or garbage).
        public var leftover: [UInt8]
    }

    /// Sends `bytes` on a new connection and reads until `expected` responses have arrived, the
    /// server closes, or `timeout` passes. `headRequests` lists which of the pipelined requests
    /// are HEAD (their responses have no body).
    ///
    /// The socket calls block, so they run on a Dispatch thread, not on one of the few threads of
    /// Swift's cooperative pool that the rest of the test run shares.
    public static func exchange(
        port: Int, bytes: [UInt8], expected: Int = 1, headRequests: Set<Int> = [], timeout: Duration = .seconds(10)
    ) async throws -> Exchange {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        try blockingExchange(port: port, bytes: bytes, expected: expected, headRequests: headRequests, timeout: timeout)
                    })
            }
        }
    }

    private static func blockingExchange(
        port: Int, bytes: [UInt8], expected: Int, headRequests: Set<Int>, timeout: Duration
    ) throws -> Exchange {
        let fd = try connectToLoopback(port: port)
        defer { close(fd) }
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { break }  // the server may close early on a bad request; read what it said
            sent += count
        }
        var received: [UInt8] = []
        var responses: [Response] = []
        var closed = false
        var offset = 0
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while responses.count < expected {
            // Parse whatever is complete first.
            while responses.count < expected,
                let (response, consumed) = parseResponse(received, from: offset, isHead: headRequests.contains(responses.count))
            {
                if response.status >= 200 { responses.append(response) }  // 1xx are interim
                offset = consumed
                if response.closesConnection { break }
            }
            if responses.count >= expected || responses.last?.closesConnection == true { break }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { break }
            let milliseconds = max(1, Int(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
            var timeout = timeval(tv_sec: milliseconds / 1000, tv_usec: suseconds_t((milliseconds % 1000) * 1000))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno == ECONNRESET || errno == EPIPE {
                closed = true
                // A response without a length ends at the close.
                if let (response, _) = parseResponse(received, from: offset, isHead: false, atEOF: true) {
                    responses.append(response)
                    offset = received.count
                }
                break
            } else if errno != EINTR {
                break  // EAGAIN: timed out
            }
        }
        return Exchange(responses: responses, closed: closed, leftover: Array(received[offset...]))
    }

    /// Parses one response starting at `start`; nil while it is incomplete.
    static func parseResponse(_ bytes: [UInt8], from start: Int, isHead: Bool, atEOF: Bool = false) -> (Response, Int)? {
        guard let headEnd = find([13, 10, 13, 10], in: bytes, from: start) else { return nil }
        let head = String(decoding: bytes[start..<headEnd], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/"), let status = Int(statusParts[1]) else {
            // Not HTTP: report it as a pseudo-status so the caller sees it.
            return (Response(status: 0, head: head, body: Array(bytes[start...])), bytes.count)
        }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingSpaces()))
        }
        let bodyStart = headEnd + 4
        let header = { (name: String) in headers.first { $0.0 == name }?.1 }
        if isHead || status < 200 || status == 204 || status == 304 {
            return (Response(status: status, head: head, body: []), bodyStart)
        }
        if header("transfer-encoding")?.lowercased().contains("chunked") == true {
            var body: [UInt8] = []
            var cursor = bodyStart
            while true {
                guard let lineEnd = find([13, 10], in: bytes, from: cursor) else { return nil }
                let sizeText = String(decoding: bytes[cursor..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingSpaces(), radix: 16) else { return nil }
                cursor = lineEnd + 2
                if size == 0 {
                    guard let end = find([13, 10], in: bytes, from: cursor) else { return nil }  // no trailers expected
                    return (Response(status: status, head: head, body: body), end + 2)
                }
                guard bytes.count >= cursor + size + 2 else { return nil }
                body.append(contentsOf: bytes[cursor..<(cursor + size)])
                cursor += size + 2
            }
        }
        if let length = header("content-length").flatMap({ Int($0) }) {
            guard bytes.count >= bodyStart + length else { return nil }
            return (Response(status: status, head: head, body: Array(bytes[bodyStart..<(bodyStart + length)])), bodyStart + length)
        }
        guard atEOF else { return nil }
        return (Response(status: status, head: head, body: Array(bytes[bodyStart...])), bytes.count)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index] == needle[0], Array(bytes[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
