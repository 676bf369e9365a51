import Foundation

/// The outcome of one bench run: speed, latency and the correctness verdict.
public struct BenchReport: Sendable {
    /// Latency percentiles in milliseconds.
    public struct Latency: Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var max: Double

        public init(p50: Double, p90: Double, p99: Double, max: Double) {
            self.p50 = p50
            self.p90 = p90
            self.p99 = p99
            self.max = max
        }
    }

    /// A further latency a mode reports (`steady`: the enqueue request's own).
    public struct NamedLatency: Sendable, Equatable {
        /// The JSON member is `<key>_latency_ms`.
        public var key: String
        public var name: String
        public var latency: Latency
    }

    public var mode: BenchOptions.Mode
    /// Jobs submitted or enqueued.
    public var jobs: Int
    /// Wall-clock time of the measured phase.
    public var seconds: Double
    /// What the latency means in this mode (submit, batch, wait, enqueue-to-start).
    public var latencyName: String
    public var latency: Latency
    /// Failed requests, wrong states or attempts, handlers that ran more than once.
    public var errors: Int
    /// Jobs acknowledged but never found `done` (or, for `enqueue`, not stored).
    public var lost: Int
    /// Jobs whose handler ran more than once (included in ``errors``).
    public var duplicates: Int = 0
    /// Resident memory of this process at the end, and its peak, in MiB.
    public var rssMiB: Double = 0
    public var peakRSSMiB: Double = 0
    /// The store description, such as `sqlite /tmp/.../vesper.db`.
    public var store: String
    /// Human-readable findings of the correctness check (first few problems).
    public var problems: [String] = []
    /// Further latencies, after ``latency``.
    public var moreLatencies: [NamedLatency] = []
    /// `steady --find-max`: the highest rate (jobs/s) that met the target, and each rate tried.
    public var maxRate: Int?
    public var trials: [String] = []

    public var jobsPerSecond: Double { seconds > 0 ? Double(jobs) / seconds : 0 }

    /// True when nothing was lost and nothing went wrong.
    public var isCorrect: Bool { errors == 0 && lost == 0 }

    /// One JSON object: `mode`, `jobs`, `jobs_per_second`, `latency_ms` {p50, p90, p99, max}, `errors`,
    /// `lost`, plus `seconds`, `latency`, `duplicates`, `rss_mib`, `peak_rss_mib`, `store`, `problems`;
    /// `steady` adds `enqueue_latency_ms`, and with `--find-max` `max_rate` and `trials`.
    public var json: String {
        func number(_ value: Double) -> String { String(format: "%.3f", value) }
        func quoted(_ text: String) -> String {
            let data = (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8)
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        func object(_ latency: Latency) -> String {
            #"{"p50":\#(number(latency.p50)),"p90":\#(number(latency.p90)),"p99":\#(number(latency.p99)),"max":\#(number(latency.max))}"#
        }
        let latencyObject = object(latency)
        return #"{"mode":"\#(mode.rawValue)","jobs":\#(jobs),"jobs_per_second":\#(number(jobsPerSecond)),"#
            + #""latency_ms":\#(latencyObject),"errors":\#(errors),"lost":\#(lost),"duplicates":\#(duplicates),"#
            + #""seconds":\#(number(seconds)),"latency":\#(quoted(latencyName)),"rss_mib":\#(number(rssMiB)),"#
            + #""peak_rss_mib":\#(number(peakRSSMiB)),"store":\#(quoted(store)),"#
            + #""problems":[\#(problems.map(quoted).joined(separator: ","))]"#
            + moreLatencies.map { #","\#($0.key)_latency_ms":\#(object($0.latency))"# }.joined()
            + (maxRate.map { #","max_rate":\#($0),"trials":[\#(trials.map(quoted).joined(separator: ","))]"# } ?? "") + "}"
    }

    /// A few lines for people.
    public var text: String {
        func ms(_ value: Double) -> String { String(format: "%.3f ms", value) }
        var lines = [
            "vesper bench \(mode.rawValue) · \(store)",
            String(format: "  %d jobs in %.3f s: %.0f jobs/s", jobs, seconds, jobsPerSecond),
            "  \(latencyName) latency: p50 \(ms(latency.p50))  p90 \(ms(latency.p90))  p99 \(ms(latency.p99))  max \(ms(latency.max))",
        ]
        for more in moreLatencies {
            let latency = more.latency
            lines.append("  \(more.name) latency: p50 \(ms(latency.p50))  p90 \(ms(latency.p90))  p99 \(ms(latency.p99))  max \(ms(latency.max))")
        }
        if let maxRate { lines.append("  highest rate meeting the target: \(maxRate) jobs/s (tried: \(trials.joined(separator: "; ")))") }
        lines += [
            String(format: "  memory: rss %.1f MiB, peak %.1f MiB", rssMiB, peakRSSMiB),
            "  correctness: errors \(errors), lost \(lost), duplicates \(duplicates) · \(isCorrect ? "OK" : "FAILED")",
        ]
        lines += problems.map { "  ! \($0)" }
        return lines.joined(separator: "\n")
    }
}
