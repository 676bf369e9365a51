import Foundation
import Synchronization

/// The real `vesper` binary run as a child process, for end-to-end tests.
public final class VesperProcess: Sendable {
    public enum LaunchError: Error, CustomStringConvertible {
        case binaryNotFound(String)
        case exited(Int32, String)

        public var description: String {
            switch self {
            case .binaryNotFound(let path): "vesper binary not found at \(path); run `swift build` first or set VESPER_BINARY"
            case .exited(let code, let output): "vesper exited with \(code) before listening:\n\(output)"
            }
        }
    }

    private let process: Process
    private let logPath: String
    /// The port it listens on, once started.
    public let port: Int

    /// Starts `vesper <arguments>` with `environment` (added to a minimal base) in `directory`, and
    /// waits for its start-up line. The base turns on the demo catch-all consumer
    /// (`DEMO_CONSUMER=1`: most tests post arbitrary types and wait for them to be done); pass
    /// `"DEMO_CONSUMER": "0"` for a node that runs only the `demo.*` types.
    ///
    /// Output goes to a file, not a pipe: Foundation's pipe reading on Linux registers dispatch
    /// sources that have crashed test runs when many processes come and go.
    public init(
        arguments: [String] = ["serve"], environment: [String: String], directory: String, timeout: Duration = .seconds(60)
    ) async throws {
        var base = ["API_ADDR": "127.0.0.1:0", "LOG_LEVEL": "warning", "DEMO_CONSUMER": "1"]
        base.merge(environment) { $1 }
        let (process, logPath) = try Self.launch(arguments: arguments, environment: base, directory: directory)
        self.process = process
        self.logPath = logPath
        var found: Int?
        let deadline = ContinuousClock.now + timeout
        while found == nil {
            if let port = Self.listeningPort(in: Self.read(logPath)) {
                found = port
            } else if !process.isRunning {
                throw LaunchError.exited(process.terminationStatus, Self.read(logPath))
            } else if ContinuousClock.now > deadline {
                process.terminate()
                throw TimedOut(description: "vesper did not print its start-up line within \(timeout):\n\(Self.read(logPath))")
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        self.port = found!
    }

    /// Runs the binary to completion (for commands that exit by themselves), returning exit code and output.
    /// `program` names another executable built next to `vesper` (such as `vesper-example`).
    public static func run(
        arguments: [String], environment: [String: String], directory: String, program: String = "vesper"
    ) async throws -> (Int32, String) {
        let (process, logPath) = try launch(arguments: arguments, environment: environment, directory: directory, program: program)
        try await waitUntil(timeout: .seconds(120), "vesper \(arguments.first ?? "") to exit") { !process.isRunning }
        let output = read(logPath)
        try? FileManager.default.removeItem(atPath: logPath)
        return (process.terminationStatus, output)
    }

    private static func launch(
        arguments: [String], environment: [String: String], directory: String, program: String = "vesper"
    ) throws -> (Process, String) {
        var binary = binaryPath()
        if program != "vesper" { binary = URL(fileURLWithPath: binary).deletingLastPathComponent().appendingPathComponent(program).path }
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw LaunchError.binaryNotFound(binary) }
        let logPath = "\(directory)/vesper-\(UUID().uuidString.prefix(8)).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else {
            throw TimedOut(description: "cannot create \(logPath)")
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        defer { try? log.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"].merging(environment) { $1 }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return (process, logPath)
    }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public var pid: Int32 { process.processIdentifier }

    /// Everything it printed so far.
    public var log: String { Self.read(logPath) }

    public var isRunning: Bool { process.isRunning }

    /// Sends `signal` (SIGTERM, SIGKILL, ...).
    public func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its exit code (or signal number).
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await waitUntil(timeout: timeout, "vesper to exit") { !self.process.isRunning }
        return process.terminationStatus
    }

    /// Kills it if it still runs (test clean-up).
    public func stop() {
        if process.isRunning { send(SIGKILL) }
    }

    static func listeningPort(in output: String) -> Int? {
        guard let range = output.range(of: "vesper listening on http://") else { return nil }
        let rest = output[range.upperBound...]
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        let digits = rest[rest.index(after: colon)...].prefix { $0.isNumber }
        return Int(digits)
    }

    /// `VESPER_BINARY`, or the `vesper` built next to the running test bundle.
    public static func binaryPath() -> String {
        if let path = ProcessInfo.processInfo.environment["VESPER_BINARY"] { return path }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On Linux the test bundle is `<build>/debug/<name>.xctest`; on macOS the binary sits deeper.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("vesper").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent("vesper").path
    }
}
