import Foundation
import VesperCore

/// Prints `vesper bench: <what>` to standard error about once a second while a long phase runs.
enum ProgressLine {
    /// Runs `body`, reporting `status()` every second when `enabled`.
    static func whileRunning<T: Sendable>(
        enabled: Bool, _ status: @escaping @Sendable () -> String, _ body: () async throws -> T
    ) async throws -> T {
        guard enabled else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                let start = ContinuousClock.now
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    if Task.isCancelled { break }
                    let elapsed = (ContinuousClock.now - start).secondsDouble
                    FileHandle.standardError.write(Data(String(format: "vesper bench: %5.1fs %@\n", elapsed, status()).utf8))
                }
                return nil
            }
            let result = try await body()
            group.cancelAll()
            return result
        }
    }
}
