import HTTPTypes
import NIOCore
import NIOHTTPTypes
import VesperCore

/// Applies the read-header, read and write timeouts to each HTTP/1 connection, closing it when one
/// runs out (the idle timeout between requests is Hummingbird's own).
///
/// - read-header: from connection start until the first request head arrives;
/// - read: from a request head until its body has been received;
/// - write: from the end of a request until its response has been written.
final class HTTPTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let settings: HTTPSettings
    private var timer: Scheduled<Void>?

    init(settings: HTTPSettings) {
        self.settings = settings
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(settings.readHeaderTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(settings.readHeaderTimeout, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(settings.readTimeout, context: context)
        case .end: arm(settings.writeTimeout, context: context)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { disarm() }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: Duration, context: ChannelHandlerContext) {
        disarm()
        guard timeout > .zero else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.secondsDouble * 1e9))) {
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
