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
///
/// Arming a timeout only moves a deadline; one scheduled timer per connection checks it when it
/// fires and re-arms itself for whatever time is left. Scheduling and cancelling an event-loop
/// task for each phase of each request (three times per request) cost allocations, a lock, and a
/// linear search of the loop's timer heap on every cancel, which with a thousand open connections
/// was a scan of thousands of entries.
final class HTTPTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let settings: HTTPSettings
    /// When the running phase's timeout runs out; `nil` while no timeout runs.
    private var deadline: NIODeadline?
    /// The one scheduled check, and when it fires.
    private var timer: (task: Scheduled<Void>, at: NIODeadline)?

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
        deadline = nil
        timer?.task.cancel()
        timer = nil
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
        if case .end = unwrapOutboundIn(data) { deadline = nil }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: Duration, context: ChannelHandlerContext) {
        guard timeout > .zero else {
            deadline = nil
            return
        }
        let due = NIODeadline.now() + .nanoseconds(timeout.nanoseconds)
        deadline = due
        if let timer {
            // A check that comes later than the new deadline would be late: move it forward.
            guard timer.at > due else { return }
            timer.task.cancel()
        }
        schedule(at: due, context: context)
    }

    private func schedule(at due: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = (context.eventLoop.scheduleTask(deadline: due) { loopBound.value.0.check(context: loopBound.value.1) }, due)
    }

    private func check(context: ChannelHandlerContext) {
        timer = nil
        guard let deadline else { return }
        if deadline <= .now() {
            self.deadline = nil
            context.channel.close(promise: nil)
        } else {
            schedule(at: deadline, context: context)
        }
    }
}
