import NIOCore
import NIOHTTP1

/// Sends one request at a time on a keep-alive HTTP/1.1 connection and completes its promise when
/// the whole response has arrived: no pipelining, no pool, no per-request task or state machine.
///
/// This is the bench's load generator, which shares two cores with the server it measures, so every
/// microsecond it spends per request is taken from the server (AsyncHTTPClient, which it replaced,
/// cost several times more). It sits after `addHTTPClientHandlers`' encoder and decoder.
final class HTTP1ExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTP1Exchange
    typealias OutboundOut = HTTPClientRequestPart

    /// The response awaited, at most one.
    private var pending: EventLoopPromise<HTTP1Response>?
    private var status = 0
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard pending == nil else {
            let error = HTTP1ConnectionClosed(reason: "a request was sent before the previous response arrived")
            exchange.response.fail(error)
            promise?.fail(error)
            return
        }
        pending = exchange.response
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            status = Int(head.status.code)
            body = nil
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
        case .end:
            let response = HTTP1Response(status: status, body: body ?? ByteBuffer())
            body = nil
            let promise = pending
            pending = nil
            promise?.succeed(response)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failPending(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPending(HTTP1ConnectionClosed(reason: "closed by the server"))
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, pending != nil {
            failPending(HTTP1ConnectionClosed(reason: "no answer within the read timeout"))
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func failPending(_ error: any Error) {
        let promise = pending
        pending = nil
        promise?.fail(error)
    }
}
