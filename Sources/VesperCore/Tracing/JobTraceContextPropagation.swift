import Tracing

/// Writes a `ServiceContext` into a ``JobTraceContext``'s fields (what the bootstrapped
/// instrument's `inject` produces is what the job stores).
struct JobTraceContextInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Reads a ``JobTraceContext``'s fields back into a `ServiceContext` with the instrument's `extract`.
struct JobTraceContextExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}

extension JobTraceContext {
    /// The current span's context as `instrument` (the bootstrapped one when `nil`) propagates it,
    /// or `nil` without a current context or when the instrument injects nothing (no tracer).
    ///
    /// ``JobTracingMiddleware`` uses it on every enqueue through a queue client; code that writes
    /// jobs to a store directly (PostgreSQL's transactional enqueue) can set
    /// `job.traceContext = .current()` itself.
    public static func current(instrument: (any Instrument)? = nil) -> JobTraceContext? {
        // No span, nothing to carry: the common case without a tracer costs one task-local read.
        guard let context = ServiceContext.current else { return nil }
        var fields: [String: String] = [:]
        (instrument ?? InstrumentationSystem.instrument).inject(context, into: &fields, using: JobTraceContextInjector())
        return fields.isEmpty ? nil : JobTraceContext(fields: fields)
    }
}
