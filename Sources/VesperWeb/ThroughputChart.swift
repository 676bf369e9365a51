import Foundation
import Synchronization
import VesperCore

/// The last hour of finished jobs, read at most every ten seconds however many people watch.
///
/// A minute that has ended does not change (finished jobs keep their `finished_at`; retention only
/// deletes old ones), so a refresh reads only from the start of the minute that was current at the
/// previous read: about one minute of the index instead of sixty.
final class ThroughputCache: Sendable {
    private struct State {
        var at: ContinuousClock.Instant
        /// Counts by minute start; minutes before `openFrom` are final.
        var minutes: [Date: FinishedMinute]
        var openFrom: Date
    }

    private let source: any ThroughputHistorySource
    private let maxAge: Duration
    private let state = Mutex<State?>(nil)

    init(source: any ThroughputHistorySource, maxAge: Duration = .seconds(10)) {
        self.source = source
        self.maxAge = maxAge
    }

    /// One entry per minute of the last hour, oldest first.
    func lastHour(now: Date) async throws -> [FinishedMinute] {
        let since = FinishedMinute.minute(of: now).addingTimeInterval(-59 * 60)
        let cached = state.withLock { $0 }
        if let cached, ContinuousClock.now - cached.at < maxAge {
            return FinishedMinute.series(Array(cached.minutes.values), since: since, now: now)
        }
        let readFrom = max(since, cached?.openFrom ?? since)
        let fresh = try await source.finishedPerMinute(since: readFrom, now: now)
        var minutes = (cached?.minutes ?? [:]).filter { $0.key >= since && $0.key < readFrom }
        for entry in fresh { minutes[entry.minute] = entry }
        state.withLock { $0 = State(at: .now, minutes: minutes, openFrom: FinishedMinute.minute(of: now)) }
        return FinishedMinute.series(Array(minutes.values), since: since, now: now)
    }
}

/// Stacked bars (done below, failed on top) per minute, drawn on the server as SVG.
enum ThroughputChart {
    static func svg(_ minutes: [FinishedMinute]) -> HTML {
        let width = 720.0
        let height = 180.0
        let left = 44.0
        let bottom = 20.0
        let plotWidth = width - left - 8
        let plotHeight = height - bottom - 8
        let peak = max(1, minutes.map { $0.done + $0.failed }.max() ?? 1)
        let slot = plotWidth / Double(max(minutes.count, 1))
        var shapes = ""
        for (index, minute) in minutes.enumerated() {
            let x = left + Double(index) * slot + 1
            let doneHeight = Double(minute.done) / Double(peak) * plotHeight
            let failedHeight = Double(minute.failed) / Double(peak) * plotHeight
            let base = 8 + plotHeight
            let label = HTML.escape("\(Format.time(minute.minute)): \(minute.done) done, \(minute.failed) failed")
            shapes += "<g><title>\(label)</title>"
            if minute.done > 0 {
                shapes += rect(x: x, y: base - doneHeight, width: slot - 2, height: doneHeight, fill: "#2e9e5b")
            }
            if minute.failed > 0 {
                shapes += rect(x: x, y: base - doneHeight - failedHeight, width: slot - 2, height: failedHeight, fill: "#d2433b")
            }
            shapes += "</g>"
        }
        let axis = """
            <line x1="\(left)" y1="\(8 + plotHeight)" x2="\(width - 8)" y2="\(8 + plotHeight)" stroke="#d9dde5"/>\
            <text x="\(left - 6)" y="14" text-anchor="end" font-size="11" fill="#5b6475">\(peak)</text>\
            <text x="\(left - 6)" y="\(8 + plotHeight)" text-anchor="end" font-size="11" fill="#5b6475">0</text>
            """
        var labels = ""
        if let first = minutes.first, let last = minutes.last {
            labels += "<text x=\"\(left)\" y=\"\(height - 4)\" font-size=\"11\" fill=\"#5b6475\">\(HTML.escape(clock(first.minute)))</text>"
            labels += "<text x=\"\(width - 8)\" y=\"\(height - 4)\" text-anchor=\"end\" font-size=\"11\" fill=\"#5b6475\">\(HTML.escape(clock(last.minute)))</text>"
        }
        let totalDone = minutes.reduce(0) { $0 + $1.done }
        let totalFailed = minutes.reduce(0) { $0 + $1.failed }
        let svg = """
            <svg viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Jobs finished per minute over the last hour" \
            xmlns="http://www.w3.org/2000/svg">\(axis)\(shapes)\(labels)</svg>
            """
        return """
            <div class="chart">\(HTML(trusted: svg))\
            <p class="legend"><span class="done">■ done</span> <span id="throughput-done">\(totalDone)</span> · \
            <span class="failed">■ failed</span> <span id="throughput-failed">\(totalFailed)</span> in the last hour (per minute, UTC)</p></div>
            """
    }

    private static func rect(x: Double, y: Double, width: Double, height: Double, fill: String) -> String {
        "<rect x=\"\(format(x))\" y=\"\(format(y))\" width=\"\(format(max(width, 1)))\" height=\"\(format(height))\" fill=\"\(fill)\"/>"
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func clock(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    }
}
