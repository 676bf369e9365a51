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
