import Foundation
import Testing
import VesperTestSupport

/// The real binary's `vesper bench --json`, small runs: one JSON object, nothing lost, exit 0.
@Suite("vesper bench end to end", .serialized)
struct BenchCommandTests {
    @Test(arguments: [
        ["bench", "burst", "--jobs", "200", "--concurrency", "10", "--workers", "4"],
        ["bench", "drain", "--jobs", "200", "--workers", "4", "--batch", "50"],
        ["bench", "drain", "--jobs", "200", "--workers", "4", "--batch", "50", "--prefill-done", "500"],
        ["bench", "burst", "--jobs", "200", "--concurrency", "10", "--workers", "4", "--prefill-done", "500"],
        ["bench", "steady", "--rate", "200", "--duration", "1s", "--workers", "4"],
    ])
    func benchPrintsOneCorrectJSONObject(arguments: [String]) async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(
                arguments: arguments + ["--json", "--no-progress"], environment: [:], directory: directory.path)
            #expect(code == 0, "\(output)")
            let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("{") })
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(json["lost"] as? Int == 0)
            #expect(json["errors"] as? Int == 0)
            #expect(json["jobs"] as? Int == 200)
        }
    }

    @Test func steadyFindMaxReportsTheHighestRateThatMetTheTarget() async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(
                arguments: ["bench", "steady", "--find-max", "--rate", "500", "--duration", "500ms", "--workers", "4", "--json", "--no-progress"],
                environment: [:], directory: directory.path)
            #expect(code == 0, "\(output)")
            let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("{") })
            let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let maxRate = try #require(json["max_rate"] as? Int)
            #expect(maxRate >= 1)
            let trials = try #require(json["trials"] as? [String])
            // The search ends on a rate that missed, or on its ceiling.
            #expect(trials.contains { $0.hasPrefix("\(maxRate)/s") && $0.hasSuffix("met") })
            #expect((json["latency_ms"] as? [String: Any])?["p99"] as? Double ?? 1e9 < 100)
        }
    }

    @Test(arguments: [["bench", "drain", "--find-max"], ["bench", "steady", "--rate", "0"], ["bench", "drain", "--prefill-done", "-1"]])
    func badBenchOptionsAreRejected(arguments: [String]) async throws {
        try await withTemporaryDirectory { directory in
            let (code, output) = try await VesperProcess.run(arguments: arguments + ["--no-progress"], environment: [:], directory: directory.path)
            #expect(code != 0)
            #expect(output.contains("--find-max") || output.contains("--rate") || output.contains("--prefill-done"), "\(output)")
        }
    }

    @Test func burstAgainstARunningServerChecksJobsOverHTTP() async throws {
        try await withTemporaryDirectory { directory in
            let node = try await VesperProcess(environment: ["WORKERS": "4", "LOG_LEVEL": "warning"], directory: directory.path)
            defer { node.stop() }
            let (code, output) = try await VesperProcess.run(
                arguments: ["bench", "burst", "--jobs", "100", "--concurrency", "5", "--server", node.baseURL, "--json", "--no-progress"],
                environment: [:], directory: directory.path)
            #expect(code == 0, "\(output)")
            #expect(output.contains(#""lost":0"#))
            #expect(output.contains(#""errors":0"#))
        }
    }
}
