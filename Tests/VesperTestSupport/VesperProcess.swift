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
    private let output = OutputBuffer()
    /// The port it listens on, once started.
    public let port: Int

    /// Starts `vesper <arguments>` with `environment` (added to a minimal base) in `directory`, and
    /// waits for its start-up line.
    public init(
        arguments: [String] = ["serve"], environment: [String: String], directory: String, timeout: Duration = .seconds(60)
    ) async throws {
        let binary = Self.binaryPath()
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw LaunchError.binaryNotFound(binary) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var base = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "API_ADDR": "127.0.0.1:0", "LOG_LEVEL": "warning"]
        base.merge(environment) { $1 }
        process.environment = base
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        self.process = process
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            output.append(data)
        }
        try process.run()
        var found: Int?
        let deadline = ContinuousClock.now + timeout
        while found == nil {
            if let port = Self.listeningPort(in: output.text) {
                found = port
            } else if !process.isRunning {
                try await Task.sleep(for: .milliseconds(50))  // let the pipe drain
                throw LaunchError.exited(process.terminationStatus, output.text)
            } else if ContinuousClock.now > deadline {
                process.terminate()
                throw TimedOut(description: "vesper did not print its start-up line within \(timeout):\n\(output.text)")
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        self.port = found!
    }

    /// Runs the binary to completion (for commands that exit by themselves), returning exit code and output.
    public static func run(arguments: [String], environment: [String: String], directory: String) async throws -> (Int32, String) {
        let binary = binaryPath()
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw LaunchError.binaryNotFound(binary) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"].merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public var pid: Int32 { process.processIdentifier }

    /// Everything it printed so far.
    public var log: String { output.text }

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

/// Text a child process has printed, appended from the pipe's reader thread.
final class OutputBuffer: Sendable {
    private let storage = Mutex("")

    func append(_ data: Data) { storage.withLock { $0 += String(decoding: data, as: UTF8.self) } }

    var text: String { storage.withLock { $0 } }
}
