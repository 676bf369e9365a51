import Foundation

/// Runs a command to completion with its output captured in a file (not a pipe; see
/// ``VesperProcess``), optionally feeding `input` on standard input. Returns status and output.
public func runCommand(
    _ executable: String, _ arguments: [String], input: String? = nil, timeout: Duration = .seconds(120)
) async throws -> (Int32, String) {
    let directory = try TemporaryDirectory(prefix: "vesper-cmd")
    defer { directory.remove() }
    let outputPath = directory.file("output")
    _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
    let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
    defer { try? output.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let input {
        let inputPath = directory.file("input")
        try input.write(toFile: inputPath, atomically: true, encoding: .utf8)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    process.standardOutput = output
    process.standardError = output
    try process.run()
    try await waitUntil(timeout: timeout, "\(executable) to exit") { !process.isRunning }
    return (process.terminationStatus, (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "")
}
