import Histogram
import Synchronization

/// Collects latencies in microseconds into an HDR histogram; safe to share between tasks.
final class LatencyRecorder: Sendable {
    private let histogram = Mutex(Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three))

    /// Records one latency in seconds (negative values, from clock skew between readings, count as 0).
    func record(seconds: Double) {
        let micros = UInt64(max(0, (seconds * 1_000_000).rounded()))
        histogram.withLock { _ = $0.record(micros) }
    }

    /// Adds a histogram filled without locking by one task.
    func add(_ other: Histogram<UInt64>) {
        histogram.withLock { $0.add(other) }
    }

    var count: UInt64 { histogram.withLock { $0.totalCount } }

    /// Percentiles in milliseconds.
    var summary: BenchReport.Latency {
        histogram.withLock { histogram in
            guard histogram.totalCount > 0 else { return BenchReport.Latency(p50: 0, p90: 0, p99: 0, max: 0) }
            func ms(_ micros: UInt64) -> Double { Double(micros) / 1000 }
            return BenchReport.Latency(
                p50: ms(histogram.valueAtPercentile(50)), p90: ms(histogram.valueAtPercentile(90)),
                p99: ms(histogram.valueAtPercentile(99)), max: ms(histogram.max))
        }
    }

    /// An empty histogram with the same settings, for one task to fill on its own.
    static func makeHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    }
}
