import InMemoryTracing
import Tracing
import VesperCore

/// The library's `InMemoryTracer` with W3C Trace Context propagation (`traceparent`), as a
/// production tracer such as swift-otel propagates, and W3C-shaped ids. `InMemoryTracer` alone
/// propagates under keys of its own, which a `traceparent` header never fills.
public struct W3CInMemoryTracer: Tracer {
    /// Holds the spans.
    public let recorder: InMemoryTracer

    public init() {
        recorder = InMemoryTracer(idGenerator: .init(nextTraceID: { Self.hex(2) }, nextSpanID: { Self.hex(1) }))
    }

    public var finishedSpans: [FinishedInMemorySpan] { recorder.finishedSpans }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> InMemorySpan {
        recorder.startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    public func forceFlush() { recorder.forceFlush() }

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Carrier == Inject.Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: W3CTraceContext.traceparent, into: &carrier)
    }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Carrier == Extract.Carrier {
        guard let value = extractor.extract(key: W3CTraceContext.traceparent, from: carrier),
            let traceID = W3CTraceContext.traceID(ofTraceparent: value)
        else { return }
        let spanID = String(decoding: Array(value.utf8)[36..<52], as: UTF8.self)
        context.inMemorySpanContext = InMemorySpanContext(traceID: traceID, spanID: spanID, parentSpanID: nil)
    }

    /// `words` random 64-bit words as lowercase hex, 16 digits each.
    static func hex(_ words: Int) -> String {
        (0..<words).map { _ in
            let text = String(UInt64.random(in: 1...UInt64.max), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
    }
}
