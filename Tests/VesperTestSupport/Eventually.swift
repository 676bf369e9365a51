import Foundation

public struct TimedOut: Error, CustomStringConvertible {
    public var description: String
}

/// Polls `condition` until it holds or `timeout` passes: the trustworthy alternative to sleeping.
public func waitUntil(
    timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(20), _ what: String = "condition",
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    if try await condition() { return }
    throw TimedOut(description: "timed out after \(timeout) waiting for \(what)")
}
