import Foundation
import Testing
import VesperTestSupport

/// The dashboard in a real browser: headless Chromium driven over WebDriver by Python's selenium
/// (`Tests/Browser/dashboard.py`), against the real `vesper serve`. `scripts/test-setup.sh`
/// installs Chromium, its driver and selenium; where they are missing the suite is skipped.
///
/// Set `VESPER_SCREENSHOT_DIR` to keep a screenshot of each page (docs/screenshots was made so).
@Suite("Dashboard in a browser", .serialized, .enabled(if: BrowserTools.available, BrowserTools.reason))
struct DashboardBrowserTests {
    static let adminToken = "admin-browser-0001"
    static let readerToken = "reader-browser-0001"

    /// One scenario of the script against a fresh node; fails with the script's report.
    func run(_ scenario: String, environment: [String: String] = [:], tokens: Bool = false) async throws {
        try await withTemporaryDirectory { directory in
            var env = [
                "MAX_RETRIES": "0", "WORKERS": "2", "METRICS_SAMPLE_INTERVAL": "1s", "POLL_INTERVAL": "200ms", "RETRY_BASE_DELAY": "10ms",
                "CRON_JOBS": #"[{"name":"heartbeat-report","schedule":"*/10 * * * * *","type":"demo.noop","timezone":"Europe/Berlin"}]"#,
                "GRAFANA_URL": "https://grafana.example/d/vesper",
            ]
            if tokens { env["API_TOKENS"] = "admin:\(Self.adminToken),reader:\(Self.readerToken)" }
            env.merge(environment) { $1 }
            let vesper = try await VesperProcess(environment: env, directory: directory.path)
            defer { vesper.stop() }
            var arguments = [BrowserTools.script, "--base", vesper.baseURL, "--scenario", scenario]
            if tokens { arguments += ["--admin-token", Self.adminToken, "--reader-token", Self.readerToken] }
            if let screenshots = ProcessInfo.processInfo.environment["VESPER_SCREENSHOT_DIR"] { arguments += ["--screenshots", screenshots] }
            let (status, output) = try await runCommand(BrowserTools.python, arguments)
            let report = output.split(separator: "\n").last { $0.hasPrefix("{") }.flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            #expect(status == 0 && report?["ok"] as? Bool == true, "\(scenario) failed:\n\(output)\n--- vesper log ---\n\(vesper.log.suffix(3000))")
            let checks = report?["checks"] as? [[String: Any]] ?? []
            #expect(!checks.isEmpty, "\(scenario) ran no checks")
        }
    }

    @Test func overviewShowsTheCountsTheAPIReports() async throws { try await run("overview") }

    @Test func failedJobReachesTheDLQTabAndRetryMovesItBack() async throws { try await run("retry") }

    @Test func pausingAQueueFromTheQueuesPageStopsClaims() async throws { try await run("pause") }

    @Test func bulkRetryRequeuesExactlyTheFilteredDLQ() async throws { try await run("bulk") }

    @Test func deleteRemovesAJobAndSparesARunningOne() async throws { try await run("delete") }

    @Test func runNowMakesAScheduledJobRun() async throws { try await run("runnow") }

    @Test func bulkDeleteRemovesExactlyTheFilteredDLQ() async throws { try await run("bulkdelete") }

    @Test func scriptPayloadIsShownAsTextAndNeverRuns() async throws { try await run("xss") }

    @Test func retryWorksWithJavaScriptOff() async throws { try await run("nojs") }

    @Test func tokensLoginReaderWithoutButtonsForgedAndTokenlessPostsRefused() async throws { try await run("tokens", tokens: true) }
}

/// Where Chromium, chromedriver and selenium are, and why the suite is skipped when they are not.
enum BrowserTools {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Browser/dashboard.py").path

    /// The `python3` on `PATH` (where test-setup.sh installed selenium), else the system's.
    static let python = find("python3") ?? "/usr/bin/python3"

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static let missing: [String] = {
        var missing: [String] = []
        if find("chromium") == nil && find("chromium-browser") == nil { missing.append("chromium") }
        if find("chromedriver") == nil { missing.append("chromedriver (chromium-driver)") }
        if !pythonHasSelenium() { missing.append("python3 with selenium") }
        return missing
    }()

    static var available: Bool { missing.isEmpty }

    static var reason: Comment {
        "browser tests skipped: \(missing.joined(separator: ", ")) not installed; run scripts/test-setup.sh"
    }

    private static func pythonHasSelenium() -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import selenium"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
            return process.terminationStatus == 0
        } catch {
            return false
        }
    }
}
