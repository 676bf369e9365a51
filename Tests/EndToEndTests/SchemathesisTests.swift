import Foundation
import Testing
import VesperTestSupport

/// Schemathesis (installed by `scripts/test-setup.sh` into a virtualenv under the user's cache)
/// generates requests from `openapi.yaml` as the node serves it, and checks every answer against
/// the document: no 5xx, only documented statuses and content types, bodies and headers that match
/// their schemas. A bounded number of examples per operation keeps it within minutes; set
/// `VESPER_SCHEMATHESIS_EXAMPLES` for a longer run and `VESPER_FUZZ_SEED` to replay one.
@Suite("Schemathesis against the OpenAPI document", .serialized)
struct SchemathesisTests {
    static var executable: String? {
        let environment = ProcessInfo.processInfo.environment
        let cache = environment["XDG_CACHE_HOME"] ?? (environment["HOME"] ?? "/root") + "/.cache"
        let path = cache + "/vesper-schemathesis/bin/schemathesis"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    @Test(
        .enabled(
            if: executable != nil, "Schemathesis is not installed: run scripts/test-setup.sh (it installs it into ~/.cache/vesper-schemathesis)"))
    func theAPIConformsToItsDocument() async throws {
        let executable = try #require(Self.executable)
        let environment = ProcessInfo.processInfo.environment
        let examples = environment["VESPER_SCHEMATHESIS_EXAMPLES"] ?? "25"
        let seed = environment["VESPER_FUZZ_SEED"] ?? String(UInt32.random(in: 1...UInt32.max))
        print("schemathesis seed \(seed)")
        try await withTemporaryDirectory { directory in
            // A short write timeout caps long-poll claims at a second, so a generated `wait` of
            // 60s does not stretch the run.
            let vesper = try await VesperProcess(
                environment: ["HTTP_WRITE_TIMEOUT": "2s", "POLL_INTERVAL": "200ms", "LOG_LEVEL": "error"], directory: directory.path)
            defer { vesper.stop() }
            let node = Node(baseURL: vesper.baseURL)
            // Some jobs, so that listings, reads and claims meet real rows too.
            for n in 0..<5 { _ = try await node.submit(#"{"type":"fuzz.seed","payload":{"n":\#(n)}}"#) }
            let checks = [
                "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
                "response_headers_conformance",
            ]
            // Run in the temporary directory: Schemathesis keeps a cache in its working directory.
            let (code, output) = try await runCommand(
                "/bin/sh",
                [
                    "-c", #"cd "$0" && exec "$@""#, directory.path, executable,
                    "run", "\(vesper.baseURL)/openapi.json", "--url", vesper.baseURL, "--checks", checks.joined(separator: ","),
                    "--max-examples", examples, "--seed", seed, "--workers", "1", "--phases", "examples,coverage,fuzzing,stateful",
                    "--request-timeout", "15", "--suppress-health-check", "all", "--no-shrink",
                    "--report-dir", directory.file("schemathesis-report"),
                ], timeout: .seconds(900))
            #expect(code == 0, "schemathesis (seed \(seed)) found problems:\n\(output.suffix(20_000))")
            // It ran: every operation was tested, with generated cases.
            #expect(output.range(of: #"Selected: (\d+)/\1\s+Tested: \1\b"#, options: .regularExpression) != nil, "\(output.suffix(4000))")
            #expect(output.range(of: #"[1-9][0-9]* generated"#, options: .regularExpression) != nil, "\(output.suffix(4000))")
            #expect(vesper.isRunning, "the node died under fuzzing:\n\(vesper.log.suffix(4000))")
            #expect(try await node.get("/health").status == 200)
            #expect(try await node.get("/ready").status == 200)
        }
    }
}
