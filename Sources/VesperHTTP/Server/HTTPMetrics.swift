import CoreMetrics
import VesperCore

/// The API's metrics (`vesper_http_*`), through swift-metrics like the core's ``VesperMetrics``.
/// Handles are created once per label set and cached: every request records two of them.
public final class HTTPMetrics: Sendable {
    private struct Labels: Hashable, Sendable {
        var method: String
        var route: String
        var status: Int
    }

    private struct Handles: Sendable {
        var requests: Counter
        var duration: CoreMetrics.Timer
    }

    private let handles = KeyedMetricHandles<Labels, Handles>()

    public init() {}

    /// One-line descriptions, emitted as `# HELP` lines by the `/metrics` endpoint.
    public static let help: [String: String] = [
        "vesper_http_requests_total": "HTTP requests by method, route and status.",
        "vesper_http_request_duration_seconds": "HTTP request duration by method and route.",
    ]

    /// One answered request. `route` is the route's template (`/jobs/{id}`), never a raw path.
    public func request(method: String, route: String, status: Int, duration: Duration) {
        let handles = handles.handles(Labels(method: method, route: route, status: status)) { labels in
            Handles(
                requests: Counter(
                    label: "vesper_http_requests_total",
                    dimensions: [("method", labels.method), ("route", labels.route), ("status", String(labels.status))]),
                duration: CoreMetrics.Timer(
                    label: "vesper_http_request_duration_seconds", dimensions: [("method", labels.method), ("route", labels.route)]))
        }
        handles.requests.increment()
        handles.duration.recordNanoseconds(duration.nanoseconds)
    }
}
