import Foundation
import Testing
import VesperTestSupport

@testable import Vesper

/// `.env` files follow the common dotenv conventions, and what looks like a mistake is said.
@Suite(".env files and environment warnings")
struct DotEnvTests {
    @Test(arguments: [
        ("WORKERS=9", "9"),
        ("WORKERS=\"9\"", "9"),
        ("WORKERS='9'", "9"),
        ("export WORKERS=9", "9"),
        ("  export   WORKERS = 9  ", "9"),
        ("DB_PATH=x.db # the db", "x.db"),
        ("DB_PATH=x#y.db", "x#y.db"),
        ("DB_PATH=\"a # b\" # comment", "a # b"),
        ("NODE_NAME=\"line\\nbreak \\\"q\\\" \\\\\"", "line\nbreak \"q\" \\"),
        ("NODE_NAME='raw \\n'", "raw \\n"),
        ("NODE_NAME=", ""),
        ("NODE_NAME=a=b", "a=b"),
        ("WORKERS=9\r", "9"),
        ("WORKERS=9\r\nAPI_ADDR=:1", "9"),
    ])
    func valuesFollowTheConventions(line: String, expected: String) throws {
        let file = try DotEnvFile(parsing: "# header\n\n" + line + "\n")
        #expect(file.entries.first?.value == expected, "\(line)")
        #expect(file.entries.first?.line == 3)
    }

    @Test(arguments: ["WORKERS", "WORKERS=\"9", "WORKERS=\"9\" x", "9WORKERS=1", "WORK ERS=1", "-X=1"])
    func malformedLinesNameTheirLine(line: String) {
        #expect(throws: DotEnvFile.SyntaxError.self) { try DotEnvFile(parsing: "A=1\n" + line) }
        do {
            _ = try DotEnvFile(parsing: "A=1\n" + line)
        } catch {
            #expect(error.line == 2)
        }
    }

    @Test func aBadValueFromTheFileSaysSo() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file(".env")
            try "# settings\nexport MAX_RETRIES=\"lots\"\n".write(toFile: path, atomically: true, encoding: .utf8)
            do {
                _ = try await VesperConfiguration.fromEnvironment([:], dotEnvPath: path)
                Issue.record("accepted")
            } catch let error as ConfigurationError {
                #expect(error.variable == "MAX_RETRIES")
                #expect(error.description.contains("(set in .env line 2)"), "\(error)")
            }
            // The same value from the environment does not blame the file.
            do {
                _ = try await VesperConfiguration.fromEnvironment(["MAX_RETRIES": "lots"], dotEnvPath: path)
                Issue.record("accepted")
            } catch let error as ConfigurationError {
                #expect(!error.description.contains(".env"), "\(error)")
            }
        }
    }

    @Test func conventionsApplyEndToEndOfTheConfiguration() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file(".env")
            try """
            export WORKERS="9"
            DB_PATH=x.db # the db
            LOG_LEVEL=DEBUG
            RETENTION=0s
            """.write(toFile: path, atomically: true, encoding: .utf8)
            let configuration = try await VesperConfiguration.fromEnvironment([:], dotEnvPath: path)
            #expect(configuration.workers == 9)
            #expect(configuration.database == .sqlite(path: "x.db"))
            #expect(configuration.logLevel == "debug")
            #expect(configuration.retention == nil)
            #expect(configuration.warnings.isEmpty, "\(configuration.warnings)")
        }
    }

    @Test func unknownLookalikesAndContradictionsAreWarnedAbout() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.file(".env")
            try "WORKER=10\nSOMETHING_ELSE=1\n".write(toFile: path, atomically: true, encoding: .utf8)
            let environment = [
                "VESPER_WORKERS": "3", "RETRY_MAX_DELAI": "1m", "HOME": "/root", "PATH": "/usr/bin", "HOSTNAME": "vm",
                "HEARTBEAT_INTERVAL": "20s", "RETRY_BASE_DELAY": "2h", "VESPER_URL": "http://x",
            ]
            let warnings = try await VesperConfiguration.fromEnvironment(environment, dotEnvPath: path).warnings
            #expect(warnings.contains("WORKER (.env line 1) is not a Vesper variable (did you mean WORKERS?); it is ignored"), "\(warnings)")
            #expect(warnings.contains("SOMETHING_ELSE (.env line 2) is not a Vesper variable; it is ignored"), "\(warnings)")
            #expect(warnings.contains("VESPER_WORKERS is not a Vesper variable; it is ignored"), "\(warnings)")
            #expect(warnings.contains("RETRY_MAX_DELAI is not a Vesper variable (did you mean RETRY_MAX_DELAY?); it is ignored"), "\(warnings)")
            #expect(warnings.contains { $0.hasPrefix("HEARTBEAT_INTERVAL (20.0 seconds) is more than a third of LEASE_DURATION") }, "\(warnings)")
            #expect(warnings.contains { $0.hasPrefix("RETRY_BASE_DELAY (7200.0 seconds) is above RETRY_MAX_DELAY") }, "\(warnings)")
            #expect(!warnings.contains { $0.hasPrefix("HOME") || $0.hasPrefix("PATH") || $0.hasPrefix("HOSTNAME") || $0.hasPrefix("VESPER_URL") })
            #expect(warnings.count == 6, "\(warnings)")
        }
    }

    /// The README's configuration tables and the names the check knows are the same list.
    @Test func knownVariablesAreTheDocumentedOnes() throws {
        let readme = try String(
            contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../README.md").path,
            encoding: .utf8)
        let documented = Set(
            readme.split(separator: "\n").filter { $0.hasPrefix("| `") }.compactMap { line -> String? in
                let name = line.dropFirst(3).prefix { $0 != "`" }
                return name.count > 2 && name.allSatisfy { $0.isUppercase || $0 == "_" } ? String(name) : nil
            })
        #expect(documented.subtracting(EnvironmentCheck.knownVariables).isEmpty, "\(documented.subtracting(EnvironmentCheck.knownVariables))")
        #expect(EnvironmentCheck.knownVariables.subtracting(documented).subtracting(["VESPER_URL", "VESPER_TOKEN"]).isEmpty)
    }
}
