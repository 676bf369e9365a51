import Foundation
import NIOCore
import NIOPosix

/// A TCP proxy on loopback that holds every chunk of bytes for a fixed delay in each direction,
/// as a link to a far region would: a node pointed at it pays `2 × delay` per round trip to the
/// server behind it. Bytes keep their order; nothing else about the stream changes.
public final class DelayProxy: Sendable {
    /// Where the proxy forwards to.
    public enum Target: Sendable {
        case tcp(host: String, port: Int)
        case unixSocket(path: String)
    }

    /// The loopback port the proxy listens on.
    public let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup

    /// Starts listening on a free loopback port; each accepted connection opens one to `target`.
    public init(to target: Target, delay: Duration) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        self.group = group
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        let delay = TimeAmount.nanoseconds(nanoseconds)
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { inbound in
                // Reads wait until the far side is connected, so nothing is read before it can be forwarded.
                inbound.setOption(.autoRead, value: false).flatMap {
                    let bootstrap = ClientBootstrap(group: inbound.eventLoop).channelOption(.socketOption(.tcp_nodelay), value: 1)
                    let connected: EventLoopFuture<any Channel>
                    switch target {
                    case .tcp(let host, let port): connected = bootstrap.connect(host: host, port: port)
                    case .unixSocket(let path): connected = bootstrap.connect(unixDomainSocketPath: path)
                    }
                    return connected.flatMap { outbound in
                        let toServer = DelayedForwarder(peer: outbound, delay: delay)
                        let toClient = DelayedForwarder(peer: inbound, delay: delay)
                        return outbound.pipeline.addHandler(toClient).flatMap {
                            inbound.pipeline.addHandler(toServer)
                        }.flatMap {
                            inbound.setOption(.autoRead, value: true)
                        }
                    }.flatMapError { error in
                        inbound.close().flatMapThrowing { throw error }
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Closes the listener and every proxied connection.
    public func stop() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}

/// Forwards what one side reads to `peer`, each chunk `delay` after it arrived, in order; closes
/// the peer (after the data before it) when its side closes.
private final class DelayedForwarder: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every property is touched only on the channel's event loop, which both sides of
    // a proxied connection share (the outbound connection is made on the inbound one's loop).
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private let delay: TimeAmount
    /// The last scheduled write: a later chunk never goes before it, even with equal deadlines.
    private var lastDeadline = NIODeadline.distantPast

    init(peer: any Channel, delay: TimeAmount) {
        self.peer = peer
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let deadline = max(NIODeadline.now() + delay, lastDeadline + .nanoseconds(1))
        lastDeadline = deadline
        let peer = self.peer
        context.eventLoop.scheduleTask(deadline: deadline) {
            peer.writeAndFlush(buffer, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let peer = self.peer
        context.eventLoop.scheduleTask(deadline: max(NIODeadline.now() + delay, lastDeadline + .nanoseconds(1))) {
            peer.close(promise: nil)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
