import Foundation

/// The wall clock the queue uses for `run_at`, leases and timestamps; injectable for tests.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ read: @escaping @Sendable () -> Date) {
        self.read = read
    }

    public func now() -> Date { read() }

    /// The system clock.
    public static let system = WallClock { Date() }
}
