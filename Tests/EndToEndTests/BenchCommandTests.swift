import Foundation
import Testing
import VesperTestSupport

/// The real binary's `vesper bench --json`, small runs: one JSON object, nothing lost, exit 0.
@Suite("vesper bench end to end", .serialized)
struct BenchCommandTests {
    @Test(arguments: [
        ["bench", "burst", "--jobs", "200", "--concurrency", "10", "--workers", "4"],
        ["bench", "drain", "--jobs", "200", "--workers", "4", "--batch", "50"],
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
