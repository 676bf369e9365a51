import Foundation
import Logging
import PostgresNIO
import VesperCore

extension PostgresJobStore: JobNotifications {
    /// Listens on `vesper_jobs` over a dedicated connection (outside the pool, so it never holds a
    /// pool slot), calling `onWake` for every notification.
    ///
    /// When the connection drops it reconnects with exponential backoff (100 ms doubling to 5 s) and
    /// calls `onWake` once after re-listening, since notifications sent in the gap are lost.
    /// Returns when the calling task is cancelled.
    public func listenForNewJobs(onWake: @escaping @Sendable () -> Void) async throws {
        do {
            _ = try settings.connectionConfiguration()
        } catch {
            throw PostgresErrorText.unavailable(error)
        }
        var backoff = Duration.milliseconds(100)
        var connectionID = 0
        while !Task.isCancelled {
            connectionID += 1
            do {
                // The server the pool uses now: after a failover the listener follows the primary.
                let configuration = try settings.connectionConfiguration(endpoint: active.withLock { $0.endpoint })
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: connectionID, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        backoff = .milliseconds(100)
                        if connectionID > 1 { onWake() }
                        for try await _ in notifications { onWake() }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { break }
                logger.warning(
                    "listening for new jobs failed; reconnecting",
                    metadata: [LogKey.error: "\(PostgresErrorText.describe(error))", "vesper_retry_in": "\(backoff)"])
            }
            if Task.isCancelled { break }
            do {
                try await Task.sleep(for: backoff)
            } catch {
                break
            }
            backoff = min(backoff * 2, .seconds(5))
        }
    }
}
