import NIOCore
import NIOHTTP1
import NIOPosix

/// A keep-alive HTTP/1.1 connection that carries one request at a time (see ``HTTP1ExchangeHandler``).
struct HTTP1Connection: Sendable {
    let channel: any Channel

    /// Opens a connection; a response slower than `readTimeout` fails its request and closes it.
    static func connect(host: String, port: Int, readTimeout: TimeAmount = .seconds(120), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws -> HTTP1Connection
    {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(30))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try pipeline.addHandler(IdleStateHandler(readTimeout: readTimeout))
                    try pipeline.addHandler(HTTP1ExchangeHandler())
                }
            }
            .connect(host: host, port: port)
            .get()
        return HTTP1Connection(channel: channel)
    }

    /// Sends one request and returns its whole response. Call it again only after it returned.
    func send(_ head: HTTPRequestHead, body: ByteBuffer?) async throws -> HTTP1Response {
        let response = channel.eventLoop.makePromise(of: HTTP1Response.self)
        channel.writeAndFlush(HTTP1Exchange(head: head, body: body, response: response)).whenFailure { response.fail($0) }
        return try await response.futureResult.get()
    }

    func close() async {
        try? await channel.close()
    }
}
