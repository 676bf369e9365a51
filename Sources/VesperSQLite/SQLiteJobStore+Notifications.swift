import Foundation
import GRDB
import VesperCore

extension SQLiteJobStore: JobNotifications {
    /// Cross-process wake-ups for processes sharing one SQLite file: `PRAGMA data_version` on a
    /// dedicated connection changes whenever another connection commits, and reading it costs
    /// next to nothing, so it is polled every `interval` (50ms by default).
    public func listenForNewJobs(onWake: @escaping @Sendable () -> Void) async throws {
        try await listenForNewJobs(interval: .milliseconds(50), onWake: onWake)
    }

    public func listenForNewJobs(interval: Duration, onWake: @escaping @Sendable () -> Void) async throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? connection.close() }
        var last: Int?
        while !Task.isCancelled {
            do {
                let version = try await connection.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") }
                if let last, version != last { onWake() }
                last = version
            } catch {
                // A transient read error only delays a wake-up; the dispatcher also polls.
            }
            try await Task.sleep(for: interval)
        }
    }
}
