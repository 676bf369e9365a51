import CoreMetrics
import Prometheus
import Synchronization
import VesperCore
import VesperHTTP

/// Prometheus as the swift-metrics backend, for `GET /metrics`.
public enum PrometheusMetrics {
    private static let bootstrapped = Mutex(false)

    /// Bootstraps `MetricsSystem` with Prometheus' default registry, once per process; later calls
    /// do nothing. Creating a ``Vesper`` does this when no backend is bootstrapped yet. Skip it if
    /// your application bootstraps another metrics backend: `/metrics` then shows only what
    /// reaches the Prometheus registry.
    public static func bootstrap() {
        let first = bootstrapped.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry)) }
    }

    /// Bootstraps Prometheus unless some metrics backend already is: ``Vesper`` calls it when it is
    /// created, so `/metrics` works without a call to remember. An application with a backend of
    /// its own bootstraps it before creating ``Vesper``.
    static func bootstrapUnlessBootstrapped() {
        if MetricsSystem.factory is NOOPMetricsHandler { bootstrap() }
    }

    /// The registry `/metrics` renders.
    public static var registry: PrometheusCollectorRegistry { PrometheusMetricsFactory.defaultRegistry }

    /// The help texts of the core's and the API's metrics.
    private static let help = VesperMetrics.help.merging(HTTPMetrics.help) { core, _ in core }

    /// The Prometheus text exposition of everything recorded so far, with a `# HELP` line for
    /// each of Vesper's metrics (swift-metrics has no place for help texts).
    public static func exposition() -> String {
        let text = registry.emitToString()
        var output = ""
        output.reserveCapacity(text.utf8.count + 4096)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst(7).prefix { $0 != " " }
                output += "# HELP \(name) \(help[String(name)] ?? String(name))\n"
            }
            output += line
            output += "\n"
        }
        return String(output.dropLast())
    }
}
