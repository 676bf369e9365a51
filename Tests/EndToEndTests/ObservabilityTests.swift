import Foundation
import Testing
import VesperTestSupport

/// `/metrics` and `/stats` of a real node after real work, checked against what happened,
/// validated by promtool, and matched against the Grafana dashboard's queries.
@Suite("Observability", .serialized)
struct ObservabilityTests {
    @Test func metricsAndStatsMatchWhatHappened() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(
                environment: ["MAX_RETRIES": "0", "METRICS_SAMPLE_INTERVAL": "200ms", "WORKERS": "8"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            let submitted = ContinuousClock.now
            for index in 0..<100 { _ = try await node.submit(#"{"type":"resize","priority":\#([0, 3, 7, 10][index % 4])}"#) }
            for _ in 0..<3 { _ = try await node.submit(#"{"type":"demo.fail"}"#) }
            _ = try await node.submit(#"{"type":"later","delay":"1h"}"#)
            _ = try await node.get("/jobs/not-a-uuid")

            try await waitUntil("the work to be sampled") {
                let stats = try await node.get("/stats").json
                let jobs = stats["jobs"] as? [String: Int] ?? [:]
                let metrics = try await node.get("/metrics").body
                return jobs["done"] == 100 && jobs["dlq"] == 3 && metrics.contains(#"vesper_queue_jobs{status="dlq"} 3"#)
            }
            let stats = try await node.get("/stats").json
            let jobs = try #require(stats["jobs"] as? [String: Int])
            #expect(jobs["scheduled"] == 1)
            #expect(jobs["total"] == 104)
            let doneLastMinute = (stats["throughput"] as? [String: Any])?["done_last_1m"] as? Int
            if ContinuousClock.now - submitted < .seconds(55) {
                #expect(doneLastMinute == 100)
            } else {
                // A busy machine took over a minute to get here: the first jobs have left the window.
                #expect((1...100).contains(doneLastMinute ?? 0))
            }
            #expect((stats["fleet"] as? [String: Int])?["workers"] == 8)

            let metrics = try await node.get("/metrics")
            #expect(metrics.status == 200)
            let text = metrics.body
            #expect(text.contains(#"vesper_jobs_finished_total{type="resize",outcome="done"} 100"#))
            #expect(text.contains(#"vesper_jobs_finished_total{type="demo.fail",outcome="dlq"} 3"#))
            #expect(text.contains(#"vesper_jobs_enqueued_total{type="resize",priority="7"} 25"#))
            #expect(text.contains(#"vesper_job_run_duration_seconds_count{type="resize"} 100"#))
            #expect(text.contains(#"vesper_http_requests_total{method="GET",route="/jobs/{id}",status="400"} 1"#))
            #expect(text.contains("vesper_worker_slots 8"))
            #expect(text.contains("vesper_lease_recoveries_total 0"))

            try await promtoolAccepts(text)
            try dashboardQueriesOnlyExposedMetrics(text)
        }
    }

    @Test func jsonLogsCarryOneLinePerFinishedJob() async throws {
        try await withTemporaryDirectory { directory in
            let vesper = try await VesperProcess(environment: ["LOG_FORMAT": "json", "LOG_LEVEL": "info"], directory: directory.path)
            defer { vesper.stop() }
            let id = try await Node(baseURL: vesper.baseURL).submit(#"{"type":"resize","priority":7}"#)
            let idText = id.uuidString.lowercased()
            try await waitUntil("the job's log line") { vesper.log.contains(#""vesper_outcome":"done""#) }
            let lines = vesper.log.split(separator: "\n").filter { $0.hasPrefix("{") }
            let entries = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
            #expect(entries.count == lines.count, "every log line is a JSON object")
            let finished = try #require(entries.first { $0["vesper_outcome"] == "done" && $0["vesper_job_id"] == idText })
            #expect(finished["vesper_job_type"] == "resize")
            #expect(finished["vesper_priority"] == "7")
            #expect(finished["vesper_attempt"] == "1")
            #expect(finished["vesper_wait_ms"] != nil)
            #expect(finished["vesper_run_ms"] != nil)
            #expect(finished["level"] == "info")
        }
    }

    func promtoolAccepts(_ exposition: String) async throws {
        guard let promtool = which("promtool") else {
            Issue.record("promtool not found: run scripts/test-setup.sh (installs Debian's prometheus package)")
            return
        }
        let (status, report) = try await runCommand(promtool, ["check", "metrics"], input: exposition)
        #expect(status == 0, "promtool: \(report)")
    }

    func dashboardQueriesOnlyExposedMetrics(_ exposition: String) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../deploy/grafana/dashboards/vesper.json")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(panels.count >= 6)
        let exposed = Set(
            exposition.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != "{" && $0 != " " }) })
        let pattern = try Regex("vesper_[a-z_]+")
        for panel in panels {
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                let expression = try #require(target["expr"] as? String)
                for match in expression.matches(of: pattern) {
                    let name = String(expression[match.range])
                    #expect(exposed.contains(name), "panel \"\(panel["title"] ?? "")\" queries \(name), which /metrics does not expose")
                }
            }
        }
    }

    func which(_ tool: String) -> String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
