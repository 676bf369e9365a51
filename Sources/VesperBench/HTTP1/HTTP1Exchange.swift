import NIOCore
import NIOHTTP1

/// One request on an ``HTTP1Connection`` and the promise its response completes.
///
/// The body is an already-encoded `ByteBuffer`, so a caller can build it once, without going
/// through `String`.
struct HTTP1Exchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var response: EventLoopPromise<HTTP1Response>
}

/// A whole response: its status code and its body, collected.
struct HTTP1Response: Sendable {
    var status: Int
    var body: ByteBuffer

    var parts: (status: Int, body: ByteBuffer) { (status, body) }
}

/// The connection closed, or failed, before the response to a request was complete.
struct HTTP1ConnectionClosed: Error, CustomStringConvertible {
    var reason: String
    var description: String { "HTTP connection closed before the response was complete (\(reason))" }
}
