import Foundation

/// The producer's trace context, stored with a job so that its attempts can be linked to the span
/// that enqueued it: the fields a tracer's propagator writes (for W3C Trace Context, `traceparent`
/// and `tracestate`), as it wrote them.
///
/// ``JobTracingMiddleware`` fills it on enqueue from the current `ServiceContext`; `POST /jobs`
/// fills it from the request's `traceparent`/`tracestate` headers. Stores keep it as ``text`` in the
/// `trace_context` column (`NULL` when a job has none).
public struct JobTraceContext: Sendable, Hashable {
    /// The propagation fields, by name (lowercase for W3C: `traceparent`, `tracestate`).
    public var fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
    }

    /// The W3C trace id (32 lowercase hex digits) of ``fields``' `traceparent`, when it has a valid one.
    public var traceID: String? {
        fields[W3CTraceContext.traceparent].flatMap(W3CTraceContext.traceID(ofTraceparent:))
    }

    /// The stored form: a JSON object of strings, keys sorted (readable in the database).
    public var text: String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads the stored form back; `nil` for text that is not a JSON object of strings, so that a
    /// damaged column loses the link to the producer's trace instead of failing the job.
    public init?(text: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), let fields = object as? [String: String] else {
            return nil
        }
        self.fields = fields
    }
}
