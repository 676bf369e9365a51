import Foundation
import Testing
import VesperTestSupport

/// Runs the libFuzzer target for JSONObjectScanner (scripts/fuzz-json-scanner.sh) for a short
/// while, so every `swift test` fuzzes the scanner a little. Longer runs: docs/DESIGN-NOTES.md.
@Suite("JSONObjectScanner under libFuzzer")
struct JSONScannerLibFuzzerTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The fuzzer runtime ships with the Swift toolchain on Linux (not with Xcode's).
    static var fuzzerRuntime: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(directory)/swiftc") {
            let swiftc = URL(fileURLWithPath: "\(directory)/swiftc").resolvingSymlinksInPath()
            let linux = swiftc.deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("lib/swift/clang/lib/linux")
            let runtime = (try? FileManager.default.contentsOfDirectory(atPath: linux.path))?
                .first { $0.hasPrefix("libclang_rt.fuzzer-") && $0.hasSuffix(".a") }
            return runtime.map { linux.appendingPathComponent($0).path }
        }
        return nil
    }

    @Test(
        .enabled(if: fuzzerRuntime != nil, "skipped: no libFuzzer runtime (libclang_rt.fuzzer) next to swiftc; the Linux toolchain has one"),
        .timeLimit(.minutes(10))
    )
    func twentySecondsOfLibFuzzerFindNothing() async throws {
        let seconds = ProcessInfo.processInfo.environment["VESPER_FUZZ_SECONDS"] ?? "20"
        let script = Self.repository.appendingPathComponent("scripts/fuzz-json-scanner.sh").path
        let (status, output) = try await runCommand("/bin/bash", [script, seconds], timeout: .seconds(540 + (Int(seconds) ?? 20)))
        if status == 77 {
            print("JSONObjectScanner libFuzzer run skipped: the fuzzer runtime could not be built here\n\(output.suffix(2000))")
            return
        }
        #expect(status == 0, "libFuzzer found an input that breaks JSONObjectScanner's invariants:\n\(output.suffix(6000))")
        #expect(output.contains("Done "), "libFuzzer did not run:\n\(output.suffix(3000))")
    }
}
